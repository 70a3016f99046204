from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.provenance import Assurer, provenance_sentences
from assetmap.domain.vocab import Kind, Role
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.storage.provenance import provenance_of
from assetmap.storage.users import create_user

FOUND = dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.UTC)
GONE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_a_strength_its_owner_added_was_assured_by_its_owner(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = create_user(session, "ann@example.org")
    session.flush()
    asset = store.add_asset(
        session, make_draft(kind="skill"), owner_id=owner.id, cell_m=400, today=dt.date(2026, 3, 3)
    )
    session.commit()
    found = provenance_of(session, asset.id)
    assert found is not None
    assert (found.kind, found.source, found.added_by_owner) == (Kind.SKILL, "", True)
    assert (found.assured_on, found.assured_by) == (dt.date(2026, 3, 3), Assurer.OWNER)
    assert found.created_at.date() == asset.created_at.date()


def test_a_coachs_confirmation_is_read_as_a_coachs(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = create_user(session, "ann@example.org")
    coach = create_user(session, "cal@example.org", role=Role.COACH)
    session.flush()
    asset = store.add_asset(session, make_draft(), owner_id=owner.id, cell_m=400)
    store.confirm_asset(session, asset.id, by=coach.id, today=dt.date(2026, 12, 1))
    session.commit()
    found = provenance_of(session, asset.id)
    assert found is not None
    assert (found.assured_on, found.assured_by) == (dt.date(2026, 12, 1), Assurer.COACH)
    assert provenance_sentences(found)[-1] == (
        "Last confirmed as still current on 1 December 2026 by a community connector."
    )


def test_a_strength_from_a_feed_reads_its_source_and_when_it_was_listed(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=400)
    stored = session.get(Asset, asset.id)
    assert stored is not None
    stored.source, stored.source_id = "Leeds Community Directory", "svc-1"
    stored.checked_at, stored.unlisted_at, stored.assured_by = FOUND, GONE, "source"
    session.commit()
    found = provenance_of(session, asset.id)
    assert found is not None
    assert found.source == "Leeds Community Directory"
    assert (found.checked_at, found.unlisted_at) == (FOUND, GONE)
    assert found.added_by_owner is False
    assert found.as_dict()["assured_by"] == "source"
    assert found.as_dict()["checked_at"] == "2026-12-06T04:00:00+00:00"


def test_no_provenance_for_a_strength_that_is_not_there(session: orm.Session) -> None:
    assert provenance_of(session, 12345) is None
