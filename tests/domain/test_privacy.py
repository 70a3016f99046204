from __future__ import annotations

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from assetmap.domain.geo import distance_m
from assetmap.domain.privacy import generalise_point, generalise_points, public_point, public_record

lons = st.floats(min_value=-179.9, max_value=179.9)
lats = st.floats(min_value=-80, max_value=80)
cells = st.sampled_from([100.0, 250.0, 400.0, 1000.0])


@given(lons, lats, cells)
def test_generalised_point_stays_within_its_cell(lon: float, lat: float, cell: float) -> None:
    glon, glat = generalise_point(lon, lat, cell)
    # The centre of a square cell is at most half its diagonal away, plus UTM's scale error.
    assert distance_m(lon, lat, glon, glat) <= cell * 0.7072 * 1.001 + 0.2


@given(lons, lats, cells)
def test_generalising_twice_changes_nothing_inside_a_utm_zone(
    lon: float, lat: float, cell: float
) -> None:
    # Each UTM zone has its own grid, so a cell centre just over a zone's edge may snap anew.
    assume(0.05 < (lon + 180) % 6 < 5.95)
    once = generalise_point(lon, lat, cell)
    assert distance_m(*once, *generalise_point(*once, cell)) < 0.2


def test_neighbours_in_one_cell_share_a_point() -> None:
    a = generalise_point(-2.32101, 51.23101, 400)
    b = generalise_point(-2.32104, 51.23099, 400)
    assert a == b


def test_skill_is_not_served_at_its_exact_point() -> None:
    lon, lat = -2.321234, 51.230987
    assert public_point("skill", lon, lat, 400) != (lon, lat)


def test_groups_and_spaces_keep_their_exact_point() -> None:
    assert public_point("group", -2.3212, 51.2301, 400) == (-2.3212, 51.2301)
    assert public_point("space", -2.3212, 51.2301, 400) == (-2.3212, 51.2301)


def test_vectorised_matches_single() -> None:
    lons, lats = np.array([-2.3, 0.5, 10.2]), np.array([51.2, -33.1, 60.0])
    glons, glats = generalise_points(lons, lats, 400)
    for i in range(3):
        assert (glons[i], glats[i]) == generalise_point(lons[i], lats[i], 400)


def test_public_record_drops_contact_and_owner() -> None:
    record = {
        "id": 1,
        "kind": "skill",
        "title": "Guitar",
        "lon": -2.3211,
        "lat": 51.2316,
        "contact": "07700 900123",
        "contact_via_coach": True,
        "owner_id": 7,
    }
    public = public_record(record)
    assert public == {"id": 1, "kind": "skill", "title": "Guitar", "lon": -2.3211, "lat": 51.2316}
