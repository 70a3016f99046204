from __future__ import annotations

import io

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage.models import Asset
from tests.web.helpers import confirm, count, csrf, export, signed_in, upload

CSV = (
    b"kind,title,themes,lon,lat\n"
    b"group,Tuesday knitters,arts,-2.32,51.23\nspace,Quaker hall,faith,-2.315,51.228\n"
)


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return signed_in(app, "planner", "planner-user@example.org")


def test_a_visitor_is_sent_to_sign_in(app: Flask) -> None:
    response = app.test_client().get("/exchange")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_resident_may_not_exchange_data(app: Flask) -> None:
    client = signed_in(app, "resident", "resident-user@example.org")
    assert client.get("/exchange").status_code == 403
    assert 'href="/exchange"' not in client.get("/").get_data(as_text=True)


def test_a_planner_sees_the_exchange_link_and_page(planner: FlaskClient) -> None:
    assert 'href="/exchange"' in planner.get("/").get_data(as_text=True)
    page = planner.get("/exchange").get_data(as_text=True)
    assert "Exchange data" in page and "GeoPackage" in page and "Oakfield" in page


def test_export_sends_a_geojson_file_of_what_was_asked(planner: FlaskClient) -> None:
    response = export(planner, kind=["group"])
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="assetmap-')
    found = orjson.loads(response.get_data())["features"]
    assert len(found) == 102 and {f["properties"]["kind"] for f in found} == {"group"}


def test_export_by_polygon_upload(planner: FlaskClient) -> None:
    polygon = {
        "type": "Polygon",
        "coordinates": [[[-2.33, 51.22], [-2.31, 51.22], [-2.32, 51.24], [-2.33, 51.22]]],
    }
    response = export(
        planner, format="csv", polygon=(io.BytesIO(orjson.dumps(polygon)), "area.geojson")
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 1 < len(response.get_data().splitlines()) < 341


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"format": "geojson", "bbox": "1,2"}, "bbox: expected minlon,minlat,maxlon,maxlat"),
        ({"format": "geojson", "changed_since": "yesterday"}, "changed since must be a date"),
        (
            {"format": "geojson", "neighbourhood": "atlantis"},
            "neighbourhood &#39;atlantis&#39; is unknown",
        ),
        ({"format": "shapefile"}, "Choose a format"),
    ],
)
def test_export_form_shows_what_is_wrong(planner: FlaskClient, fields: dict, message: str) -> None:
    response = export(planner, **fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page


def test_a_polygon_that_is_not_geojson_is_named(planner: FlaskClient) -> None:
    response = export(planner, format="csv", polygon=(io.BytesIO(b"not json"), "a.geojson"))
    assert response.status_code == 400
    assert "polygon: the file is not JSON" in response.get_data(as_text=True)


def test_import_shows_a_dry_run_then_imports_on_confirmation(
    app: Flask, planner: FlaskClient
) -> None:
    before = count(app, Asset)
    response = upload(planner, CSV, "groups.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Checked, nothing written yet" in page
    assert "Import: add 2, update 0" in page and "Tuesday knitters" in page
    assert count(app, Asset) == before
    done = planner.post("/exchange/import/confirm", data={"csrf_token": csrf(page)})
    assert done.status_code == 302
    assert count(app, Asset) == before + 2
    assert "2 added" in planner.get("/exchange").get_data(as_text=True)


def test_a_file_with_a_rejected_row_cannot_be_confirmed(app: Flask, planner: FlaskClient) -> None:
    response = upload(planner, CSV + b"group,,arts,-2.32,51.23\n", "groups.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing can be imported from this file yet" in page
    assert "row 4" in page and "must not be empty" in page
    assert "Import: add" not in page


def test_a_theme_for_rows_that_name_none(app: Flask, planner: FlaskClient) -> None:
    response = upload(
        planner, b"kind,title,lon,lat\ngroup,Knitters,-2.32,51.23\n", "g.csv", default_theme="arts"
    )
    assert response.status_code == 200 and "Import: add 1" in response.get_data(as_text=True)


def test_an_upload_over_the_limit_is_refused(app: Flask, planner: FlaskClient) -> None:
    app.config["IMPORT_MAX_MB"] = 0.01
    response = upload(planner, CSV * 2000, "big.csv")
    assert response.status_code == 413
    assert "larger than the 0.01 MB an import may be" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (bytes(range(256)) * 8, "places.gpkg"),
        (b"\x00\x00\x00\x0d\nOSMHeader" + bytes(100), "town.osm.pbf"),
        (b"SQLite format 3\x00" + bytes(500), "places.gpkg"),
        (b'{"type": "FeatureCollection", "features": [{"type": "Feature"', "x.geojson"),
        (b"<osm><node id='1' lat=", "x.osm"),
        (b'{"organizations": {"name": 1}}', "x.json"),
        (b"kind,title\n\xff\xfe\x00garbage", "x.csv"),
        (bytes(range(256)), "x.bin"),
    ],
)
def test_bad_files_get_a_report_never_a_server_error(
    app: Flask, planner: FlaskClient, data: bytes, name: str
) -> None:
    response = upload(planner, data, name)
    assert response.status_code == 400
    assert "Nothing can be imported from this file yet" in response.get_data(as_text=True)
    assert count(app, Asset) == 340


def test_confirming_without_an_upload_asks_for_the_file_again(planner: FlaskClient) -> None:
    response = confirm(planner)
    assert response.status_code == 302
    assert "That upload has expired" in planner.get("/exchange").get_data(as_text=True)


def test_an_import_larger_than_other_requests_may_be_is_checked(
    app: Flask, planner: FlaskClient
) -> None:
    rows = b"".join(b"group,Knitters %d,arts,-2.32,51.23\n" % i for i in range(60_000))
    data = b"kind,title,themes,lon,lat\n" + rows
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    response = upload(planner, data, "many.csv")
    assert response.status_code == 200
    assert "Import: add 60000" in response.get_data(as_text=True)
