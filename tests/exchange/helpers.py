"""What the exchange tests share: a demo register on SQLite, and its private values."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.exchange.demo import default_folder
from assetmap.exchange.importing import Columns
from assetmap.exchange.report import ImportReport
from assetmap.services.demo import load_demo
from assetmap.services.exports import write_export
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import database as db
from assetmap.storage.exports import ExportFilter
from assetmap.storage.models import Asset

CELL = 400.0
AREA = BBox(-2.42, 51.19, -2.24, 51.27)
OPTIONS = ImportOptions(cell_m=CELL, area=AREA)
FORMATS = ("geojson", "csv", "gpkg", "hsds")
# Fields an export adds that an import does not carry over as they were (``meets_at`` names
# the exporting register's ids).
VOLATILE = ("id", "updated_at", "source", "source_id", "meets_at")
_TEMPLATES: dict[str, Path] = {}


def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an empty, migrated SQLite file, made once per test run."""
    if "empty" not in _TEMPLATES:
        path = tmp_path_factory.mktemp("exchange-empty") / "empty.db"
        database = db.connect(f"sqlite:///{path}")
        db.upgrade(database)
        database.dispose()
        _TEMPLATES["empty"] = path
    return _TEMPLATES["empty"]


def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a SQLite file holding the demo neighbourhood, made once per test run."""
    if "demo" not in _TEMPLATES:
        path = tmp_path_factory.mktemp("exchange-demo") / "demo.db"
        shutil.copy(empty_template(tmp_path_factory), path)
        database = db.connect(f"sqlite:///{path}")
        with database.session() as session:
            load_demo(session, default_folder(), cell_m=CELL, area=AREA)
            session.commit()
        database.dispose()
        _TEMPLATES["demo"] = path
    return _TEMPLATES["demo"]


def copy_of(template: Path, folder: Path, name: str = "register.db") -> db.Database:
    """Return a database on a fresh copy of a template file."""
    path = folder / name
    shutil.copy(template, path)
    return db.connect(f"sqlite:///{path}")


def export_bytes(session: orm.Session, fmt: str, filters: ExportFilter | None = None) -> bytes:
    """Return an export as bytes."""
    out = io.BytesIO()
    write_export(session, fmt, filters or ExportFilter(), out)
    return out.getvalue()


def import_path(
    session: orm.Session,
    path: Path,
    *,
    dry_run: bool = False,
    columns: Columns | None = None,
    **options: Any,
) -> ImportReport:
    """Import a file with the demo area's options; commit when it was written."""
    report = run_import(
        session,
        path,
        ImportOptions(**{**OPTIONS.__dict__, **options}),
        dry_run=dry_run,
        columns=columns,
    )
    if report.written:
        session.commit()
    return report


def demo_features() -> list[dict[str, Any]]:
    """Return the demo's features as shipped, private fields included."""
    return orjson.loads((default_folder() / "assets.geojson").read_bytes())["features"]


def public_features(session: orm.Session) -> list[dict[str, Any]]:
    """Return what a GeoJSON export says of each strength, less volatile fields, sorted."""
    features = orjson.loads(export_bytes(session, "geojson"))["features"]
    found = []
    for feature in features:
        properties = {k: v for k, v in feature["properties"].items() if k not in VOLATILE}
        found.append({**properties, "point": feature["geometry"]["coordinates"]})
    return sorted(found, key=lambda f: (f["kind"], f["title"], f["point"]))


def neighbourhoods_only(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> db.Database:
    """Return a database holding the demo's neighbourhoods and users but no strengths."""
    database = copy_of(demo_template(tmp_path_factory), folder, "target.db")
    with database.session() as session:
        session.execute(sa.delete(Asset))
        session.commit()
    return database
