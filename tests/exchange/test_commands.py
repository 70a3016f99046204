from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import Result
from flask import Flask

from assetmap import create_app
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template


@pytest.fixture
def app(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    copy_of(demo_template(tmp_path_factory), tmp_path, "cli.db").dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    yield app
    db.database(app).dispose()


def flask(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def test_export_writes_the_file_with_filters(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "groups.geojson"
    result = flask(
        app,
        "export",
        "--format",
        "geojson",
        "--output",
        str(out),
        "--kind",
        "group",
        "--theme",
        "food",
    )
    assert result.exit_code == 0, result.output
    found = orjson.loads(out.read_bytes())["features"]
    assert found and all(f["properties"]["kind"] == "group" for f in found)
    assert f"Exported {len(found)} strengths as geojson to {out}." in result.stderr
    assert not Path(f"{out}.partial").exists()


def test_export_to_standard_output(app: Flask) -> None:
    result = flask(
        app, "export", "--format", "csv", "--output", "-", "--neighbourhood", "frome-oakfield"
    )
    assert result.exit_code == 0
    lines = result.stdout_bytes.decode().splitlines()
    assert lines[0].startswith("id,kind,title") and len(lines) > 1
    assert all(",Oakfield," in line for line in lines[1:])
    assert result.stderr.startswith("Exported ")


def test_export_by_polygon_file(app: Flask, tmp_path: Path) -> None:
    polygon = tmp_path / "area.geojson"
    ring = [[-2.33, 51.22], [-2.31, 51.22], [-2.32, 51.24], [-2.33, 51.22]]
    polygon.write_bytes(
        orjson.dumps(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    )
    out = tmp_path / "area.gpkg"
    result = flask(
        app, "export", "--format", "gpkg", "--output", str(out), "--polygon", str(polygon)
    )
    assert result.exit_code == 0 and out.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--bbox", "1,2"], "bbox: expected minlon,minlat,maxlon,maxlat"),
        (["--neighbourhood", "atlantis"], "neighbourhood 'atlantis' is unknown"),
        (["--changed-since", "2026-13-01"], "changed since must be a date"),
        (["--kind", "robot"], "kind 'robot' is unknown; choose from skill, group, space"),
    ],
)
def test_export_names_a_bad_filter(
    app: Flask, tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "x.csv"
    result = flask(app, "export", "--format", "csv", "--output", str(out), *options)
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


def test_import_dry_run_then_import(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Tuesday knitters,arts,-2.32,51.23\n")
    dry = flask(app, "import", str(path), "--dry-run")
    assert dry.exit_code == 0
    assert (
        "groups.csv: 1 read; 1 added, 0 updated, 0 skipped, 0 rejected (would be the result)."
        in dry.stdout
    )
    done = flask(app, "import", str(path))
    assert "(were the result)" in done.stdout
    again = flask(app, "import", str(path))
    assert "0 added, 0 updated, 1 skipped" in again.stdout
    assert (
        "row 2 (Tuesday knitters) skipped: title: same title as strength 341, 0 m away"
        in again.stdout
    )


def test_import_with_a_rejected_row_fails_and_names_it(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23\ngroup,Choir,arts,-2.32,\n"
    )
    result = flask(app, "import", str(path))
    assert result.exit_code == 1
    assert "row 3 (Choir) rejected: lat: is required" in result.stdout
    assert "Nothing was imported" in result.stderr


def test_import_a_theme_for_rows_that_name_none(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("kind,title,lon,lat\ngroup,Knitters,-2.32,51.23\n")
    assert flask(app, "import", str(path), "--theme", "arts").exit_code == 0


def test_export_to_a_folder_that_does_not_exist_says_so(app: Flask, tmp_path: Path) -> None:
    result = flask(app, "export", "--format", "csv", "--output", str(tmp_path / "no" / "x.csv"))
    assert result.exit_code == 1 and "can't write" in result.output


def test_import_refuses_a_file_with_more_rows_than_the_configured_limit(
    app: Flask, tmp_path: Path
) -> None:
    app.config["IMPORT_MAX_ROWS"] = 1
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23\ngroup,Choir,arts,-2.3,51.2\n"
    )
    result = flask(app, "import", str(path))
    assert result.exit_code == 1
    assert "holds more than the 1 rows or features an import may read" in result.stdout
