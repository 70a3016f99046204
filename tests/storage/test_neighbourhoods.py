from __future__ import annotations

from collections.abc import Callable

from shapely.geometry import Polygon, box
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.storage import assets as store
from assetmap.storage.neighbourhoods import (
    Area,
    locate,
    neighbourhood_layer,
    replace_neighbourhoods,
)

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))


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
