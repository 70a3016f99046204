from __future__ import annotations

import csv
import gc
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.exchange import batches
from assetmap.exchange.report import ENTRIES_KEPT, Outcome
from assetmap.storage import assets as store
from tests.exchange.helpers import CELL, copy_of, empty_template, export_bytes, import_path

TRICKY_TITLE = 'Knit "},{"type":"Feature","id":9, club'


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(empty_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def fill(session: orm.Session, drafts: list[AssetDraft]) -> None:
    store.add_assets(session, drafts, owner_id=None, cell_m=CELL)
    session.commit()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_a_title_like_the_join_between_two_features_comes_out_whole(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, [make_draft(title=TRICKY_TITLE), make_draft(title="Choir", lon=-2.31)])
    found = orjson.loads(export_bytes(session, "geojson"))["features"]
    assert [f["properties"]["title"] for f in found] == [TRICKY_TITLE, "Choir"]


def test_features_of_many_batches_make_one_collection_in_id_order(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, [make_draft(title=f"Club {i}", lon=-2.32 + i / 1000) for i in range(600)])
    found = orjson.loads(export_bytes(session, "geojson"))["features"]
    assert [f["properties"]["title"] for f in found] == [f"Club {i}" for i in range(600)]
    assert [f["id"] for f in found] == sorted(f["id"] for f in found)


def test_csv_lists_stay_right_when_the_remembered_cells_are_forgotten(
    session: orm.Session,
    make_draft: Callable[..., AssetDraft],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batches._Joined, "LIMIT", 2)
    tags = [(f"tag{i}", "shared") for i in range(5)]
    fill(session, [make_draft(title=f"Club {i}", tags=t) for i, t in enumerate(tags)])
    rows = csv_rows(export_bytes(session, "csv"))
    assert [row["tags"] for row in rows] == [",".join(t) for t in tags]


def test_csv_writes_flags_and_empty_lists_as_a_spreadsheet_shows_them(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(
        session,
        [
            make_draft(title="Wheelers", welcomes_new_members=True),
            make_draft(title="Riders", welcomes_new_members=False),
            make_draft(kind="space", title="Hall", facilities=["kitchen", "toilets"]),
        ],
    )
    rows = {row["title"]: row for row in csv_rows(export_bytes(session, "csv"))}
    assert [rows[t]["welcomes_new_members"] for t in ("Wheelers", "Riders", "Hall")] == [
        "yes",
        "no",
        "",
    ]
    assert (rows["Hall"]["facilities"], rows["Wheelers"]["facilities"]) == ("kitchen,toilets", "")


@pytest.mark.parametrize("fmt", ["geojson", "csv"])
def test_an_export_leaves_the_garbage_collector_as_it_found_it(
    session: orm.Session, make_draft: Callable[..., AssetDraft], fmt: str
) -> None:
    fill(session, [make_draft()])
    export_bytes(session, fmt)
    assert gc.isenabled()
    gc.disable()
    try:
        export_bytes(session, fmt)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_import_leaves_the_garbage_collector_running(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23\n")
    assert import_path(session, path).written
    assert gc.isenabled()


def test_csv_blank_lines_and_short_rows_are_read(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat,description\n"
        "group,Knitters,arts,-2.32,51.23\n"
        "\n"
        "group,Choir,arts,-2.31,51.23,Sings on Tuesdays\n"
    )
    report = import_path(session, path)
    assert report.written and report.counts[Outcome.ADDED] == 2
    features = orjson.loads(export_bytes(session, "geojson"))["features"]
    described = {f["properties"]["title"]: f["properties"]["description"] for f in features}
    assert described == {"Knitters": "", "Choir": "Sings on Tuesdays"}


def test_csv_columns_are_read_by_their_aliases(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(" Kind ,Title,themes,Longitude,lat\ngroup,Knitters,arts,-2.32,51.23\n")
    assert import_path(session, path).counts[Outcome.ADDED] == 1
    [feature] = orjson.loads(export_bytes(session, "geojson"))["features"]
    assert feature["geometry"]["coordinates"] == [-2.32, 51.23]


def test_a_long_import_counts_every_row_and_names_the_first_few(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    rows = [f"group,Club {i},arts,{-2.40 + i / 10_000:.4f},51.23" for i in range(ENTRIES_KEPT + 20)]
    path.write_text("kind,title,themes,lon,lat\n" + "\n".join(rows) + "\n")
    report = import_path(session, path, dry_run=True)
    assert report.counts[Outcome.ADDED] == ENTRIES_KEPT + 20
    assert [e.where for e in report.entries[Outcome.ADDED][:2]] == ["row 2", "row 3"]
    assert report.hidden(Outcome.ADDED) == 20
