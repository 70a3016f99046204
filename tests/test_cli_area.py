"""`flask area show`: the area in force, the neighbourhoods with their strengths, the gazetteer."""

from __future__ import annotations

import re
from pathlib import Path

from assetmap import create_app


def show(database_url: str, **config: object) -> str:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, **config})
    result = app.test_cli_runner().invoke(args=["area", "show"])
    assert result.exit_code == 0, result.output
    return result.output


def seeded(database_url: str) -> str:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return database_url


def test_a_database_without_neighbourhoods_is_said_to_take_strengths_anywhere(
    sqlite_url: str,
) -> None:
    said = show(sqlite_url)
    assert "Area: anywhere." in said
    assert "Neighbourhoods: none." in said
    assert "Gazetteer: 125 places (32 postcodes, 32 places, 61 streets)." in said


def test_the_demo_shows_its_derived_area_each_neighbourhood_and_its_strengths(
    sqlite_url: str,
) -> None:
    said = show(seeded(sqlite_url))
    assert "Area: the neighbourhoods and 2 km around them" in said
    assert "Neighbourhoods: 7, with their published strengths:" in said
    rows = {
        line.split()[0]: line.split()[-1]
        for line in said.splitlines()
        if line.startswith("  frome-")
    }
    assert rows["frome-market"] == "107"
    assert sum(int(count.replace(",", "")) for count in rows.values()) == 340
    assert re.search(r"^ +In no neighbourhood +0$", said, re.MULTILINE)


def test_a_configured_box_is_said_to_override_the_neighbourhoods(sqlite_url: str) -> None:
    said = show(seeded(sqlite_url), AREA_BBOX="-2.40,51.20,-2.25,51.26")
    assert "Area: the box ASSETMAP_AREA_BBOX sets, longitude -2.4000 to -2.2500" in said


def test_a_database_not_yet_made_is_refused_with_what_to_run(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    result = app.test_cli_runner().invoke(args=["area", "show"])
    assert result.exit_code != 0
    assert "run `flask --app assetmap init-db`" in result.output
