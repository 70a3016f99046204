from __future__ import annotations

import pytest

from assetmap.domain.places import (
    check_place,
    check_query,
    normalise,
    normalise_postcode,
    wanted_keys,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ba11 1jp", "BA11 1JP"),
        ("BA111JP", "BA11 1JP"),
        ("ba11", "BA11"),
        ("BA11 1", "BA11 1"),
        ("Market", None),
    ],
)
def test_postcodes_are_normalised(text: str, expected: str | None) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    ["St John's Road", "st johns road", "ST JOHN’S ROAD", "St. Johns Road", " st  johns road "],
)
def test_names_are_compared_without_case_apostrophes_or_full_stops(text: str) -> None:
    assert normalise(text) == "st johns road"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Café", "cafe"),
        ("Ōtautahi", "otautahi"),
        ("Market Place!", "market place"),
        ("Bath/Frome Road", "bath frome road"),
        ("50%_off", "50 off"),
    ],
)
def test_accents_go_and_other_punctuation_parts_words(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_a_last_word_abbreviation_is_also_read_in_full() -> None:
    assert wanted_keys("St. Johns Rd") == ("st johns rd", "st johns road")
    assert wanted_keys("St") == ("st",)


@pytest.mark.parametrize("text", ["", "   ", "x" * 101, "%%", "'''"])
def test_unusable_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        check_query(text)


@pytest.mark.parametrize(
    ("name", "kind", "lat", "message"),
    [
        ("Somewhere", "place", 95, "lat must be between -90 and 90"),
        ("Somewhere", "town", 51, "kind must be one of postcode, place, street, got 'town'"),
        ("...", "place", 51, "name must have a letter or a number in it"),
        ("x" * 201, "place", 51, "name must be at most 200 characters, got 201"),
    ],
)
def test_a_place_to_store_is_checked(name: str, kind: str, lat: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_place(name, kind, -2.3, lat)
