from __future__ import annotations

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box

from assetmap.domain.area import Area, OutlinedArea
from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.outlines import grown_union

GEOD = Geod(ellps="WGS84")
TOWN = box(-2.34, 51.22, -2.30, 51.24)


def east_of(lon: float, lat: float, metres: float) -> float:
    return float(GEOD.fwd(lon, lat, 90, metres)[0])


def grown_town(margin_m: float) -> OutlinedArea:
    return OutlinedArea(grown_union([TOWN], margin_m))


def group_at(lon: float, lat: float, area: Area | None) -> None:
    raw = {"kind": "group", "title": "Choir", "themes": ["arts"], "lon": lon, "lat": lat}
    validate_asset(raw, area=area)


def test_a_point_within_the_margin_lies_in_the_grown_area() -> None:
    assert grown_town(500).contains(east_of(-2.30, 51.23, 450), 51.23)


def test_a_point_past_the_margin_lies_outside_the_grown_area() -> None:
    assert not grown_town(500).contains(east_of(-2.30, 51.23, 550), 51.23)


def test_a_point_in_the_box_but_off_the_outline_lies_outside() -> None:
    ell = OutlinedArea(box(0, 0, 2, 1).union(box(0, 0, 1, 2)))
    assert ell.bbox == BBox(0, 0, 2, 2)
    assert ell.bbox.contains(1.5, 1.5)
    assert not ell.contains(1.5, 1.5)


def test_the_edge_of_an_outline_counts_as_inside() -> None:
    assert OutlinedArea(TOWN).contains(-2.30, 51.23)


def test_an_outline_opens_maps_on_its_bounds() -> None:
    assert OutlinedArea(TOWN).bbox == BBox(-2.34, 51.22, -2.30, 51.24)


@pytest.mark.parametrize(
    "shape", [Point(0, 0), LineString([(0, 0), (1, 1)]), box(0, 0, 1, 1).boundary]
)
def test_an_area_that_is_no_polygon_is_refused(shape: object) -> None:
    with pytest.raises(ValueError, match="an area must be a polygon"):
        OutlinedArea(shape)  # type: ignore[arg-type]


def test_a_box_is_an_area_of_its_own_bounds() -> None:
    frame = BBox(-2.42, 51.19, -2.24, 51.27)
    assert frame.bbox is frame


def test_validation_refuses_a_strength_outside_an_outlined_area() -> None:
    with pytest.raises(ValidationError) as caught:
        group_at(east_of(-2.30, 51.23, 900), 51.23, grown_town(500))
    assert caught.value.errors == {"location": "is outside the area this assetmap covers"}


def test_validation_accepts_a_strength_inside_an_outlined_area() -> None:
    group_at(east_of(-2.30, 51.23, 100), 51.23, grown_town(500))


def test_validation_with_no_area_accepts_anywhere() -> None:
    group_at(151.2, -33.9, None)
