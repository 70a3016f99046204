"""Moderation, roles, history and freshness in storage: the same on SQLite and PostGIS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.freshness import Freshness
from assetmap.domain.vocab import Action, Status
from assetmap.storage import assets as store
from assetmap.storage import freshness, history, moderation, roles
from assetmap.storage import users as user_store

FRESHNESS = Freshness(remind_days=180, unconfirmed_days=365, hide_days=540)
TODAY = dt.date(2026, 12, 1)


def test_hiding_and_restoring_record_revisions_and_delete_nothing(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=400.0)
    moderation.hide_asset(session, asset.id, by=None, reason="Spam")
    moderation.restore_asset(session, asset.id, by=None, reason="Checked")
    session.commit()
    actions = [(r.action, r.reason) for r in history.revisions(session, asset.id)]
    assert actions[1:] == [(Action.HIDE, "Spam"), (Action.RESTORE, "Checked")]
    assert store.get_asset(session, asset.id).status is Status.PUBLISHED  # type: ignore[union-attr]


def test_hiding_without_a_reason_is_refused(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=400.0)
    with pytest.raises(ValidationError):
        moderation.hide_asset(session, asset.id, by=None, reason="  ")


def test_hiding_closes_the_strengths_open_reports(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=400.0)
    moderation.add_report(session, asset.id, "abusive", "Rude", by=None)
    moderation.hide_asset(session, asset.id, by=None, reason="Rude")
    assert moderation.open_reports(session) == []


def test_an_earlier_version_comes_back_as_a_new_revision(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(title="Choir"), owner_id=None, cell_m=400.0)
    first = history.revisions(session, asset.id)[0].id
    store.update_asset(session, asset.id, {"title": "Spam"}, by=None, cell_m=400.0)
    history.restore_version(session, asset.id, first, by=None, cell_m=400.0)
    session.commit()
    assert store.get_asset(session, asset.id).title == "Choir"  # type: ignore[union-attr]
    assert len(history.revisions(session, asset.id)) == 3


def test_a_role_change_records_who_changed_what(session: orm.Session) -> None:
    admin = user_store.create_user(session, "admin@example.org", role="admin")
    user = user_store.create_user(session, "rae@example.org")
    session.flush()
    change = roles.change_role(session, user.id, role="coach", moderates=True, by=admin.id)
    session.commit()
    assert change is not None and change.changed_by == admin.id
    assert change.changes == {"role": ["resident", "coach"], "moderates": [False, True]}


def test_an_unchanged_role_records_nothing(session: orm.Session) -> None:
    user = user_store.create_user(session, "rae@example.org")
    session.flush()
    assert roles.change_role(session, user.id, role="resident", by=None) is None
    assert roles.role_changes(session) == []


def test_a_neighbourhood_that_does_not_exist_is_refused(session: orm.Session) -> None:
    user = user_store.create_user(session, "rae@example.org", role="coach")
    session.flush()
    with pytest.raises(ValidationError):
        roles.change_role(session, user.id, role="coach", neighbourhoods=[999], by=None)


def test_freshness_reminds_once_and_hides_the_stale(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = user_store.create_user(session, "olive@example.org")
    session.flush()
    due = make_draft(title="Due", last_confirmed=(TODAY - dt.timedelta(days=200)).isoformat())
    stale = make_draft(title="Stale", last_confirmed=(TODAY - dt.timedelta(days=600)).isoformat())
    due_id = store.add_asset(session, due, owner_id=owner.id, cell_m=400.0).id
    stale_id = store.add_asset(session, stale, owner_id=owner.id, cell_m=400.0).id
    sent: list[tuple[str, str]] = []
    compose = lambda what, assets: (what, ", ".join(a.title for a in assets))  # noqa: E731
    send = lambda to, subject, body: sent.append((subject, body))  # noqa: E731
    first = freshness.run_freshness(session, FRESHNESS, TODAY, send, compose)
    second = freshness.run_freshness(session, FRESHNESS, TODAY, send, compose)
    session.commit()
    assert (first.reminded, first.hidden, second.reminded, second.hidden) == (1, 1, 0, 0)
    assert sorted(sent) == [("hidden", "Stale"), ("remind", "Due")]
    assert store.get_asset(session, stale_id).status is Status.HIDDEN  # type: ignore[union-attr]
    assert store.get_asset(session, due_id).status is Status.PUBLISHED  # type: ignore[union-attr]
