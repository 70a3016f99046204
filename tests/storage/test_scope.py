from __future__ import annotations

import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.catchments import (
    Catchment,
    How,
    neighbourhood_catchment,
    polygon_catchment,
    radius_catchment,
)
from assetmap.storage import checks
from assetmap.storage.models import Neighbourhood
from assetmap.storage.neighbourhoods import Area, neighbourhoods_reached, replace_neighbourhoods

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
# About 7 m of longitude at this latitude.
STRAY = 0.0001


def ids(session: orm.Session) -> dict[str, int]:
    replace_neighbourhoods(session, [WEST, EAST])
    session.commit()
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
    return {code: n for code, n in rows}


def test_an_outline_inside_one_neighbourhood_reaches_only_it(session: orm.Session) -> None:
    known = ids(session)
    assert neighbourhoods_reached(session, box(-2.335, 51.225, -2.325, 51.235)) == {known["west"]}


def test_an_outline_along_a_neighbourhoods_edge_reaches_only_it(session: orm.Session) -> None:
    known = ids(session)
    assert neighbourhoods_reached(session, WEST.boundary) == {known["west"]}
    assert neighbourhoods_reached(session, box(-2.34, 51.22, -2.32 + STRAY, 51.24)) == {
        known["west"]
    }


def test_an_outline_over_two_neighbourhoods_reaches_both(session: orm.Session) -> None:
    known = ids(session)
    reached = neighbourhoods_reached(session, box(-2.33, 51.225, -2.31, 51.235))
    assert reached == {known["west"], known["east"]}


def test_an_outline_past_every_neighbourhood_reaches_land_in_none(session: orm.Session) -> None:
    known = ids(session)
    reached = neighbourhoods_reached(session, box(-2.31, 51.225, -2.29, 51.235))
    assert reached == {known["east"], None}


def test_a_tiny_outline_reaches_the_neighbourhood_it_lies_in(session: orm.Session) -> None:
    known = ids(session)
    tiny = box(-2.3301, 51.2299, -2.3300, 51.2300)
    assert neighbourhoods_reached(session, tiny) == {known["west"]}


def test_a_radius_catchment_reaches_what_its_circle_covers(session: orm.Session) -> None:
    known = ids(session)
    small, _ = radius_catchment(-2.33, 51.23, 300)
    large, _ = radius_catchment(-2.325, 51.23, 600)
    assert checks.catchment_neighbourhoods(session, small) == {known["west"]}
    assert checks.catchment_neighbourhoods(session, large) == {known["west"], known["east"]}


def test_a_drawn_catchment_reaches_what_it_overlaps(session: orm.Session) -> None:
    known = ids(session)
    drawn, _ = polygon_catchment(
        {
            "type": "Polygon",
            "coordinates": [[[-2.31, 51.225], [-2.305, 51.225], [-2.305, 51.23], [-2.31, 51.225]]],
        }
    )
    assert checks.catchment_neighbourhoods(session, drawn) == {known["east"]}


def test_a_catchment_of_neighbourhoods_reaches_those_it_names(session: orm.Session) -> None:
    known = ids(session)
    named, _ = neighbourhood_catchment(["east"], checks.neighbourhood_areas(session))
    assert checks.catchment_neighbourhoods(session, named) == {known["east"]}
    gone = Catchment(How.NEIGHBOURHOODS, area=WEST.boundary, neighbourhoods=(("old", "Old"),))
    assert checks.catchment_neighbourhoods(session, gone) == {None}
