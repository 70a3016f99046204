from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import orjson
import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.exchange.report import Outcome
from assetmap.services.exports import write_export
from assetmap.storage import assets as store
from assetmap.storage import imports
from assetmap.storage.exports import EXPORT_FIELDS, ExportFilter, public_rows
from assetmap.storage.models import Asset
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from tests.exchange.helpers import import_path

CELL = 400.0
WEST = Area("west", "West", shapely.box(-2.40, 51.20, -2.32, 51.26))


def fill(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> None:
    replace_neighbourhoods(session, [WEST])
    drafts = [
        make_draft(title="Wheelers", lon=-2.33, lat=51.23, welcomes_new_members=True),
        make_draft(
            kind="space", title="Hall", lon=-2.31, lat=51.23, capacity=80, facilities=["kitchen"]
        ),
        make_draft(kind="skill", title="Sewing", lon=-2.3312, lat=51.2311, contact="07700 900123"),
    ]
    store.add_assets(
        session, drafts, owner_id=None, cell_m=CELL, sources=[("osm", "node/1"), ("", ""), ("", "")]
    )
    session.commit()


def test_public_rows_hold_public_fields_only(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, make_draft)
    rows = [
        dict(zip(EXPORT_FIELDS, row, strict=True))
        for batch in public_rows(session, ExportFilter())
        for row in batch
    ]
    skill = next(row for row in rows if row["title"] == "Sewing")
    assert (skill["lon"], skill["lat"]) != (-2.3312, 51.2311)
    assert "07700 900123" not in repr(rows)
    assert [row["neighbourhood"] for row in rows] == ["West", None, "West"]


def test_export_reads_the_same_on_every_backend(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, make_draft)
    out = io.BytesIO()
    write_export(session, "geojson", ExportFilter(), out)
    found = {
        f["properties"]["title"]: f["properties"] for f in orjson.loads(out.getvalue())["features"]
    }
    assert found["Wheelers"]["welcomes_new_members"] is True
    assert found["Hall"]["capacity"] == 80 and found["Hall"]["facilities"] == ["kitchen"]
    assert found["Sewing"]["share_modes"] == ["teach"]
    assert found["Wheelers"]["last_confirmed"] == dt.datetime.now(dt.UTC).date().isoformat()
    assert dt.datetime.fromisoformat(found["Hall"]["updated_at"]).tzinfo is not None
    assert (found["Wheelers"]["source"], found["Wheelers"]["source_id"]) == ("osm", "node/1")


def test_filters_on_every_backend(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, make_draft)

    def titles(filters: ExportFilter) -> list[str]:
        return [row[2] for batch in public_rows(session, filters) for row in batch]

    assert titles(ExportFilter.parse(kinds=["space"])) == ["Hall"]
    assert titles(ExportFilter.parse(neighbourhood="west")) == ["Wheelers", "Sewing"]
    assert titles(ExportFilter.parse(bbox="-2.32,51.2,-2.3,51.3")) == ["Hall"]
    assert titles(ExportFilter(polygon=shapely.box(-2.335, 51.225, -2.325, 51.235))) == [
        "Wheelers",
        "Sewing",
    ]
    assert titles(ExportFilter.parse(changed_since="2999-01-01")) == []


def test_assets_by_source_and_in_area(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    fill(session, make_draft)
    found = imports.assets_by_source(session, [("osm", "node/1"), ("osm", "node/2")])
    assert [a.title for a in found.values()] == ["Wheelers"]
    near = imports.assets_in_area(session, ExportFilter.parse(bbox="-2.34,51.22,-2.32,51.24").bbox)
    assert sorted(title for _, title, _, _, _ in near) == ["Sewing", "Wheelers"]
    sewing = session.scalars(sa.select(Asset).where(Asset.title == "Sewing")).one()
    points = [(lon, lat) for _, _, lon, lat, _ in near]
    assert (sewing.public_lon, sewing.public_lat) in points
    assert (-2.3312, 51.2311) not in points


def test_a_csv_import_is_all_or_nothing_on_every_backend(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23\ngroup,Choir,arts,-2.32,99\n"
    )
    assert not import_path(session, path).written
    assert list(public_rows(session, ExportFilter())) == []
    path.write_text(
        "kind,title,themes,lon,lat\ngroup,Knitters,arts,-2.32,51.23\ngroup,Choir,arts,-2.32,51.24\n"
    )
    assert import_path(session, path).counts[Outcome.ADDED] == 2
    assert import_path(session, path).counts[Outcome.SKIPPED] == 2


def test_csv_text_like_formulas_comes_back_as_it_was_written_on_every_backend(
    session: orm.Session, make_draft: Callable[..., AssetDraft], tmp_path: Path
) -> None:
    formulas = {
        "title": '=HYPERLINK("http://evil.example","Open")',
        "description": "'=already quoted",
        "availability": "-2+3",
        "accessibility": "@SUM(1)",
        "tags": ["=1+2", "-soup"],
    }
    store.add_assets(session, [make_draft(**formulas)], owner_id=None, cell_m=CELL)
    session.commit()
    out = io.BytesIO()
    write_export(session, "csv", ExportFilter(), out)
    path = tmp_path / "renamed.csv"
    path.write_bytes(out.getvalue().replace(b"Open", b"Opened"))
    report = import_path(session, path)
    assert report.counts[Outcome.ADDED] == 1
    [entry] = report.entries[Outcome.ADDED]
    assert entry.title == formulas["title"].replace("Open", "Opened")
    rows = [
        dict(zip(EXPORT_FIELDS, row, strict=True))
        for batch in public_rows(session, ExportFilter())
        for row in batch
    ]
    added = next(row for row in rows if "Opened" in row["title"])
    assert {name: added[name] for name in ("description", "availability", "accessibility")} == {
        name: formulas[name] for name in ("description", "availability", "accessibility")
    }
    assert orjson.loads(added["tags"]) == formulas["tags"]
