from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import orjson
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.exchange.report import ImportReport, Outcome
from assetmap.services.importing import run_import
from assetmap.storage.models import Asset
from tests.exchange.helpers import OPTIONS, copy_of, empty_template

GOOD_ROW = {"kind": "group", "title": "Knitters", "themes": ["arts"]}


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(empty_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def run(session: orm.Session, path: Path, max_mb: float = 100.0) -> ImportReport:
    report = run_import(session, path, OPTIONS, dry_run=False, max_mb=max_mb)
    assert not report.written
    assert session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0
    return report


def problems(report: ImportReport) -> list[tuple[str, str, str]]:
    return [(e.where, e.field, e.reason) for e in report.entries[Outcome.REJECTED]]


def feature(geometry: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": {**GOOD_ROW, **properties}}


def geojson(tmp_path: Path, *features: dict[str, Any], **members: Any) -> Path:
    path = tmp_path / "strengths.geojson"
    document = {"type": "FeatureCollection", **members, "features": list(features)}
    path.write_bytes(orjson.dumps(document))
    return path


def test_a_file_that_is_not_what_its_name_says(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "places.gpkg"
    path.write_text("kind,title\ngroup,Knitters\n")
    [(where, field, reason)] = problems(run(session, path))
    assert (where, field) == ("file", "file")
    assert reason == "is named 'places.gpkg' but is not GeoPackage: it looks like CSV"


def test_a_binary_file_called_csv(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(b"SQLite format 3\x00" + bytes(200))
    assert problems(run(session, path))[0][2].endswith("it looks like GeoPackage")


def test_broken_json_says_where(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    [(_, _, reason)] = problems(run(session, path))
    assert reason.startswith("is not valid JSON: ") and "line 1" in reason


def test_json_that_is_neither_geojson_nor_hsds(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"rows": []}')
    assert "neither GeoJSON" in problems(run(session, path))[0][2]


@pytest.mark.parametrize(
    ("geometry", "field", "reason"),
    [
        (
            {"type": "Point", "coordinates": [[-2.32, 51.23]]},
            "geometry.coordinates",
            "bad nesting: expected a position [lon, lat], got [[-2.32,51.23]]",
        ),
        (
            {"type": "Point", "coordinates": [-2.32]},
            "geometry.coordinates",
            "a position must be [lon, lat], got [-2.32]",
        ),
        (
            {"type": "Point", "coordinates": None},
            "geometry.coordinates",
            "null where coordinates belong",
        ),
        (
            {"type": "Point", "coordinates": [None, 51.23]},
            "geometry.coordinates",
            "null where a coordinate belongs: [null,51.23]",
        ),
        (
            {"type": "Point", "coordinates": [-2.32, 95.0]},
            "geometry.coordinates",
            "latitude 95.0 is outside -90 to 90",
        ),
        (
            {"type": "Point", "coordinates": [200, 51.23]},
            "geometry.coordinates",
            "longitude 200 is outside -180 to 180",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[-2.32, 51.23], [-2.31, 51.23], [-2.31, 51.24], [-2.32, 51.24]]],
            },
            "geometry.coordinates[0]",
            "the ring is not closed: its first and last positions differ",
        ),
        (
            {"type": "Polygon", "coordinates": [[-2.32, 51.23], [-2.31, 51.23]]},
            "geometry.coordinates[0]",
            "bad nesting: a linear ring must be a list of positions, got [-2.32,51.23]",
        ),
        (
            {"type": "LineString", "coordinates": [[-2.32, 51.23], [-2.31, 51.23]]},
            "geometry.type",
            'must be Point, Polygon or MultiPolygon, got "LineString"',
        ),
        (None, "geometry", "must be a GeoJSON geometry object, got null"),
    ],
)
def test_geojson_breaking_rfc_7946_names_the_feature_and_member(
    session: orm.Session, tmp_path: Path, geometry: Any, field: str, reason: str
) -> None:
    good = feature({"type": "Point", "coordinates": [-2.32, 51.23]})
    report = run(session, geojson(tmp_path, good, feature(geometry, title="Choir")))
    assert problems(report) == [("feature 2", field, reason)]
    assert report.entries[Outcome.REJECTED][0].title == "Choir"


def test_projected_coordinates_without_a_crs_are_named(
    session: orm.Session, tmp_path: Path
) -> None:
    report = run(
        session, geojson(tmp_path, feature({"type": "Point", "coordinates": [378512, 148230]}))
    )
    [(where, field, reason)] = problems(report)
    assert (where, field) == ("feature 1", "geometry.coordinates")
    assert "looks like metres in a projected CRS" in reason and "EPSG:4326" in reason


def test_projected_coordinates_in_a_csv_are_named(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "bng.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Knitters,arts,378512,148230\n")
    [(where, field, reason)] = problems(run(session, path))
    assert (where, field) == ("row 2", "location") and "projected CRS" in reason


def test_a_crs_other_than_wgs84_is_refused(session: orm.Session, tmp_path: Path) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    path = geojson(tmp_path, feature({"type": "Point", "coordinates": [-2.32, 51.23]}), crs=crs)
    [(_, field, reason)] = problems(run(session, path))
    assert field == "crs" and "urn:ogc:def:crs:EPSG::27700" in reason


def test_a_geopackage_without_geometry(session: orm.Session, tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"title": ["Knitters"]}), path, layer="groups")
    [(_, field, reason)] = problems(run(session, path))
    assert (
        field == "geometry"
        and reason == "the GeoPackage has no layer with geometry (layers: groups)"
    )


def test_a_geopackage_in_british_national_grid_is_reprojected(
    session: orm.Session, tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(
        {"kind": ["group"], "title": ["Knitters"], "themes": ["arts"]},
        geometry=[shapely.Point(-2.32, 51.23)],
        crs="EPSG:4326",
    ).to_crs(27700)
    path = tmp_path / "bng.gpkg"
    frame.to_file(path)
    report = run_import(session, path, OPTIONS, dry_run=True)
    assert report.ok and report.counts[Outcome.ADDED] == 1


def test_csv_without_a_column_for_the_title_is_refused_naming_its_columns(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("kind,label,x,y\ngroup,Knitters,-2.32,51.23\n")
    [(_, field, reason)] = problems(run(session, path))
    assert field == "columns"
    assert reason.startswith("missing title: no column gives it (the file has kind, label, x, y)")


def test_csv_with_an_unknown_column_is_read_and_the_column_listed_as_ignored(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "list.csv"
    path.write_text("kind,title,themes,lon,lat,colour\ngroup,Knitters,arts,-2.32,51.23,red\n")
    report = run_import(session, path, OPTIONS, dry_run=True)
    assert report.ok and report.counts[Outcome.ADDED] == 1
    assert "Columns ignored: colour." in report.lines()


def test_csv_in_a_windows_encoding(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(
        "kind,title,themes,lon,lat\ngroup,Café knitters,arts,-2.32,51.23\n".encode("cp1252")
    )
    [(_, field, reason)] = problems(run(session, path))
    assert field == "encoding" and "is not UTF-8 text" in reason and "row 2" in reason


def test_csv_in_utf16_with_a_byte_order_mark_is_read(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(
        "kind,title,themes,lon,lat\ngroup,Café knitters,arts,-2.32,51.23\n".encode("utf-16")
    )
    report = run_import(session, path, OPTIONS, dry_run=True)
    assert report.ok and report.entries[Outcome.ADDED][0].title == "Café knitters"


def test_csv_row_with_more_cells_than_columns(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23,extra\n")
    assert problems(run(session, path)) == [
        ("row 2", "row", "has 1 more cell than the header has columns")
    ]


def test_a_file_larger_than_the_limit(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("kind,title,themes,lon,lat\n" + "group,Knitters,arts,-2.32,51.23\n" * 40_000)
    [(_, _, reason)] = problems(run(session, path, max_mb=1))
    assert reason == "is 1.2 MB, larger than the 1 MB an import may be (ASSETMAP_IMPORT_MAX_MB)"


def test_an_empty_file(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.touch()
    assert problems(run(session, path)) == [("file", "file", "is empty")]


def test_hsds_organization_without_a_location(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "orgs.json"
    path.write_bytes(
        orjson.dumps({"organizations": [{"id": "a", "name": "Food bank", "description": "x"}]})
    )
    assert problems(run(session, path)) == [
        (
            "organization 1",
            "locations",
            "the organization has no location with a latitude and longitude",
        )
    ]
