from __future__ import annotations

from pathlib import Path

import pytest

from assetmap.domain.places import Place, normalise_postcode
from assetmap.exchange.demo import default_folder
from assetmap.exchange.gazetteer import OfflineGazetteer

GAZETTEER = OfflineGazetteer(
    [
        Place("Market Place", "street", -2.3213, 51.2296),
        Place("Market Place", "place", -2.3213, 51.2296),
        Place("Victoria Park", "place", -2.3150, 51.2290),
        Place("Park Road", "street", -2.3100, 51.2250),
        Place("BA11 1JP", "postcode", -2.3213, 51.2296),
        Place("BA11", "postcode", -2.3180, 51.2297),
    ]
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


def test_postcode_is_found_however_it_is_typed() -> None:
    assert [p.name for p in GAZETTEER.lookup("ba111jp")] == ["BA11 1JP"]


def test_exact_names_come_before_partial_ones() -> None:
    assert [p.name for p in GAZETTEER.lookup("park")] == ["Park Road", "Victoria Park"]


def test_punctuation_and_case_do_not_matter() -> None:
    assert GAZETTEER.lookup("market place!")[0].name == "Market Place"


def test_unknown_place_finds_nothing() -> None:
    assert GAZETTEER.lookup("Atlantis") == []


@pytest.mark.parametrize("text", ["", "   ", "x" * 101])
def test_unusable_text_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        GAZETTEER.lookup(text)


def test_shipped_gazetteer_reads(tmp_path: Path) -> None:
    gazetteer = OfflineGazetteer.from_csv(default_folder() / "gazetteer.csv")
    assert gazetteer.lookup("Market Place")[0].kind == "place"


def test_bad_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("name,kind,lon,lat\nSomewhere,place,-2.3,95\n")
    with pytest.raises(ValueError, match="g.csv line 2: lat must be between -90 and 90"):
        OfflineGazetteer.from_csv(path)
