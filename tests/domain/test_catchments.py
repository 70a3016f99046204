from __future__ import annotations

import numpy as np
import orjson
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Point, Polygon, box

from assetmap.domain.catchments import (
    Catchment,
    How,
    NamedArea,
    neighbourhood_catchment,
    polygon_catchment,
    radius_catchment,
)
from assetmap.domain.geo import BBox

AREA = BBox(-2.42, 51.19, -2.24, 51.27)
SQUARE = [[-2.33, 51.22], [-2.31, 51.22], [-2.31, 51.24], [-2.33, 51.24], [-2.33, 51.22]]
GEOD = Geod(ellps="WGS84")


def polygon(*rings: list[list[float]]) -> str:
    return orjson.dumps({"type": "Polygon", "coordinates": list(rings)}).decode()


def test_a_well_formed_polygon_is_taken_as_it_is() -> None:
    catchment, notes = polygon_catchment(polygon(SQUARE), AREA)
    assert catchment.how is How.POLYGON
    assert catchment.area is not None and catchment.area.equals(box(-2.33, 51.22, -2.31, 51.24))
    assert notes == []


def test_an_unclosed_ring_is_closed_and_the_person_told() -> None:
    catchment, notes = polygon_catchment(polygon(SQUARE[:-1]), AREA)
    assert catchment.area is not None and catchment.area.equals(box(-2.33, 51.22, -2.31, 51.24))
    assert notes == ["The outline was not closed; its last point now joins its first."]


def test_repeated_points_are_removed_and_the_person_told() -> None:
    ring = [SQUARE[0], SQUARE[1], SQUARE[1], SQUARE[2], SQUARE[3], SQUARE[3], SQUARE[4]]
    catchment, notes = polygon_catchment(polygon(ring), AREA)
    assert catchment.area is not None and len(catchment.area.exterior.coords) == 5
    assert notes == ["2 repeated points were removed."]


def test_a_clockwise_outline_is_turned_and_covers_the_same_area() -> None:
    catchment, notes = polygon_catchment(polygon(SQUARE[::-1]), AREA)
    assert catchment.area is not None and catchment.area.exterior.is_ccw
    assert catchment.area.equals(box(-2.33, 51.22, -2.31, 51.24))
    assert notes == [
        "The outline ran clockwise; it now runs anticlockwise. It covers the same area."
    ]


def test_a_hole_with_the_wrong_winding_is_turned_and_still_left_out() -> None:
    hole = [[-2.325, 51.225], [-2.315, 51.225], [-2.315, 51.235], [-2.325, 51.235]]
    catchment, notes = polygon_catchment(polygon(SQUARE, [*hole, hole[0]]), AREA)
    assert catchment.area is not None and not catchment.area.interiors[0].is_ccw
    inside = catchment.contains(np.array([-2.32, -2.328]), np.array([51.23, 51.23]))
    assert inside.tolist() == [False, True]
    assert notes == [
        "A hole ran anticlockwise; it now runs clockwise. It leaves out the same area."
    ]


def test_a_feature_collection_from_a_drawing_tool_is_read() -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": orjson.loads(polygon(SQUARE))}
    text = orjson.dumps({"type": "FeatureCollection", "features": [feature]}).decode()
    catchment, _ = polygon_catchment(text, AREA)
    assert isinstance(catchment.area, Polygon)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "draw the catchment on the map, or paste it as GeoJSON"),
        ('{"type": "Polygon", "coordinates": []}', "is empty"),
        ('{"type": "Polygon", "coordinates": [[]]}', "is empty"),
        (polygon([[-2.33, 51.22], [-2.32, 51.22], [-2.31, 51.22]]), "is empty"),
        (polygon([[-2.33, 51.22], [-2.33, 51.22], [-2.31, 51.24]]), "is empty"),
    ],
)
def test_an_empty_polygon_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        polygon_catchment(text, AREA)


def test_a_self_intersecting_polygon_is_refused() -> None:
    bow_tie = [[-2.33, 51.22], [-2.31, 51.24], [-2.31, 51.22], [-2.33, 51.24], [-2.33, 51.22]]
    with pytest.raises(ValueError, match="it crosses itself"):
        polygon_catchment(polygon(bow_tie), AREA)


def test_a_polygon_outside_the_area_is_refused() -> None:
    far = [[0.1, 51.5], [0.2, 51.5], [0.2, 51.6], [0.1, 51.5]]
    with pytest.raises(ValueError, match="outside the area this assetmap covers"):
        polygon_catchment(polygon(far), AREA)


def test_a_polygon_reaching_just_past_the_area_is_kept_whole_with_a_note() -> None:
    edge = [[-2.25, 51.22], [-2.237, 51.22], [-2.237, 51.24], [-2.25, 51.22]]
    catchment, notes = polygon_catchment(polygon(edge), AREA)
    assert catchment.area is not None and catchment.area.equals(Polygon(edge))
    assert notes == [
        "Part of the catchment lies outside the area this assetmap covers; nothing is mapped there."
    ]


def test_a_polygon_reaching_far_past_the_area_is_trimmed_to_it_and_its_edge_band() -> None:
    edge = [[-2.25, 51.22], [-2.20, 51.22], [-2.20, 51.24], [-2.25, 51.22]]
    catchment, notes = polygon_catchment(polygon(edge), AREA)
    assert catchment.area is not None
    east = catchment.area.bounds[2]
    assert GEOD.inv(-2.24, 51.23, east, 51.23)[2] == pytest.approx(500, abs=10)
    assert catchment.area.equals(Polygon(edge).intersection(box(-2.25, 51.0, east, 52.0)))
    assert notes == [
        "Part of the catchment lies outside the area this assetmap covers; "
        "nothing is mapped there.",
        "The catchment was trimmed to the area and the 500 metres around it, "
        "as far as a check looks past its edge.",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "is not GeoJSON"),
        ('{"type": "Point", "coordinates": [-2.3, 51.2]}', "must be a Polygon or MultiPolygon"),
        (polygon([[-2.33, 51.22], [-2.31, 95.0], [-2.31, 51.22], [-2.33, 51.22]]), "out of range"),
    ],
)
def test_text_that_is_not_a_polygon_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        polygon_catchment(text, AREA)


def test_neighbourhoods_make_the_union_of_their_boundaries() -> None:
    known = {
        "west": NamedArea("West End", box(-2.34, 51.22, -2.32, 51.24)),
        "east": NamedArea("East Side", box(-2.32, 51.22, -2.30, 51.24)),
        "far": NamedArea("Far Away", box(-2.26, 51.22, -2.25, 51.24)),
    }
    catchment, _ = neighbourhood_catchment(["west", "east"], known)
    assert catchment.area is not None and catchment.area.equals(box(-2.34, 51.22, -2.30, 51.24))
    assert catchment.neighbourhoods == (("west", "West End"), ("east", "East Side"))
    apart, _ = neighbourhood_catchment(["west", "far"], known)
    assert isinstance(apart.area, MultiPolygon)


def test_an_unknown_neighbourhood_is_refused() -> None:
    known = {"west": NamedArea("West End", box(-2.34, 51.22, -2.32, 51.24))}
    with pytest.raises(ValueError, match="'atlantis' is not a neighbourhood"):
        neighbourhood_catchment(["west", "atlantis"], known)


def test_a_radius_holds_the_points_within_it_geodesically() -> None:
    catchment, _ = radius_catchment(-2.32, 51.23, 800, AREA)
    lons, lats, _ = GEOD.fwd([-2.32] * 4, [51.23] * 4, [0, 90, 180, 270], [799, 801, 799.9, 900])
    assert catchment.contains(np.array(lons), np.array(lats)).tolist() == [
        True,
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((-2.32, 51.23, 0), "radius_m must be"),
        ((-2.32, 51.23, "far"), "radius_m must be"),
        ((-2.32, "", 800), "lat is required"),
        ((0.1, 51.5, 800), "centre is outside the area"),
    ],
)
def test_a_bad_radius_names_what_is_wrong(values: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        radius_catchment(*values, AREA)


def test_distance_to_a_polygon_edge_is_geodesic() -> None:
    catchment, _ = polygon_catchment(polygon(SQUARE), AREA)
    east_lon, _, _ = GEOD.fwd(-2.31, 51.23, 90, 300)
    north_lon, north_lat, _ = GEOD.fwd(-2.32, 51.24, 0, 250)
    distances = catchment.edge_distances(np.array([east_lon, -2.32]), np.array([51.23, north_lat]))
    assert distances == pytest.approx([300, 250], abs=0.5)


def test_distance_to_a_circle_edge_is_geodesic() -> None:
    catchment, _ = radius_catchment(-2.32, 51.23, 800, AREA)
    lon, lat, _ = GEOD.fwd(-2.32, 51.23, 45, 1100)
    assert catchment.edge_distances(np.array([lon]), np.array([lat])) == pytest.approx([300])


def test_the_search_box_holds_every_point_near_the_edge() -> None:
    catchment, _ = polygon_catchment(polygon(SQUARE), AREA)
    found = catchment.search_box(500)
    for lon, lat, bearing in ((-2.33, 51.22, 225), (-2.31, 51.24, 45), (-2.31, 51.22, 135)):
        out_lon, out_lat, _ = GEOD.fwd(lon, lat, bearing, 499)
        assert found.contains(out_lon, out_lat)


def test_a_catchment_reads_back_as_it_was_written() -> None:
    for catchment, _ in (
        polygon_catchment(polygon(SQUARE), AREA),
        radius_catchment(-2.32, 51.23, 800, AREA),
    ):
        again = Catchment.from_json(orjson.loads(orjson.dumps(catchment.as_json())))
        assert again.how is catchment.how
        assert again.outline().equals(catchment.outline())


def test_a_circle_outline_lies_on_its_radius() -> None:
    catchment, _ = radius_catchment(-2.32, 51.23, 800, AREA)
    ring = np.array(catchment.outline().exterior.coords)
    _, _, distances = GEOD.inv(np.full(len(ring), -2.32), np.full(len(ring), 51.23), *ring.T)
    assert distances == pytest.approx(np.full(len(ring), 800.0))
    assert catchment.outline().contains(Point(-2.32, 51.23))


def comb(teeth: int, north: float) -> Polygon:
    west, east, south = -2.40, -2.26, 51.20
    step = (east - west) / teeth
    ring: list[tuple[float, float]] = []
    for i in range(teeth):
        x = west + i * step
        ring += [(x, south + 0.01), (x, north), (x + step / 2, north), (x + step / 2, south + 0.01)]
    return Polygon([*ring, (east, south), (west, south)])


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(comb(12, 51.26), id="a comb"),
        pytest.param(comb(3, 51.4), id="a comb with teeth tens of kilometres long"),
        pytest.param(
            Polygon(
                Point(-2.32, 51.23).buffer(0.02, 64).exterior.coords,
                [box(-2.33, 51.225, -2.31, 51.235).exterior.coords],
            ),
            id="a ring round a hole",
        ),
    ],
)
def test_distance_to_any_outline_is_the_geodesic_distance_to_its_nearest_edge_point(
    shape: Polygon,
) -> None:
    rng = np.random.default_rng(3)
    lons, lats = rng.uniform(-2.42, -2.24, 20), rng.uniform(51.19, 51.27, 20)
    catchment = Catchment(How.POLYGON, area=shape)
    walk = shapely.get_coordinates(shapely.segmentize(shape.boundary, 0.00003))
    nearest = [
        GEOD.inv(np.full(len(walk), lon), np.full(len(walk), lat), walk[:, 0], walk[:, 1])[2].min()
        for lon, lat in zip(lons, lats, strict=True)
    ]
    assert catchment.edge_distances(lons, lats) == pytest.approx(nearest, abs=0.2)
