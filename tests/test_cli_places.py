"""`flask area import-places`, and the gazetteer it builds answering the web, on SQLite and
PostGIS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from shapely.geometry import box

from assetmap import create_app
from assetmap.storage import database as storage_db
from assetmap.storage.area import refresh_area
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.storage.places import count_places
from assetmap.web import db
from tests.exchange import places_files as files
from tests.exchange.places_files import empty_gazetteer, lon_lat
from tests.web.helpers import signed_in
from tests.web.test_strengths import Steps


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    with database.session() as session:
        empty_gazetteer(session)
        replace_neighbourhoods(session, [])
        refresh_area(session)
        session.commit()
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["area", "import-places", *args])


def held(app: Flask) -> dict[str, int]:
    with app.app_context(), db.database().session() as session:
        return count_places(session)


def with_neighbourhood(app: Flask) -> None:
    """Store one neighbourhood 2 km across around the town centre; the area grows from it."""
    with app.app_context(), db.database().session() as session:
        outline = box(*lon_lat(-1_000.0, -1_000.0), *lon_lat(1_000.0, 1_000.0))
        replace_neighbourhoods(session, [Area("centre", "Centre", outline)])
        refresh_area(session)
        session.commit()


def test_an_extract_builds_the_gazetteer_and_says_what_it_added(app: Flask, tmp_path: Path) -> None:
    result = run(app, str(files.osm_extract(tmp_path / "town.osm.pbf")))
    assert result.exit_code == 0, result.output
    assert "Read town.osm.pbf as OpenStreetMap extract." in result.output
    assert "3 streets added." in result.output
    assert held(app) == {"postcode": 1, "place": 2, "street": 3}


def test_a_street_typed_as_people_type_it_is_found_after_import(app: Flask, tmp_path: Path) -> None:
    run(app, str(files.osm_extract(tmp_path / "town.osm")))
    body = app.test_client().get("/api/places?q=st johns rd").get_json()
    assert [f["properties"]["name"] for f in body["features"]] == ["St John's Road"]
    steps = Steps(signed_in(app, email="ann@example.org"))
    steps.details()
    page = steps.find("st johns road").get_data(as_text=True)
    assert 'You placed it at <span translate="no">St John&#39;s Road</span>.' in page


def test_a_typed_postcode_is_found_after_import(app: Flask, tmp_path: Path) -> None:
    run(app, str(files.onspd(tmp_path / "onspd.csv", [("BA11 2BB", "", (300.0, 100.0))])))
    body = app.test_client().get("/api/places?q=ba112bb").get_json()
    [feature] = body["features"]
    assert feature["properties"]["name"] == "BA11 2BB"
    assert feature["geometry"]["coordinates"] == pytest.approx(lon_lat(300.0, 100.0), abs=1e-5)


def test_only_places_inside_the_area_are_kept(app: Flask, tmp_path: Path) -> None:
    with_neighbourhood(app)
    result = run(app, str(files.osm_extract(tmp_path / "town.osm")))
    assert "Left out 1 street ways outside the area." in result.output
    path = files.onspd(
        tmp_path / "onspd.csv", [("BA11 2BB", "", (0, 0)), ("EC1A 1BB", "", (1e5, 0))]
    )
    result = run(app, str(path))
    assert "Kept 1 places inside the area; 1 lay outside it." in result.output
    assert held(app) == {"postcode": 1, "place": 2, "street": 2}


def test_a_dry_run_writes_nothing(app: Flask, tmp_path: Path) -> None:
    result = run(app, str(files.osm_extract(tmp_path / "town.osm")), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 streets would be added." in result.output
    assert held(app) == {"postcode": 0, "place": 0, "street": 0}


def test_a_kind_can_be_taken_alone_and_added_to_what_is_held(app: Flask, tmp_path: Path) -> None:
    extract = str(files.osm_extract(tmp_path / "town.osm"))
    run(app, extract, "--kind", "street")
    result = run(app, extract, "--kind", "street", "--kind", "place", "--add")
    assert result.exit_code == 0, result.output
    assert "0 streets added; 3 already held were left as they were." in result.output
    assert held(app) == {"postcode": 0, "place": 2, "street": 3}


def test_a_bad_file_is_refused_and_nothing_changes(app: Flask, tmp_path: Path) -> None:
    run(app, str(files.osm_extract(tmp_path / "town.osm")))
    bad = tmp_path / "streets.csv"
    bad.write_text("name,kind,lon,lat\nNew Street,street,-2.32,51.23\nOdd,street,x,51\n")
    result = run(app, str(bad))
    assert result.exit_code == 1
    assert (
        "Nothing was imported: streets.csv line 3: lon must be a number, got 'x'" in result.output
    )
    assert held(app) == {"postcode": 1, "place": 2, "street": 3}


def test_a_file_of_another_kind_is_refused_saying_what_is_read(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "assets.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    result = run(app, str(path))
    assert result.exit_code == 1
    assert "assets.geojson is not a file of places assetmap reads" in result.output
    assert "OpenStreetMap extracts (.osm or .osm.pbf)" in result.output
