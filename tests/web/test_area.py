"""The area strengths must lie in, derived from the neighbourhoods unless a box is set, on
SQLite and on PostGIS: the web form, the API and an import refuse a strength outside it, and
the map opens on it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import orjson
import pytest
import shapely
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Geod
from shapely.geometry import Point

from assetmap import create_app
from assetmap.exchange.demo import default_folder
from assetmap.storage import database as storage_db
from assetmap.storage.area import AREA_MARGIN_M
from assetmap.storage.models import Asset
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import add_user, bearer, count, form_token

GEOD = Geod(ellps="WGS84")
GROUP = {"kind": "group", "title": "Repair cafe", "themes": ["environment"]}


def demo_wards() -> gpd.GeoDataFrame:
    return gpd.read_file(default_folder() / "neighbourhoods.geojson", engine="pyogrio")


def east_of_the_wards(metres: float) -> tuple[float, float]:
    """Return the point ``metres`` due east of the wards' easternmost corner."""
    corners = shapely.get_coordinates(demo_wards().union_all())
    lon, lat = corners[corners[:, 0].argmax()]
    east, north, _ = GEOD.fwd(lon, lat, 90.0, metres)
    return float(east), float(north)


JUST_INSIDE = east_of_the_wards(AREA_MARGIN_M * 0.8)
OUTSIDE = east_of_the_wards(AREA_MARGIN_M * 1.25)


def make_app(database: storage_db.Database, **config: Any) -> Flask:
    url = database.engine.url.render_as_string(hide_password=False)
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", **config})


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    app = make_app(database)
    yield app
    db.database(app).dispose()


def load_wards(app: Flask) -> None:
    wards = demo_wards()
    areas = [Area(row.code, row.name, row.geometry) for row in wards.itertuples()]
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, areas)
        session.commit()


@pytest.fixture
def town(app: Flask) -> Flask:
    load_wards(app)
    return app


def api_add(app: Flask, *points: tuple[float, float]) -> list[int]:
    """Add a group at each point through the API, as one token's holder; return the statuses."""
    headers = bearer(app, add_user(app, "ann@example.org", password=None))
    client = app.test_client()
    return [
        client.post(
            "/api/assets", json={**GROUP, "lon": lon, "lat": lat}, headers=headers
        ).status_code
        for lon, lat in points
    ]


def pin(client: FlaskClient, lon: float, lat: float) -> Any:
    token = form_token(client, "/strengths/new/group")
    details = {"csrf_token": token, "title": "Repair cafe", "themes": ["environment"]}
    page = client.post("/strengths/new/group", data=details).get_data(as_text=True)
    draft = re.search(r'name="draft" value="([^"]+)"', page)
    assert draft, "the details step carries no draft"
    place = {"csrf_token": token, "draft": draft.group(1), "action": "pin", "lon": lon, "lat": lat}
    return client.post("/strengths/new/group/place", data=place)


def signed_in_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    add_user(app, "bea@example.org")
    page = form_token(client, "/sign-in")
    data = {"csrf_token": page, "email": "bea@example.org", "password": "correct horse battery"}
    assert client.post("/sign-in", data=data).status_code == 302
    return client


def geojson_of(folder: Path, *points: tuple[float, float]) -> Path:
    frame = gpd.GeoDataFrame(
        {
            "kind": ["group"] * len(points),
            "name": [f"Club {n}" for n in range(len(points))],
            "themes": ["sport"] * len(points),
        },
        geometry=[Point(lon, lat) for lon, lat in points],
        crs="EPSG:4326",
    )
    path = folder / "clubs.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def fitted(page: str) -> tuple[float, float, float, float]:
    found = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", page, re.S)
    assert found, "the map is fitted to nothing"
    (south, west), (north, east) = orjson.loads(found.group(1))
    return west, south, east, north


def test_the_api_accepts_a_strength_within_the_margin_of_the_wards(town: Flask) -> None:
    assert api_add(town, JUST_INSIDE) == [201]


def test_the_api_refuses_a_strength_past_the_margin_of_the_wards(town: Flask) -> None:
    headers = bearer(town, add_user(town, "ann@example.org", password=None))
    body = {**GROUP, "lon": OUTSIDE[0], "lat": OUTSIDE[1]}
    response = town.test_client().post("/api/assets", json=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "location"
    assert count(town, Asset) == 0


def test_the_form_accepts_a_pin_within_the_margin_of_the_wards(town: Flask) -> None:
    response = pin(signed_in_client(town), *JUST_INSIDE)
    assert response.status_code == 200
    assert "outside the area" not in response.get_data(as_text=True)


def test_the_form_refuses_a_pin_past_the_margin_of_the_wards(town: Flask) -> None:
    response = pin(signed_in_client(town), *OUTSIDE)
    assert response.status_code == 400
    assert "The place is outside the area this assetmap covers" in response.get_data(as_text=True)


def test_an_import_with_a_row_past_the_margin_imports_nothing(town: Flask, tmp_path: Path) -> None:
    path = geojson_of(tmp_path, JUST_INSIDE, OUTSIDE)
    result = town.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "is outside the area this assetmap covers" in result.output
    assert count(town, Asset) == 0


def test_an_import_within_the_margin_is_written(town: Flask, tmp_path: Path) -> None:
    path = geojson_of(tmp_path, JUST_INSIDE)
    result = town.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert count(town, Asset) == 1


def test_the_map_opens_on_the_area_around_the_wards(town: Flask) -> None:
    west, south, east, north = fitted(town.test_client().get("/map").get_data(as_text=True))
    wards = demo_wards().total_bounds
    assert west < wards[0] and south < wards[1] and east > wards[2] and north > wards[3]
    assert east == pytest.approx(east_of_the_wards(AREA_MARGIN_M)[0], abs=0.001)


def test_a_box_in_the_setting_overrides_the_wards(
    database: storage_db.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    lon, lat = OUTSIDE
    monkeypatch.setenv("ASSETMAP_AREA_BBOX", f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}")
    app = make_app(database)
    load_wards(app)
    assert api_add(app, OUTSIDE, (-2.3205, 51.2301)) == [201, 400]
    west, _, east, _ = fitted(app.test_client().get("/map").get_data(as_text=True))
    assert (west, east) == pytest.approx((lon - 0.01, lon + 0.01))
    db.database(app).dispose()


def test_without_wards_a_strength_may_be_anywhere(app: Flask) -> None:
    assert api_add(app, (151.2093, -33.8688)) == [201]


def test_a_strength_in_the_corner_of_the_areas_box_but_past_the_margin_is_refused(
    town: Flask,
) -> None:
    _, _, east, north = fitted(town.test_client().get("/map").get_data(as_text=True))
    corner_lon, corner_lat, _ = GEOD.fwd(east, north, 225.0, 100.0)
    assert api_add(town, (corner_lon, corner_lat)) == [400]
