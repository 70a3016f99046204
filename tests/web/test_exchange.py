from __future__ import annotations

import html
import io
import re
import sqlite3
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assetmap import create_app
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template
from tests.exchange.lists import council_centres, sites_in_british_national_grid, spreadsheet_groups
from tests.web.helpers import confirm, count, csrf, export, form_token, signed_in, upload

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
    assert "Of its 2 rows, 2 new" in planner.get("/exchange").get_data(as_text=True)


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


def choose_columns(client: FlaskClient, page: str, **fields: str) -> TestResponse:
    """Send the columns step of a report page as shown, changed by ``fields``."""
    form: dict[str, str] = {}
    for select in re.finditer(
        r'<select class="govuk-select" id="([^"]+)" name="\1"[^>]*>(.*?)</select>', page, re.S
    ):
        picked = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        form[select.group(1)] = html.unescape(picked.group(1)) if picked else ""
    form.update(fields, csrf_token=csrf(page))
    return client.post("/exchange/import/columns", data=form)


def stored_titled(app: Flask, title: str) -> Asset:
    with app.app_context(), db.database().session() as session:
        found = session.scalars(sa.select(Asset).where(Asset.title == title)).one()
        session.expunge(found)
        return found


def council_geojson(tmp_path: Path) -> bytes:
    return council_centres(tmp_path).read_bytes()


def test_a_council_geojson_shows_its_columns_beside_assetmaps_fields_and_its_first_rows(
    planner: FlaskClient, tmp_path: Path
) -> None:
    response = upload(planner, council_geojson(tmp_path), "community-centres.geojson")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "missing kind: no column gives it" in page
    assert "The file's columns" in page and "Welshmill Community Centre" in page
    assert re.search(
        r'id="column-1" name="column-1">.*?<option value="title" selected>', page, re.S
    )
    assert re.search(
        r'id="column-2" name="column-2">.*?<option value="ignore" selected>', page, re.S
    )
    assert 'id="kind" name="kind"' in page


def test_choosing_a_kind_checks_the_file_again_and_then_imports_it(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    page = upload(planner, council_geojson(tmp_path), "centres.geojson").get_data(as_text=True)
    checked = choose_columns(planner, page, kind="space", default_theme="care")
    again = checked.get_data(as_text=True)
    assert checked.status_code == 200, again
    assert "Import: add 2, update 0" in again and "Columns ignored: WARD_NAME." in again
    assert (
        planner.post("/exchange/import/confirm", data={"csrf_token": csrf(again)}).status_code
        == 302
    )
    centre = stored_titled(app, "Welshmill Community Centre")
    assert (centre.kind.value, centre.source_id, centre.themes) == ("space", "101", ["care"])


def test_a_column_chosen_as_a_field_is_read_as_that_field(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    page = upload(planner, council_geojson(tmp_path), "centres.geojson").get_data(as_text=True)
    checked = choose_columns(
        planner, page, kind="space", default_theme="care", **{"column-2": "description"}
    ).get_data(as_text=True)
    assert "WARD_NAME as description" in checked
    planner.post("/exchange/import/confirm", data={"csrf_token": csrf(checked)})
    assert stored_titled(app, "Packsaddle Hall").description == "Frome College"


def test_a_spreadsheet_of_groups_keeps_its_website_and_phone_as_contact(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    data = spreadsheet_groups(tmp_path).read_bytes()
    page = upload(planner, data, "groups.csv", default_theme="sport").get_data(as_text=True)
    checked = choose_columns(planner, page, kind="group").get_data(as_text=True)
    assert "Website and Telephone as contact" in checked
    planner.post("/exchange/import/confirm", data={"csrf_token": csrf(checked)})
    ride = stored_titled(app, "Frome Wheelers Tuesday ride")
    assert ride.contact == "https://wheelers.example.org; 01373 000001"


def test_a_geopackage_in_british_national_grid_offers_its_columns(
    planner: FlaskClient, tmp_path: Path
) -> None:
    data = sites_in_british_national_grid(tmp_path).read_bytes()
    page = upload(planner, data, "sites.gpkg").get_data(as_text=True)
    assert "SITE_NAME" in page and "Rodden wildflower meadow" in page
    checked = choose_columns(
        planner, page, kind="space", default_theme="environment", **{"column-0": "id"}
    )
    assert checked.status_code == 200 and "Import: add 2" in checked.get_data(as_text=True)


def test_a_choice_not_offered_is_refused_and_named(planner: FlaskClient, tmp_path: Path) -> None:
    page = upload(planner, council_geojson(tmp_path), "centres.geojson").get_data(as_text=True)
    response = choose_columns(planner, page, kind="space", **{"column-2": "owner_id"})
    assert response.status_code == 400
    assert "Choose a field from the list for the column WARD_NAME" in response.get_data(
        as_text=True
    )


def test_a_hostile_column_name_is_shown_as_text(planner: FlaskClient) -> None:
    data = b"name,lon,lat,<img src=x onerror=alert(1)>\nHall,-2.32,51.23,x\n"
    page = upload(planner, data, "list.csv").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_choosing_columns_without_an_upload_asks_for_the_file_again(planner: FlaskClient) -> None:
    token = form_token(planner, "/exchange")
    response = planner.post("/exchange/import/columns", data={"csrf_token": token, "kind": "space"})
    assert response.status_code == 302
    assert "That upload has expired" in planner.get("/exchange").get_data(as_text=True)


def test_another_planner_cannot_import_someone_elses_upload_with_their_choices(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    upload(planner, council_geojson(tmp_path), "centres.geojson")
    other = signed_in(app, "planner", "other-planner@example.org")
    token = form_token(other, "/exchange")
    chosen = other.post("/exchange/import/columns", data={"csrf_token": token, "kind": "space"})
    assert chosen.status_code == 302
    assert confirm(other).status_code == 302
    assert count(app, Asset) == 340


def test_one_field_chosen_for_two_columns_is_refused_naming_both(
    planner: FlaskClient, tmp_path: Path
) -> None:
    page = upload(planner, council_geojson(tmp_path), "centres.geojson").get_data(as_text=True)
    response = choose_columns(planner, page, kind="space", **{"column-2": "title"})
    assert response.status_code == 400
    assert "Choose one column for title: name and WARD_NAME both give it" in response.get_data(
        as_text=True
    )


def test_a_file_refused_for_its_columns_is_kept_to_choose_them_and_no_other(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    page = upload(planner, council_geojson(tmp_path), "centres.geojson").get_data(as_text=True)
    assert "Check the file again" in page
    broken = upload(planner, b"kind,title\n\xff\xfe\x00garbage", "x.csv").get_data(as_text=True)
    assert "Check the file again" not in broken
    assert not list((Path(app.instance_path) / "imports").rglob("*.*"))


def test_an_import_that_waits_too_long_for_other_writers_says_so_and_keeps_the_file(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_of(demo_template(tmp_path_factory), tmp_path, "register.db").dispose()
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
            "SECRET_KEY": "test",
            "SQLITE_BUSY_TIMEOUT_MS": 200,
        }
    )
    planner = signed_in(app, "planner", "busy-planner@example.org")
    before = count(app, Asset)
    assert upload(planner, CSV, "groups.csv").status_code == 200
    other = sqlite3.connect(tmp_path / "register.db")
    other.execute("BEGIN IMMEDIATE")
    try:
        response = confirm(planner)
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 302
    page = planner.get("/exchange").get_data(as_text=True)
    assert "Nothing was imported" in page and "sqlalchemy" not in page.lower()
    assert count(app, Asset) == before
    assert confirm(planner).status_code == 302
    assert count(app, Asset) == before + 2
    db.database(app).dispose()
