from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.exchange.report import Outcome
from assetmap.storage.models import Asset
from tests.exchange.helpers import (
    copy_of,
    demo_template,
    export_bytes,
    import_path,
    neighbourhoods_only,
    public_features,
)

HEADER = "kind,title,themes,lon,lat,description\n"


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(demo_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


@pytest.fixture
def target(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = neighbourhoods_only(tmp_path_factory, tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def count(session: orm.Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Asset)) or 0


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_export_then_import_into_an_empty_register_gives_the_same_public_data(
    demo: orm.Session, target: orm.Session, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"register.{fmt}"
    path.write_bytes(export_bytes(demo, fmt))
    report = import_path(target, path)
    assert report.written and report.counts[Outcome.ADDED] == 340
    assert public_features(target) == public_features(demo)


def test_dry_run_reports_and_writes_nothing(target: orm.Session, tmp_path: Path) -> None:
    path = write(tmp_path, "groups.csv", HEADER + "group,Tuesday knitters,arts,-2.32,51.23,\n")
    report = import_path(target, path, dry_run=True)
    assert report.counts[Outcome.ADDED] == 1 and not report.written
    assert count(target) == 0


def test_importing_the_same_file_again_changes_nothing(target: orm.Session, tmp_path: Path) -> None:
    rows = "group,Knitters,arts,-2.32,51.23,\nspace,Quaker meeting house,faith,-2.315,51.228,\n"
    path = write(tmp_path, "groups.csv", HEADER + rows)
    assert import_path(target, path).counts[Outcome.ADDED] == 2
    again = import_path(target, path)
    assert again.counts[Outcome.SKIPPED] == 2 and again.counts[Outcome.ADDED] == 0
    reasons = [entry.reason for entry in again.entries[Outcome.SKIPPED]]
    assert all(reason.startswith("same title as strength") for reason in reasons)
    assert count(target) == 2


def test_rows_without_ids_get_a_random_id_and_the_report_says_so(
    target: orm.Session, tmp_path: Path
) -> None:
    row = "group,Tuesday knitters,arts,-2.32,51.23,\n"
    report = import_path(target, write(tmp_path, "groups.csv", HEADER + row))
    import_path(target, write(tmp_path, "more.csv", HEADER + row.replace("Tues", "Thurs")))
    first, second = target.scalars(sa.select(Asset).order_by(Asset.id)).all()
    assert first.source == "groups.csv" and first.source_id.startswith("id:")
    assert len({first.source_id, second.source_id}) == 2
    assert "random" in report.id_rule


def test_a_row_changed_in_the_file_updates_the_strength(
    target: orm.Session, tmp_path: Path
) -> None:
    import_path(
        target,
        write(tmp_path, "groups.csv", "id," + HEADER + "7,group,Knitters,arts,-2.32,51.23,\n"),
    )
    changed = write(
        tmp_path, "groups.csv", "id," + HEADER + "7,group,Knitters,arts,-2.32,51.23,Bring wool\n"
    )
    report = import_path(target, changed)
    assert report.counts[Outcome.UPDATED] == 1
    assert report.entries[Outcome.UPDATED][0].reason == "changes description"
    assert target.scalars(sa.select(Asset.description)).one() == "Bring wool"


def test_same_title_within_50_metres_is_a_duplicate(demo: orm.Session, tmp_path: Path) -> None:
    club = demo.scalars(sa.select(Asset).where(Asset.title == "Selwood Spokes cycling club")).one()
    lon, lat = club.public_lon, club.public_lat
    near = f"group,selwood spokes  Cycling Club,sport,{lon + 0.0003},{lat},\n"
    far = f"group,Selwood Spokes cycling club,sport,{lon + 0.003},{lat},\n"
    report = import_path(demo, write(tmp_path, "clubs.csv", HEADER + near + far), dry_run=True)
    [skipped] = report.entries[Outcome.SKIPPED]
    assert (skipped.where, skipped.field, skipped.asset_id) == ("row 2", "title", club.id)
    assert skipped.reason.startswith("same title as strength") and "21 m away" in skipped.reason
    assert [entry.where for entry in report.entries[Outcome.ADDED]] == ["row 3"]


def test_same_title_twice_in_one_file_is_added_once(target: orm.Session, tmp_path: Path) -> None:
    rows = "group,Knitters,arts,-2.32,51.23,\ngroup,Knitters,arts,-2.3201,51.2301,\n"
    report = import_path(target, write(tmp_path, "twice.csv", HEADER + rows))
    assert report.counts[Outcome.ADDED] == 1
    assert report.entries[Outcome.SKIPPED][0].reason.startswith("same title as row 2")


def test_one_rejected_row_means_nothing_is_imported(target: orm.Session, tmp_path: Path) -> None:
    rows = "group,Knitters,arts,-2.32,51.23,\ngroup,,arts,-2.32,51.23,\nspace,Hall,pets,-2.32,95,\n"
    report = import_path(target, write(tmp_path, "bad.csv", HEADER + rows))
    assert not report.written and count(target) == 0
    rejected = [(e.where, e.field, e.reason) for e in report.entries[Outcome.REJECTED]]
    assert ("row 3", "title", "must not be empty") in rejected
    assert ("row 4", "lat", "must be between -90 and 90, got 95.0") in rejected
    assert any(where == "row 4" and field == "themes" for where, field, _ in rejected)
    assert report.counts[Outcome.REJECTED] == 2


def test_a_theme_for_rows_that_name_none(target: orm.Session, tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "kind,title,lon,lat\ngroup,Knitters,-2.32,51.23\n")
    assert import_path(target, path).entries[Outcome.REJECTED][0].field == "themes"
    report = import_path(target, path, default_themes=("arts",))
    assert report.written and target.scalars(sa.select(Asset.themes)).one() == ["arts"]


def test_outside_the_area_is_rejected(target: orm.Session, tmp_path: Path) -> None:
    path = write(tmp_path, "far.csv", HEADER + "group,Knitters,arts,-0.12,51.5,\n")
    [entry] = import_path(target, path).entries[Outcome.REJECTED]
    assert (entry.field, entry.reason) == ("location", "is outside the area this assetmap covers")


def test_imported_strengths_keep_their_source_and_id(target: orm.Session, tmp_path: Path) -> None:
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["source", "source_id", "kind", "title", "themes", "lon", "lat"],
            ["osm", "node/42", "space", "Frome Library", "learning", -2.3185, 51.2305],
        ]
    )
    import_path(target, write(tmp_path, "mixed.csv", out.getvalue()))
    stored = target.scalars(sa.select(Asset)).one()
    assert (stored.source, stored.source_id) == ("osm", "node/42")


def test_a_withdrawn_strength_is_not_brought_back(target: orm.Session, tmp_path: Path) -> None:
    from assetmap.storage.assets import withdraw_asset

    path = write(tmp_path, "g.csv", "id," + HEADER + "1,group,Knitters,arts,-2.32,51.23,\n")
    import_path(target, path)
    withdraw_asset(target, target.scalars(sa.select(Asset.id)).one(), by=None)
    target.commit()
    [entry] = import_path(target, path).entries[Outcome.SKIPPED]
    assert "was withdrawn" in entry.reason


def test_an_id_too_long_to_keep_is_rejected(target: orm.Session, tmp_path: Path) -> None:
    path = write(
        tmp_path, "ids.csv", "id," + HEADER + "x" * 201 + ",group,Knitters,arts,-2.32,51.23,\n"
    )
    [entry] = import_path(target, path).entries[Outcome.REJECTED]
    assert (entry.where, entry.field, entry.reason) == (
        "row 2",
        "id",
        "must be at most 200 characters, got 201",
    )
