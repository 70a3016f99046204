from __future__ import annotations

import pytest

from assetmap.domain.geo import distance_m
from assetmap.domain.places import Place
from assetmap.exchange.gazetteer import OfflineGazetteer

GAZETTEER = OfflineGazetteer(
    [
        Place("Market Place", "place", -2.3213, 51.2296),
        Place("Cheap Street", "street", -2.3204, 51.22915),
        Place("BA11 1BN", "postcode", -2.3184, 51.2287),
    ]
)


def test_the_nearest_street_or_place_is_found_with_its_distance() -> None:
    found = GAZETTEER.nearest(-2.3203, 51.2291)
    assert found is not None
    place, metres = found
    assert place.name == "Cheap Street"
    assert metres == pytest.approx(distance_m(-2.3203, 51.2291, -2.3204, 51.22915), abs=0.01)


def test_a_postcode_is_not_what_a_point_is_described_by() -> None:
    found = GAZETTEER.nearest(-2.3184, 51.2287)
    assert found is not None and found[0].name == "Cheap Street"


def test_a_postcode_is_found_when_asked_for() -> None:
    found = GAZETTEER.nearest(-2.3184, 51.2287, kinds=("postcode",))
    assert found == (Place("BA11 1BN", "postcode", -2.3184, 51.2287), 0.0)


def test_a_gazetteer_without_such_places_finds_none() -> None:
    assert OfflineGazetteer([]).nearest(-2.32, 51.23) is None


def test_a_point_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="lat must be between -90 and 90"):
        GAZETTEER.nearest(-2.32, 91.0)
