from __future__ import annotations

from pyproj import Geod
from shapely.geometry import LineString, box

from assetmap.domain.geo import BBox
from assetmap.domain.outlines import clipped, grown, lies_within

GEOD = Geod(ellps="WGS84")
WEST = box(-2.34, 51.22, -2.32, 51.24)
EAST = box(-2.32, 51.22, -2.30, 51.24)
FAR = box(-2.26, 51.22, -2.25, 51.24)


def east_of(lon: float, lat: float, metres: float) -> float:
    return float(GEOD.fwd(lon, lat, 90, metres)[0])


def test_an_outline_straying_less_than_the_tolerance_lies_within() -> None:
    stray = box(-2.34, 51.22, east_of(-2.32, 51.23, 10), 51.24)
    assert lies_within(stray, [WEST], 25)


def test_an_outline_straying_more_than_the_tolerance_does_not_lie_within() -> None:
    stray = box(-2.34, 51.22, east_of(-2.32, 51.23, 40), 51.24)
    assert not lies_within(stray, [WEST], 25)


def test_a_thin_corridor_to_a_far_area_does_not_lie_within() -> None:
    corridor = LineString([(-2.33, 51.23), (-2.255, 51.23)]).buffer(0.0001)
    assert not lies_within(WEST.union(corridor), [WEST, FAR], 25)


def test_an_outline_over_two_touching_areas_lies_within_both() -> None:
    assert lies_within(box(-2.335, 51.225, -2.305, 51.235), [WEST, EAST], 25)


def test_an_outline_lies_within_no_areas_at_all() -> None:
    assert not lies_within(WEST, [], 25)


def test_a_grown_box_holds_every_point_within_the_margin() -> None:
    frame = grown(BBox(-2.34, 51.22, -2.30, 51.24), 500)
    for bearing, lon, lat in ((0, -2.32, 51.24), (90, -2.30, 51.23), (225, -2.34, 51.22)):
        out_lon, out_lat, _ = GEOD.fwd(lon, lat, bearing, 499)
        assert frame.contains(out_lon, out_lat)


def test_clipping_keeps_the_part_inside_the_frame() -> None:
    kept = clipped(box(-2.34, 51.22, -2.20, 51.24), BBox(-2.35, 51.2, -2.30, 51.3))
    assert kept is not None and kept.equals(box(-2.34, 51.22, -2.30, 51.24))
    assert kept.exterior.is_ccw


def test_clipping_an_outline_outside_the_frame_leaves_nothing() -> None:
    assert clipped(FAR, BBox(-2.35, 51.2, -2.30, 51.3)) is None


def test_an_area_lies_within_itself() -> None:
    assert lies_within(WEST, [WEST], 25)
