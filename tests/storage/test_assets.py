from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Action, Kind, Status
from assetmap.storage import assets as store
from assetmap.storage import users
from assetmap.storage.models import Asset, AssetTheme, Revision
from assetmap.storage.models.private import PrivatePoint
from assetmap.storage.private_points import owner_point

CELL = 400.0
AROUND = BBox(-2.35, 51.21, -2.29, 51.25)


def ids(found: list) -> list[int]:
    return [item.id for item in found]


def test_add_stores_the_asset_and_its_creation(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = users.create_user(session, "ann@example.org")
    asset = store.add_asset(session, make_draft(), owner_id=owner.id, cell_m=CELL)
    session.commit()
    stored = store.get_asset(session, asset.id)
    assert stored is not None
    assert (stored.title, stored.kind, stored.status) == (
        "Frome Wheelers cycling club",
        Kind.GROUP,
        Status.PUBLISHED,
    )
    assert stored.last_confirmed == dt.datetime.now(dt.UTC).date()
    assert [(r.action, r.user_id) for r in stored.revisions] == [(Action.CREATE, owner.id)]
    assert stored.revisions[0].changes["title"] == [None, "Frome Wheelers cycling club"]


def test_skill_is_stored_exactly_and_indexed_at_its_generalised_point(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(
        session, make_draft(kind="skill", lon=-2.321234, lat=51.230987), owner_id=None, cell_m=CELL
    )
    session.commit()
    assert owner_point(session, asset, SimpleNamespace(id=7)) is None
    kept = session.execute(sa.select(PrivatePoint.lon, PrivatePoint.lat)).one()
    assert tuple(kept) == (-2.321234, 51.230987)
    assert (asset.public_lon, asset.public_lat) != tuple(kept)
    [found] = store.assets_near(session, -2.321234, 51.230987, 1000)
    assert (found.lon, found.lat) == (asset.public_lon, asset.public_lat)
    assert found.distance_m > 0


def test_update_records_what_changed_and_moves_the_index(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(title="Book club"), owner_id=None, cell_m=CELL)
    session.commit()
    store.update_asset(
        session,
        asset.id,
        {
            "title": "Riverside book club",
            "lon": -2.3100,
            "lat": 51.2400,
            "themes": ["arts", "learning"],
        },
        by=None,
        cell_m=CELL,
    )
    session.commit()
    assert asset.revisions[-1].changes == {
        "title": ["Book club", "Riverside book club"],
        "lon": [-2.3213, -2.31],
        "lat": [51.23, 51.24],
        "themes": [["sport"], ["arts", "learning"]],
    }
    assert ids(store.assets_near(session, -2.3100, 51.2400, 50)) == [asset.id]
    assert store.assets_near(session, -2.3213, 51.2300, 50) == []
    assert ids(store.assets_in_bbox(session, AROUND, AssetFilter.parse(words="riverside"))) == [
        asset.id
    ]
    assert store.assets_in_bbox(session, AROUND, AssetFilter.parse(themes=["sport"])) == []


def test_update_without_change_records_nothing(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=CELL)
    store.update_asset(
        session, asset.id, {"title": "Frome Wheelers cycling club"}, by=None, cell_m=CELL
    )
    session.commit()
    assert len(asset.revisions) == 1


def test_bad_update_changes_nothing(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=CELL)
    session.commit()
    with pytest.raises(ValidationError) as caught:
        store.update_asset(
            session, asset.id, {"title": "New name", "lon": -2.3, "lat": 123}, by=None, cell_m=CELL
        )
    session.rollback()
    assert caught.value.errors == {"lat": "must be between -90 and 90, got 123.0"}
    session.expire_all()
    assert store.get_asset(session, asset.id).title == "Frome Wheelers cycling club"
    assert session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1


def test_withdrawn_asset_leaves_every_public_view(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(
        session, make_draft(title="Community garden"), owner_id=None, cell_m=CELL
    )
    session.commit()
    store.withdraw_asset(session, asset.id, by=None, reason="moved away")
    session.commit()
    assert store.get_asset(session, asset.id).status is Status.WITHDRAWN
    assert store.assets_near(session, -2.3213, 51.23, 500) == []
    assert store.assets_in_bbox(session, AROUND) == []
    assert len(store.read_layer(session)) == 0
    assert [r.action for r in asset.revisions] == [Action.CREATE, Action.WITHDRAW]
    assert asset.revisions[-1].reason == "moved away"


def test_withdrawn_asset_cannot_be_edited(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(), owner_id=None, cell_m=CELL)
    store.withdraw_asset(session, asset.id, by=None)
    with pytest.raises(ValidationError):
        store.update_asset(session, asset.id, {"title": "Back again"}, by=None, cell_m=CELL)


def test_confirm_moves_the_last_confirmed_date(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(
        session, make_draft(last_confirmed="2025-01-31"), owner_id=None, cell_m=CELL
    )
    store.confirm_asset(session, asset.id, by=None, today=dt.date(2026, 11, 30))
    session.commit()
    assert asset.last_confirmed == dt.date(2026, 11, 30)
    assert asset.revisions[-1].changes == {"last_confirmed": ["2025-01-31", "2026-11-30"]}


def test_missing_asset_is_named(session: orm.Session) -> None:
    with pytest.raises(store.AssetNotFound, match="Asset 999 doesn't exist."):
        store.withdraw_asset(session, 999, by=None)


def test_bulk_add_writes_the_same_rows_as_add(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    drafts = [make_draft(title=f"Group {i}", lon=-2.32 + i / 1000) for i in range(3)] + [
        make_draft(kind="skill", title="Sewing")
    ]
    assert store.add_assets(session, drafts, owner_id=None, cell_m=CELL, batch_size=2) == 4
    single = store.add_asset(
        session, make_draft(kind="skill", title="Sewing"), owner_id=None, cell_m=CELL
    )
    session.commit()
    session.expire_all()
    bulk_skill = session.scalars(
        sa.select(Asset).where(Asset.title == "Sewing").order_by(Asset.id)
    ).first()
    assert store.record_of(bulk_skill) | {
        "id": 0,
        "created_at": "",
        "updated_at": "",
    } == store.record_of(single) | {"id": 0, "created_at": "", "updated_at": ""}
    assert bulk_skill.revisions[0].changes == single.revisions[0].changes
    assert session.scalar(sa.select(sa.func.count()).select_from(AssetTheme)) == 5
    assert len(store.assets_in_bbox(session, AROUND, AssetFilter.parse(words="sewing"))) == 2
    assert len(store.assets_near(session, -2.32, 51.23, 5000)) == 5


def test_a_failed_bulk_add_leaves_nothing_and_keeps_indexing_new_assets(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    drafts = [make_draft(title="Repair cafe"), make_draft(title="Repair club")]
    same_source = [("register.csv", "7"), ("register.csv", "7")]
    with pytest.raises(sa.exc.IntegrityError):
        store.add_assets(session, drafts, owner_id=None, cell_m=CELL, sources=same_source)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0
    added = store.add_asset(session, make_draft(title="Repair cafe"), owner_id=None, cell_m=CELL)
    session.commit()
    assert ids(store.assets_in_bbox(session, AROUND, AssetFilter.parse(words="repair"))) == [
        added.id
    ]
    assert [a.id for a in store.assets_near(session, -2.32, 51.23, 5000)] == [added.id]


def test_words_match_stemmed_forms(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    titles = ["Community gardens", "Gardening club", "Garden tools to lend", "Guitar lessons"]
    added = [
        store.add_asset(session, make_draft(title=t), owner_id=None, cell_m=CELL).id for t in titles
    ]
    session.commit()
    assert (
        ids(store.assets_in_bbox(session, AROUND, AssetFilter.parse(words="garden"))) == added[:3]
    )
    assert ids(
        store.assets_in_bbox(session, AROUND, AssetFilter.parse(words="gardening club"))
    ) == [added[1]]


def test_words_with_query_syntax_are_plain_words(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    store.add_asset(session, make_draft(title="Chess club"), owner_id=None, cell_m=CELL)
    session.commit()
    assert (
        store.assets_in_bbox(session, AROUND, AssetFilter.parse(words='chess" OR "x* NEAR(')) == []
    )
    assert len(store.assets_in_bbox(session, AROUND, AssetFilter.parse(words='"chess"'))) == 1


def test_filters_by_kind_and_theme(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    group = store.add_asset(
        session, make_draft(themes=["food", "care"]), owner_id=None, cell_m=CELL
    )
    space = store.add_asset(
        session, make_draft(kind="space", themes=["food"]), owner_id=None, cell_m=CELL
    )
    store.add_asset(
        session, make_draft(kind="skill", themes=["digital"]), owner_id=None, cell_m=CELL
    )
    session.commit()
    assert ids(store.assets_in_bbox(session, AROUND, AssetFilter.parse(themes=["food"]))) == [
        group.id,
        space.id,
    ]
    assert ids(
        store.assets_in_bbox(session, AROUND, AssetFilter.parse(kinds=["space"], themes=["food"]))
    ) == [space.id]
    assert ids(
        store.assets_near(session, -2.3213, 51.23, 100, AssetFilter.parse(themes=["care", "food"]))
    ) == [group.id, space.id]


def test_read_layer_is_a_public_geodataframe(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    store.add_asset(
        session,
        make_draft(kind="skill", contact="07700 900123", lon=-2.321234, lat=51.230987),
        owner_id=None,
        cell_m=CELL,
    )
    session.commit()
    layer = store.read_layer(session)
    assert layer.crs.to_epsg() == 4326
    assert "contact" not in layer.columns and "owner_id" not in layer.columns
    point = layer.geometry.iloc[0]
    assert (point.x, point.y) != (-2.321234, 51.230987)
    assert layer.iloc[0]["kind"] == "skill"


def test_bbox_is_exact_at_its_edges(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    inside = store.add_asset(session, make_draft(lon=-2.30, lat=51.22), owner_id=None, cell_m=CELL)
    store.add_asset(session, make_draft(lon=-2.2999999, lat=51.22), owner_id=None, cell_m=CELL)
    session.commit()
    assert ids(store.assets_in_bbox(session, BBox(-2.31, 51.21, -2.30, 51.23))) == [inside.id]


def test_half_a_move_is_refused_and_names_the_missing_coordinate(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(kind="skill"), owner_id=None, cell_m=CELL)
    session.commit()
    with pytest.raises(ValidationError) as caught:
        store.update_asset(session, asset.id, {"lon": -2.3}, by=None, cell_m=CELL)
    assert caught.value.errors == {"lat": "give lon and lat together to move a strength"}


def test_many_assets_are_read_by_id_in_one_go_whatever_their_status(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = users.create_user(session, "ann@example.org")
    kept = store.add_asset(session, make_draft(title="Kept"), owner_id=owner.id, cell_m=CELL)
    gone = store.add_asset(session, make_draft(title="Gone"), owner_id=owner.id, cell_m=CELL)
    store.withdraw_asset(session, gone.id, by=owner.id)
    session.commit()
    found = store.get_assets(session, [gone.id, kept.id, kept.id, 9_999])
    assert {i: a.title for i, a in found.items()} == {kept.id: "Kept", gone.id: "Gone"}
    assert found[gone.id].status is Status.WITHDRAWN
    assert store.get_assets(session, []) == {}
