"""Ways back in storage, on SQLite and PostGIS: bringing back a withdrawn strength, and which
answers to the moderators belong to the current hiding."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Action, Status
from assetmap.storage import assets as store
from assetmap.storage import history, moderation
from assetmap.storage import users as user_store
from assetmap.storage.accounts import delete_account


def owned(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> tuple[int, int]:
    owner = user_store.create_user(session, "olive@example.org")
    session.flush()
    asset = store.add_asset(session, make_draft(), owner_id=owner.id, cell_m=400.0)
    return owner.id, asset.id


def test_a_withdrawn_strength_comes_back_public_with_a_revision(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner, asset_id = owned(session, make_draft)
    store.withdraw_asset(session, asset_id, by=owner)
    back = history.bring_back(session, asset_id, by=owner)
    session.commit()
    assert back.status is Status.PUBLISHED
    last = history.revisions(session, asset_id)[-1]
    assert (last.action, last.changes) == (Action.RESTORE, {"status": ["withdrawn", "published"]})


def test_a_strength_withdrawn_while_hidden_comes_back_hidden(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner, asset_id = owned(session, make_draft)
    moderation.hide_asset(session, asset_id, by=None, reason="Closed")
    store.withdraw_asset(session, asset_id, by=owner)
    assert history.bring_back(session, asset_id, by=owner).status is Status.HIDDEN


def test_a_strength_withdrawn_with_its_owners_account_stays_withdrawn(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner, asset_id = owned(session, make_draft)
    delete_account(session, owner)
    with pytest.raises(ValidationError):
        history.bring_back(session, asset_id, by=owner)


def test_an_answer_belongs_only_to_the_hiding_it_was_given_for(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner, asset_id = owned(session, make_draft)
    moderation.hide_asset(session, asset_id, by=None, reason="First")
    moderation.add_answer(session, asset_id, "Fixed it", by=owner)
    assert [a.text for a in moderation.answers_for(session, [asset_id])[asset_id]] == ["Fixed it"]
    moderation.restore_asset(session, asset_id, by=None)
    moderation.hide_asset(session, asset_id, by=None, reason="Second")
    assert moderation.answers_for(session, [asset_id]) == {asset_id: []}
