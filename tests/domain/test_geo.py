from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetmap.domain.geo import GEOD, BBox, bbox_around, check_lon_lat, distances_m


@given(
    st.floats(min_value=-180, max_value=180),
    st.floats(min_value=-90, max_value=90),
    st.floats(min_value=1, max_value=2_000_000),
)
def test_box_holds_every_point_of_the_circle(lon: float, lat: float, radius: float) -> None:
    box = bbox_around(lon, lat, radius)
    azimuths = np.linspace(0, 360, 721)
    n = azimuths.size
    edge_lons, edge_lats, _ = GEOD.fwd(
        np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius * 0.9999)
    )
    for edge_lon, edge_lat in zip(edge_lons, edge_lats, strict=True):
        assert box.contains(edge_lon, edge_lat)


def test_box_near_the_antimeridian_spans_every_longitude() -> None:
    box = bbox_around(179.99, 10.0, 5_000)
    assert (box.min_lon, box.max_lon) == (-180.0, 180.0)


def test_box_reaching_a_pole_runs_to_it() -> None:
    box = bbox_around(20.0, 89.99, 5_000)
    assert box.max_lat == 90.0


def test_distances_are_geodesic_metres() -> None:
    # One degree of latitude at the equator is 110,574 m on WGS84.
    assert distances_m(0.0, 0.0, np.array([0.0]), np.array([1.0]))[0] == pytest.approx(
        110_574.4, abs=0.5
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,2,3", "expected minlon,minlat,maxlon,maxlat"),
        ("a,2,3,4", "minlon must be a number"),
        ("3,2,1,4", "min lon 3.0 is east of max lon 1.0"),
        ("1,5,3,4", "min lat 5.0 is north of max lat 4.0"),
        ("1,2,3,95", "lat must be between -90 and 90"),
    ],
)
def test_bad_bbox_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BBox.parse(text)


def test_bbox_parses() -> None:
    assert BBox.parse("-2.4, 51.1, -2.2, 51.3").as_tuple() == (-2.4, 51.1, -2.2, 51.3)


def test_coordinates_out_of_range_are_named() -> None:
    with pytest.raises(ValueError, match="lon must be between -180 and 180, got 200"):
        check_lon_lat(200, 0)
