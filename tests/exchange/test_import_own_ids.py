from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm

from assetmap import create_app
from assetmap.exchange.demo import default_folder
from assetmap.exchange.report import ImportReport, Outcome
from assetmap.services.demo import load_demo
from assetmap.services.exports import write_export
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import assets as store
from assetmap.storage.exports import ExportFilter
from assetmap.storage.models import Asset, Revision
from assetmap.web import db
from tests.exchange.helpers import AREA, CELL, copy_of, demo_template, neighbourhoods_only

HERE = "https://frome.example"
ELSEWHERE = "https://bath.example"


@pytest.fixture
def demo(session: orm.Session) -> orm.Session:
    load_demo(session, default_folder(), cell_m=CELL, area=AREA)
    session.commit()
    return session


def exported(session: orm.Session, fmt: str, folder: Path, register: str = HERE) -> Path:
    out = io.BytesIO()
    write_export(session, fmt, ExportFilter(), out, register=register)
    path = folder / f"register.{fmt}"
    path.write_bytes(out.getvalue())
    return path


def imported(
    session: orm.Session, path: Path, *, dry_run: bool = False, register: str = HERE
) -> ImportReport:
    options = ImportOptions(cell_m=CELL, area=AREA, register=register)
    report = run_import(session, path, options, dry_run=dry_run)
    if report.written:
        session.commit()
    return report


def total(session: orm.Session, model: type[Asset] | type[Revision]) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def edit_csv(path: Path, asset_id: int, **values: str) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    for row in rows:
        if row["id"] == str(asset_id):
            row.update(values)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def first(session: orm.Session, kind: str) -> Asset:
    query = sa.select(Asset).where(Asset.kind == kind).order_by(Asset.id).limit(1)
    return session.scalars(query).one()


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_a_dry_run_of_the_registers_own_export_finds_every_strength_already_here(
    demo: orm.Session, tmp_path: Path, fmt: str
) -> None:
    report = imported(demo, exported(demo, fmt, tmp_path), dry_run=True)
    assert report.counts[Outcome.ADDED] == 0
    assert report.counts[Outcome.UPDATED] == 0
    assert report.counts[Outcome.SKIPPED] == 340 == report.total
    reasons = {entry.reason.split(" as strength")[0] for entry in report.entries[Outcome.SKIPPED]}
    assert reasons == {"already here"}


def test_importing_the_registers_own_export_writes_nothing(
    demo: orm.Session, tmp_path: Path
) -> None:
    revisions = total(demo, Revision)
    report = imported(demo, exported(demo, "csv", tmp_path))
    assert report.written and report.counts[Outcome.SKIPPED] == 340
    assert (total(demo, Asset), total(demo, Revision)) == (340, revisions)


def test_export_names_a_strength_first_added_here_by_the_register_and_its_id(
    demo: orm.Session, tmp_path: Path
) -> None:
    features = orjson.loads(exported(demo, "geojson", tmp_path).read_bytes())["features"]
    assert all(f["properties"]["source"] == HERE for f in features)
    assert all(f["properties"]["source_id"] == str(f["id"]) for f in features)


def test_an_imported_strength_keeps_its_origin_in_an_export(
    demo: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "club.csv"
    path.write_text("kind,title,themes,lon,lat,id\ngroup,Chess club,learning,-2.31,51.23,c-1\n")
    imported(demo, path)
    features = orjson.loads(exported(demo, "geojson", tmp_path).read_bytes())["features"]
    club = next(f["properties"] for f in features if f["properties"]["title"] == "Chess club")
    assert (club["source"], club["source_id"]) == ("club.csv", "c-1")


def test_a_changed_row_of_the_registers_own_export_updates_that_strength(
    demo: orm.Session, tmp_path: Path
) -> None:
    draft = store.draft_of(first(demo, "space"))
    store.add_assets(demo, [draft], owner_id=None, cell_m=CELL)
    demo.commit()
    staffed = demo.scalar(sa.select(sa.func.max(Asset.id)))
    path = exported(demo, "csv", tmp_path)
    edit_csv(path, staffed, description="Open every Saturday.")
    report = imported(demo, path)
    assert report.counts[Outcome.UPDATED] == 1 and report.counts[Outcome.ADDED] == 0
    assert store.get_asset(demo, staffed).description == "Open every Saturday."


def test_an_import_leaves_a_residents_strength_as_its_owner_wrote_it(
    demo: orm.Session, tmp_path: Path
) -> None:
    skill = first(demo, "skill")
    before = skill.description
    path = exported(demo, "csv", tmp_path)
    edit_csv(path, skill.id, description="Call 07700 900999 for cheap loans.")
    report = imported(demo, path)
    [entry] = [e for e in report.entries[Outcome.SKIPPED] if e.asset_id == skill.id]
    assert "its owner looks after" in entry.reason
    assert report.counts[Outcome.UPDATED] == 0
    demo.expire_all()
    assert store.get_asset(demo, skill.id).description == before


def test_a_row_naming_a_strength_no_longer_here_does_not_bring_it_back(
    demo: orm.Session, tmp_path: Path
) -> None:
    path = exported(demo, "geojson", tmp_path)
    gone = first(demo, "skill").id
    demo.execute(sa.delete(Asset).where(Asset.id == gone))
    demo.commit()
    report = imported(demo, path)
    assert report.counts[Outcome.ADDED] == 0
    [entry] = [e for e in report.entries[Outcome.SKIPPED] if e.field == "source_id"]
    assert entry.reason == f"names strength {gone}, which is no longer here"
    assert store.get_asset(demo, gone) is None


def test_a_row_claiming_this_register_with_an_id_that_is_no_number_is_rejected(
    demo: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(
        f"kind,title,themes,lon,lat,source,source_id\ngroup,Chess,learning,"
        f"-2.31,51.23,{HERE},1 OR 1=1\n"
    )
    report = imported(demo, path)
    [entry] = report.entries[Outcome.REJECTED]
    assert entry.field == "source_id" and "a whole number" in entry.reason
    assert not report.written


def test_another_registers_export_is_added_once_and_recognised_by_its_origin(
    demo: orm.Session, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = exported(demo, "geojson", tmp_path, register=ELSEWHERE)
    database = neighbourhoods_only(tmp_path_factory, tmp_path)
    with database.session() as target:
        assert imported(target, path).counts[Outcome.ADDED] == 340
        again = imported(target, path, dry_run=True)
        origins = set(target.execute(sa.select(Asset.source).distinct()).scalars())
    database.dispose()
    assert again.counts[Outcome.SKIPPED] == 340 and again.counts[Outcome.ADDED] == 0
    assert origins == {ELSEWHERE}


@pytest.fixture
def app(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    copy_of(demo_template(tmp_path_factory), tmp_path, "cli.db").dispose()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "PUBLIC_URL": HERE + "/",
        }
    )
    yield app
    db.database(app).dispose()


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_flask_import_of_a_flask_export_would_change_nothing(
    app: Flask, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"register.{fmt}"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["export", "--format", fmt, "--output", str(out)]).exit_code == 0
    result = runner.invoke(args=["import", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "340 read; 0 added, 0 updated, 340 skipped, 0 rejected" in result.output
