from __future__ import annotations

import csv
import io
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.exchange.report import Outcome
from assetmap.services.exports import write_export
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import assets as store
from assetmap.storage.exports import ExportFilter
from assetmap.storage.models import Asset, AssetSchedule
from assetmap.storage.schedules import schedules_of
from tests.exchange.helpers import AREA, CELL

HERE = "https://frome.example"
HEADER = ["kind", "title", "themes", "lon", "lat", "meeting_pattern", "opening_times", "source_id"]
ROWS = [
    [
        "group",
        "Book club",
        "arts",
        "-2.32",
        "51.23",
        "First Friday of the month, 7.30pm",
        "",
        "c-1",
    ],
    [
        "group",
        "Youth football",
        "sport",
        "-2.321",
        "51.231",
        "Saturdays 10am–1pm, term time",
        "",
        "c-2",
    ],
    ["group", "Allotment society", "food", "-2.322", "51.232", "Home match days", "", "c-3"],
    ["space", "Town hall", "arts", "-2.323", "51.233", "", "Mon–Sat 9am–10pm", "c-4"],
    ["space", "Meadow", "environment", "-2.324", "51.234", "", "Daily, dawn to dusk", "c-5"],
]


def _csv(folder: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    path = folder / "strengths.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _import(session: orm.Session, path: Path, *, dry_run: bool = False) -> None:
    options = ImportOptions(cell_m=CELL, area=AREA, register=HERE)
    report = run_import(session, path, options, dry_run=dry_run)
    assert not report.entries[Outcome.REJECTED], report.entries[Outcome.REJECTED]
    if report.written:
        session.commit()


def _by_title(session: orm.Session) -> dict[str, Asset]:
    return {asset.title: asset for asset in session.scalars(sa.select(Asset))}


def _described(session: orm.Session) -> dict[str, list[str]]:
    assets = _by_title(session)
    found = schedules_of(session, [asset.id for asset in assets.values()])
    titles = {asset.id: title for title, asset in assets.items()}
    return {titles[i]: [s.describe() for s in items] for i, items in found.items()}


def test_an_import_reads_the_times_it_can_into_schedules(
    session: orm.Session, tmp_path: Path
) -> None:
    _import(session, _csv(tmp_path, ROWS))
    assert _described(session) == {
        "Book club": ["First Friday of the month, 7.30pm"],
        "Youth football": ["Every Saturday, 10am to 1pm"],
        "Town hall": ["Monday to Saturday, 9am to 10pm"],
    }


def test_an_import_keeps_the_note_and_leaves_times_it_cannot_read(
    session: orm.Session, tmp_path: Path
) -> None:
    _import(session, _csv(tmp_path, ROWS))
    session.expire_all()
    assets = _by_title(session)
    assert assets["Book club"].meeting_pattern == ""
    assert assets["Youth football"].meeting_pattern == "term time"
    assert assets["Allotment society"].meeting_pattern == "Home match days"
    assert assets["Town hall"].opening_times == ""
    assert assets["Meadow"].opening_times == "Daily, dawn to dusk"


def test_a_dry_run_makes_no_schedules(session: orm.Session, tmp_path: Path) -> None:
    _import(session, _csv(tmp_path, ROWS), dry_run=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(AssetSchedule)) == 0


def test_an_update_that_changes_the_times_reads_them(session: orm.Session, tmp_path: Path) -> None:
    _import(session, _csv(tmp_path, ROWS))
    meadow = _by_title(session)["Meadow"]
    out = io.BytesIO()
    write_export(session, "csv", ExportFilter(), out, register=HERE)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    for row in rows:
        if row["id"] == str(meadow.id):
            row["opening_times"] = "Weekends 10am–4pm, bookable"
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _import(session, path)
    session.expire_all()
    assert _described(session)["Meadow"] == ["Every Saturday and Sunday, 10am to 4pm"]
    assert store.get_asset(session, meadow.id).opening_times == "bookable"
    assert _described(session)["Book club"] == ["First Friday of the month, 7.30pm"]


def test_importing_the_same_file_again_changes_no_times(
    session: orm.Session, tmp_path: Path
) -> None:
    path = _csv(tmp_path, ROWS)
    _import(session, path)
    before = _described(session)
    options = ImportOptions(cell_m=CELL, area=AREA, register=HERE)
    again = run_import(session, path, options, dry_run=False)
    session.commit()
    assert again.counts[Outcome.UPDATED] == 0 and again.counts[Outcome.SKIPPED] == len(ROWS)
    session.expire_all()
    assert _described(session) == before
    assert _by_title(session)["Youth football"].meeting_pattern == "term time"


def test_a_file_that_no_longer_says_a_time_it_can_read_takes_the_schedule_away(
    session: orm.Session, tmp_path: Path
) -> None:
    _import(session, _csv(tmp_path, ROWS))
    changed = [
        row[:5] + ["By arrangement", "", row[7]] if row[1] == "Book club" else row for row in ROWS
    ]
    _import(session, _csv(tmp_path, changed))
    session.expire_all()
    assert "Book club" not in _described(session)
    assert _by_title(session)["Book club"].meeting_pattern == "By arrangement"
