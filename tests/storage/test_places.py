from __future__ import annotations

import pytest
from sqlalchemy import orm

from assetmap.domain.geo import distance_m
from assetmap.domain.places import Place
from assetmap.storage.places import (
    StoredGazetteer,
    add_places,
    count_places,
    lookup_places,
    nearest_place,
    not_held,
)
from tests.exchange.places_files import empty_gazetteer

PLACES = [
    Place("Market Place", "street", -2.3213, 51.2296),
    Place("Market Place", "place", -2.3213, 51.2296),
    Place("Victoria Park", "place", -2.3150, 51.2290),
    Place("Park Road", "street", -2.3100, 51.2250),
    Place("BA11 1JP", "postcode", -2.3213, 51.2296),
    Place("BA11", "postcode", -2.3180, 51.2297),
    Place("St John's Road", "street", -2.3190, 51.2330),
    Place("Café Lane", "street", -2.3230, 51.2280),
    Place("Cheap Street", "street", -2.3204, 51.22915),
    Place("Parkway 50%", "street", -2.3300, 51.2200),
]


@pytest.fixture
def gazetteer(session: orm.Session) -> orm.Session:
    empty_gazetteer(session)
    add_places(session, PLACES)
    session.commit()
    return session


def names(session: orm.Session, text: str, limit: int = 5) -> list[str]:
    return [place.name for place in lookup_places(session, text, limit)]


def test_a_postcode_is_found_however_it_is_typed(gazetteer: orm.Session) -> None:
    assert names(gazetteer, "ba111jp") == ["BA11 1JP"]


def test_exact_names_come_before_partial_ones(gazetteer: orm.Session) -> None:
    assert names(gazetteer, "park") == ["Park Road", "Parkway 50%", "Victoria Park"]


def test_a_name_at_one_point_is_listed_once_place_before_street(gazetteer: orm.Session) -> None:
    found = lookup_places(gazetteer, "market place!")
    assert [(p.name, p.kind) for p in found] == [("Market Place", "place")]


@pytest.mark.parametrize(
    "text", ["St John's Road", "st johns road", "ST. JOHNS ROAD", "St Johns Rd", "st john"]
)
def test_a_street_is_found_ignoring_case_apostrophes_and_full_stops(
    gazetteer: orm.Session, text: str
) -> None:
    assert names(gazetteer, text) == ["St John's Road"]


@pytest.mark.parametrize("text", ["cafe lane", "CAFÉ", "Cafe"])
def test_accents_do_not_matter(gazetteer: orm.Session, text: str) -> None:
    assert names(gazetteer, text) == ["Café Lane"]


def test_wildcards_typed_are_only_letters(gazetteer: orm.Session) -> None:
    assert names(gazetteer, "p_rk") == []
    assert names(gazetteer, "50%") == ["Parkway 50%"]


def test_the_limit_is_kept(gazetteer: orm.Session) -> None:
    assert names(gazetteer, "p", limit=2) == ["Park Road", "Parkway 50%"]


def test_an_unknown_place_finds_nothing(gazetteer: orm.Session) -> None:
    assert names(gazetteer, "Atlantis") == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 101])
def test_unusable_text_is_refused(gazetteer: orm.Session, text: str) -> None:
    with pytest.raises(ValueError):
        StoredGazetteer(gazetteer).lookup(text)


def test_the_nearest_street_or_place_is_found_with_its_distance(gazetteer: orm.Session) -> None:
    found = nearest_place(gazetteer, -2.3203, 51.2291)
    assert found is not None
    place, metres = found
    assert place.name == "Cheap Street"
    assert metres == pytest.approx(distance_m(-2.3203, 51.2291, -2.3204, 51.22915), abs=0.01)


def test_a_postcode_is_not_what_a_point_is_described_by(gazetteer: orm.Session) -> None:
    found = nearest_place(gazetteer, -2.3180, 51.2297)
    assert found is not None and found[0].kind in ("street", "place")


def test_a_postcode_is_found_when_asked_for(gazetteer: orm.Session) -> None:
    found = StoredGazetteer(gazetteer).nearest(-2.3180, 51.2297, kinds=("postcode",))
    assert found == (Place("BA11", "postcode", -2.3180, 51.2297), 0.0)


@pytest.mark.parametrize("lon", [-2.0, 0.5, 20.0])
def test_the_nearest_place_far_away_is_found_by_widening(
    gazetteer: orm.Session, lon: float
) -> None:
    found = nearest_place(gazetteer, lon, 51.2296)
    assert found is not None
    best = min(PLACES[:4] + PLACES[6:], key=lambda p: distance_m(lon, 51.2296, p.lon, p.lat))
    assert found[0].name == best.name
    assert found[1] == pytest.approx(distance_m(lon, 51.2296, best.lon, best.lat))


def test_a_nearer_place_just_outside_the_first_box_is_not_missed(session: orm.Session) -> None:
    empty_gazetteer(session)
    corner = Place("Corner", "place", -2.3213 + 0.0034, 51.2296 + 0.0021)
    straight = Place("Straight", "place", -2.3213, 51.2296 + 0.0029)
    add_places(session, [corner, straight])
    session.commit()
    found = nearest_place(session, -2.3213, 51.2296)
    assert distance_m(-2.3213, 51.2296, corner.lon, corner.lat) == pytest.approx(333, abs=1)
    assert found == (straight, pytest.approx(322.5, abs=1))


def test_a_gazetteer_without_such_places_finds_none(session: orm.Session) -> None:
    empty_gazetteer(session)
    assert nearest_place(session, -2.32, 51.23) is None


def test_a_point_out_of_range_is_refused(gazetteer: orm.Session) -> None:
    with pytest.raises(ValueError, match="lat must be between -90 and 90"):
        nearest_place(gazetteer, -2.32, 91.0)


def test_places_are_counted_by_kind(gazetteer: orm.Session) -> None:
    assert count_places(gazetteer) == {"postcode": 2, "place": 2, "street": 6}


def test_a_place_of_the_same_kind_and_name_nearby_is_already_held(
    gazetteer: orm.Session,
) -> None:
    nearby = Place("Cheap street", "street", -2.3206, 51.2292)
    elsewhere = Place("Cheap Street", "street", -2.4, 51.3)
    other_kind = Place("Cheap Street", "place", -2.3204, 51.22915)
    assert not_held(gazetteer, [nearby, elsewhere, other_kind]) == [elsewhere, other_kind]
