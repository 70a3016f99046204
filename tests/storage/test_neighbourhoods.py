from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from shapely.geometry import Polygon, box
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Role
from assetmap.storage import assets as store
from assetmap.storage.area import stored_area
from assetmap.storage.models import Neighbourhood, User, UserScope
from assetmap.storage.neighbourhoods import (
    Area,
    Changed,
    Named,
    Refiled,
    locate,
    neighbourhood_layer,
    plan_neighbourhoods,
    replace_neighbourhoods,
    store_neighbourhoods,
)

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
NORTH = Area("north", "North Hill", box(-2.34, 51.24, -2.30, 51.26))


def test_assets_are_filed_under_their_neighbourhood(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    replace_neighbourhoods(session, [WEST, EAST])
    west = store.add_asset(session, make_draft(lon=-2.33, lat=51.23), owner_id=None, cell_m=400)
    store.add_assets(session, [make_draft(lon=-2.31, lat=51.23)] * 2, owner_id=None, cell_m=400)
    outside = store.add_asset(session, make_draft(lon=-2.20, lat=51.23), owner_id=None, cell_m=400)
    session.commit()
    assert west.neighbourhood.code == "west"
    assert outside.neighbourhood_id is None
    layer = neighbourhood_layer(session)
    assert layer.crs.to_epsg() == 4326
    assert dict(zip(layer["code"], layer["assets"], strict=True)) == {"east": 2, "west": 1}


def test_moving_an_asset_moves_its_neighbourhood(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    replace_neighbourhoods(session, [WEST, EAST])
    asset = store.add_asset(session, make_draft(lon=-2.33, lat=51.23), owner_id=None, cell_m=400)
    store.update_asset(session, asset.id, {"lon": -2.31, "lat": 51.23}, by=None, cell_m=400)
    session.commit()
    assert asset.neighbourhood.code == "east"


def test_replacing_neighbourhoods_refiles_assets(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    asset = store.add_asset(session, make_draft(lon=-2.33, lat=51.23), owner_id=None, cell_m=400)
    session.commit()
    assert asset.neighbourhood_id is None
    replace_neighbourhoods(session, [WEST])
    session.commit()
    session.refresh(asset)
    assert asset.neighbourhood.code == "west"


def test_a_bow_tie_boundary_is_mended(session: orm.Session) -> None:
    bow_tie = Polygon([(-2.34, 51.22), (-2.30, 51.24), (-2.30, 51.22), (-2.34, 51.24)])
    replace_neighbourhoods(session, [Area("tie", "Bow Tie", bow_tie)])
    session.commit()
    assert locate(session, [-2.335, -2.32], [51.23, 51.2301]) != [None, None]


def stored_ids(session: orm.Session) -> dict[str, int]:
    return dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())


def planner_limited_to(session: orm.Session, email: str, *ids: int) -> User:
    user = User(
        email=email, role=Role.PLANNER, scope_rows=[UserScope(neighbourhood_id=n) for n in ids]
    )
    session.add(user)
    session.flush()
    return user


def test_storing_again_keeps_the_ids_of_neighbourhoods_kept_by_code(session: orm.Session) -> None:
    replace_neighbourhoods(session, [WEST, EAST])
    session.commit()
    before = stored_ids(session)
    replace_neighbourhoods(
        session, [Area("east", "East Side", box(-2.32, 51.22, -2.29, 51.24)), NORTH]
    )
    session.commit()
    after = stored_ids(session)
    assert after["east"] == before["east"]
    assert set(after) == {"east", "north"}


def test_the_plan_says_what_is_added_changed_removed_and_kept(session: orm.Session) -> None:
    replace_neighbourhoods(session, [WEST, EAST, NORTH])
    session.commit()
    plan = plan_neighbourhoods(
        session,
        [
            Area("west", "West End", box(-2.35, 51.22, -2.32, 51.24)),
            Area("east", "Eastside", EAST.boundary),
            Area("south", "South Bank", box(-2.34, 51.20, -2.30, 51.22)),
        ],
    )
    assert plan.added == [Named("south", "South Bank")]
    assert plan.changed == [
        Changed("west", "West End", "West End", boundary=True),
        Changed("east", "Eastside", "East Side", boundary=False),
    ]
    assert plan.removed == [Named("north", "North Hill")]
    assert plan.kept == 0
    assert stored_ids(session).keys() == {"west", "east", "north"}


def test_the_same_neighbourhoods_again_change_nothing(session: orm.Session) -> None:
    replace_neighbourhoods(session, [WEST, EAST])
    session.commit()
    plan = plan_neighbourhoods(session, [WEST, EAST])
    assert (plan.added, plan.changed, plan.removed, plan.kept) == ([], [], [], 2)


def test_a_limited_planner_keeps_the_neighbourhoods_kept_and_loses_those_removed(
    session: orm.Session,
) -> None:
    replace_neighbourhoods(session, [WEST, EAST, NORTH])
    known = stored_ids(session)
    both = planner_limited_to(session, "both@example.org", known["west"], known["north"])
    session.commit()
    plan, _ = store_neighbourhoods(session, [WEST, EAST])
    session.commit()
    assert plan.scopes_lost == 1
    session.expire_all()
    assert both.neighbourhoods == {known["west"]}


def test_removing_every_neighbourhood_a_planner_is_limited_to_is_refused(
    session: orm.Session,
) -> None:
    """A planner limited to no neighbourhood is limited nowhere: removing their last one would
    let them work everywhere, so the whole change is refused and the planner named."""
    replace_neighbourhoods(session, [WEST, EAST, NORTH])
    known = stored_ids(session)
    only = planner_limited_to(session, "north@example.org", known["north"])
    session.commit()
    with pytest.raises(ValidationError) as refused:
        store_neighbourhoods(session, [WEST, EAST])
    session.rollback()
    reason = refused.value.errors["neighbourhoods"]
    assert "North Hill (north)" in reason and "north@example.org" in reason
    assert "set-role" in reason
    session.expire_all()
    assert stored_ids(session) == known
    assert only.neighbourhoods == {known["north"]}


def test_strengths_are_filed_again_and_under_none_where_none_holds_them(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    replace_neighbourhoods(session, [WEST, EAST])
    west = store.add_asset(session, make_draft(lon=-2.33, lat=51.23), owner_id=None, cell_m=400)
    east = store.add_asset(session, make_draft(lon=-2.31, lat=51.23), owner_id=None, cell_m=400)
    session.commit()
    _, refiled = store_neighbourhoods(
        session, [Area("west", "West End", box(-2.34, 51.22, -2.30, 51.24)), NORTH]
    )
    session.commit()
    session.expire_all()
    assert west.neighbourhood is not None and west.neighbourhood.code == "west"
    assert east.neighbourhood is not None and east.neighbourhood.code == "west"
    assert refiled == Refiled(moved=1, outside=0)
    _, refiled = store_neighbourhoods(session, [NORTH])
    session.commit()
    session.expire_all()
    assert (west.neighbourhood_id, east.neighbourhood_id) == (None, None)
    assert refiled == Refiled(moved=2, outside=2)


def test_the_service_area_is_worked_out_again_around_the_neighbourhoods(
    session: orm.Session,
) -> None:
    far = Area("far", "Far Away", box(-3.0, 51.0, -2.98, 51.02))
    replace_neighbourhoods(session, [far])
    replace_neighbourhoods(session, [EAST, NORTH])
    session.commit()
    stored = stored_area(session)
    assert stored is not None
    area = stored.outline
    assert area.covers(EAST.boundary) and area.covers(NORTH.boundary)
    assert not area.intersects(far.boundary)


def test_codes_given_twice_are_refused_and_nothing_changes(session: orm.Session) -> None:
    replace_neighbourhoods(session, [WEST])
    session.commit()
    with pytest.raises(ValidationError, match="given more than once: east"):
        store_neighbourhoods(session, [EAST, Area("east", "Again", NORTH.boundary)])
    session.rollback()
    assert stored_ids(session).keys() == {"west"}


def test_a_strength_in_a_removed_neighbourhood_moves_to_the_one_added_over_it(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    replace_neighbourhoods(session, [WEST])
    asset = store.add_asset(session, make_draft(lon=-2.33, lat=51.23), owner_id=None, cell_m=400)
    session.commit()
    _, refiled = store_neighbourhoods(session, [Area("new-west", "New West", WEST.boundary)])
    session.commit()
    session.expire_all()
    assert asset.neighbourhood is not None and asset.neighbourhood.code == "new-west"
    assert refiled == Refiled(moved=1, outside=0)
