from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import accounts, users
from assetmap.storage import assets as store
from assetmap.storage.models import ApiToken, Asset, Revision, User
from assetmap.storage.models.private import PrivatePoint

CELL = 400.0
SKILL_AT = (-2.321234, 51.230987)
CONTACT = "07700 900123"


@pytest.fixture
def ann(session: orm.Session) -> User:
    user = users.create_user(session, "ann@example.org", display_name="Ann Example")
    users.set_password(user, "correct horse battery")
    return user


@pytest.fixture
def anns_skill(session: orm.Session, ann: User, make_draft: Callable[..., AssetDraft]) -> Asset:
    lon, lat = SKILL_AT
    draft = make_draft(kind="skill", title="Bike repair", contact=CONTACT, lon=lon, lat=lat)
    asset = store.add_asset(session, draft, owner_id=ann.id, cell_m=CELL)
    store.update_asset(
        session,
        asset.id,
        {"contact": "ann@example.org", "lon": lon + 0.0001, "lat": lat, "contact_via_coach": True},
        by=ann.id,
        cell_m=CELL,
    )
    session.commit()
    return asset


@pytest.fixture
def anns_group(session: orm.Session, ann: User, make_draft: Callable[..., AssetDraft]) -> Asset:
    asset = store.add_asset(
        session, make_draft(contact="Ring Ann on 07700 900999"), owner_id=ann.id, cell_m=CELL
    )
    session.commit()
    return asset


@pytest.fixture
def bobs_group(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> Asset:
    bob = users.create_user(session, "bob@example.org", display_name="Bob")
    asset = store.add_asset(
        session,
        make_draft(title="Bob's choir", contact="bob@example.org"),
        owner_id=bob.id,
        cell_m=CELL,
    )
    session.commit()
    return asset


def revisions_json(session: orm.Session, asset_id: int) -> str:
    query = sa.select(Revision.changes).where(Revision.asset_id == asset_id)
    return orjson.dumps(list(session.scalars(query))).decode()


def test_deleting_an_account_withdraws_every_strength(
    session: orm.Session, ann: User, anns_skill: Asset, anns_group: Asset
) -> None:
    accounts.delete_account(session, ann.id)
    session.commit()
    assert [a.status for a in accounts.owned_assets(session, ann.id)] == [Status.WITHDRAWN] * 2


def test_deleting_an_account_removes_the_persons_details_from_their_row(
    session: orm.Session, ann: User
) -> None:
    accounts.delete_account(session, ann.id)
    session.commit()
    session.expire_all()
    user = session.get(User, ann.id)
    assert user is not None
    assert (user.email, user.display_name, user.password_hash) == (
        f"deleted-{ann.id}@invalid",
        "",
        None,
    )


def test_a_deleted_account_cannot_sign_in(session: orm.Session, ann: User) -> None:
    accounts.delete_account(session, ann.id)
    session.commit()
    assert users.authenticate(session, "ann@example.org", "correct horse battery") is None


def test_deleting_an_account_clears_contacts_and_a_skills_exact_point(
    session: orm.Session, ann: User, anns_skill: Asset, anns_group: Asset
) -> None:
    group_point = (anns_group.public_lon, anns_group.public_lat)
    accounts.delete_account(session, ann.id)
    session.commit()
    session.expire_all()
    skill, group = session.get(Asset, anns_skill.id), session.get(Asset, anns_group.id)
    assert skill is not None and group is not None
    assert (skill.contact, skill.contact_via_coach, group.contact) == ("", False, "")
    kept = sa.select(sa.func.count()).select_from(PrivatePoint)
    assert session.scalar(kept.where(PrivatePoint.asset_id == skill.id)) == 0
    assert (group.public_lon, group.public_lat) == group_point


def test_deleting_an_account_keeps_only_what_is_not_personal_in_the_history(
    session: orm.Session, ann: User, anns_skill: Asset, anns_group: Asset
) -> None:
    accounts.delete_account(session, ann.id)
    session.commit()
    session.expire_all()
    skill_history = revisions_json(session, anns_skill.id)
    group_history = revisions_json(session, anns_group.id)
    for personal in (CONTACT, "ann@example.org", "-2.321234", "-2.321334", "51.230987"):
        assert personal not in skill_history
    assert "07700 900999" not in group_history
    assert "Bike repair" not in skill_history
    assert '"themes":[null,["sport"]]' in skill_history
    assert '"lon":[null,-2.3213]' in group_history
    creation = session.scalars(
        sa.select(Revision).where(Revision.asset_id == anns_skill.id).order_by(Revision.id)
    ).first()
    assert creation is not None
    assert creation.changes["contact"] == [None, None]
    assert creation.changes["lon"] == [None, None]


def test_deleting_one_account_leaves_anothers_strengths_alone(
    session: orm.Session, ann: User, anns_group: Asset, bobs_group: Asset
) -> None:
    accounts.delete_account(session, ann.id)
    session.commit()
    session.expire_all()
    bobs = session.get(Asset, bobs_group.id)
    assert bobs is not None
    assert (bobs.status, bobs.contact) == (Status.PUBLISHED, "bob@example.org")
    assert "bob@example.org" in revisions_json(session, bobs_group.id)


def test_deleting_an_account_removes_its_api_tokens(session: orm.Session, ann: User) -> None:
    session.add(ApiToken(user_id=ann.id, name="laptop", token_hash="x" * 64))
    session.commit()
    accounts.delete_account(session, ann.id)
    session.commit()
    assert session.scalars(sa.select(ApiToken).where(ApiToken.user_id == ann.id)).all() == []


def test_deleting_a_missing_account_says_so(session: orm.Session) -> None:
    with pytest.raises(accounts.AccountNotFound, match="User 99 doesn't exist"):
        accounts.delete_account(session, 99)


def test_personal_data_holds_the_user_their_strengths_and_their_history(
    session: orm.Session, ann: User, anns_skill: Asset
) -> None:
    data = accounts.personal_data(session, ann)
    assert data["user"]["email"] == "ann@example.org"
    assert data["user"]["display_name"] == "Ann Example"
    [skill] = data["strengths"]
    assert (skill["title"], skill["contact"], skill["contact_via_coach"]) == (
        "Bike repair",
        "ann@example.org",
        True,
    )
    assert (skill["lon"], skill["lat"]) == (SKILL_AT[0] + 0.0001, SKILL_AT[1])
    assert [r["action"] for r in data["revisions"]] == ["create", "update"]
    assert data["revisions"][0]["changes"]["contact"] == [None, CONTACT]
    assert "password_hash" not in orjson.dumps(data).decode()


def test_personal_data_holds_nobody_elses_data(
    session: orm.Session, ann: User, anns_skill: Asset, bobs_group: Asset
) -> None:
    store.update_asset(session, bobs_group.id, {"title": "Bob's big choir"}, by=ann.id, cell_m=CELL)
    session.commit()
    text = orjson.dumps(accounts.personal_data(session, ann)).decode()
    assert "bob@example.org" not in text and "Bob's choir" not in text
    edits = [r for r in accounts.personal_data(session, ann)["revisions"] if not r.get("changes")]
    assert [(r["asset_id"], r["action"], r["by_you"]) for r in edits] == [
        (bobs_group.id, "update", True)
    ]


def test_owned_layer_shows_published_strengths_at_their_public_points(
    session: orm.Session, ann: User, anns_skill: Asset, anns_group: Asset
) -> None:
    store.withdraw_asset(session, anns_group.id, by=ann.id)
    session.commit()
    layer = accounts.owned_layer(session, ann.id)
    assert list(layer["id"]) == [anns_skill.id]
    assert layer.crs.to_epsg() == 4326
    point = layer.geometry.iloc[0]
    assert (point.x, point.y) == (anns_skill.public_lon, anns_skill.public_lat)
    assert "contact" not in layer.columns


def test_personal_fields_of_a_skill_include_its_point_but_a_groups_do_not() -> None:
    assert {"lon", "lat", "contact"} <= accounts.personal_fields(Kind.SKILL)
    assert "contact" in accounts.personal_fields(Kind.GROUP)
    assert not {"lon", "lat"} & accounts.personal_fields(Kind.GROUP)
