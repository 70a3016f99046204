"""A large import's bulk path: the same register as adding row by row, all or nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.privacy import public_point
from assetmap.domain.query import AssetFilter
from assetmap.exchange.report import Outcome
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import assets as store
from assetmap.storage import bulk
from assetmap.storage.models import Asset, AssetTheme, Revision
from assetmap.storage.models.private import PrivatePoint

CELL = 400.0
KINDS = ("group", "space", "skill")
THEMES = ("arts", "sport", "food")
CENTRE = (-2.3213, 51.2300)


def row(i: int) -> dict[str, Any]:
    kind = KINDS[i % 3]
    return {
        "kind": kind,
        "title": f"{('Choir', 'Hall', 'Sewing')[i % 3]} {i}",
        "description": f"Meets weekly, number {i}",
        "themes": [THEMES[i % 3], THEMES[(i + 1) % 3]] if i % 2 else [THEMES[i % 3]],
        "tags": ["bench", f"t{i}"],
        "share_modes": ["teach"] if kind == "skill" else [],
        "lon": round(CENTRE[0] + (i % 7) * 0.0013, 6),
        "lat": round(CENTRE[1] + (i % 5) * 0.0011, 6),
    }


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        for values in rows:
            lists = {k: ",".join(v) for k, v in values.items() if isinstance(v, list)}
            writer.writerow({**values, **lists})
    return path


def import_csv(session: orm.Session, path: Path, batch_size: int = 7) -> Any:
    options = ImportOptions(cell_m=CELL, batch_size=batch_size)
    report = run_import(session, path, options, dry_run=False)
    if report.written:
        session.commit()
    return report


def add_row_by_row(session: orm.Session, rows: list[dict[str, Any]]) -> None:
    for values in rows:
        store.add_asset(session, validate_asset(values), owner_id=None, cell_m=CELL)
    session.commit()


def map_cells(session: orm.Session) -> list[tuple[Any, ...]]:
    if not sa.inspect(session.get_bind()).has_table("map_cell"):
        return []
    rows = session.execute(sa.text("SELECT * FROM map_cell WHERE count > 0")).all()
    return sorted(
        tuple(round(value, 6) if isinstance(value, float) else value for value in values)
        for values in rows
    )


def register(session: orm.Session) -> dict[str, Any]:
    """Return what a person or a search can see of the register, by title, ids aside."""
    assets = session.execute(
        sa.select(
            Asset.title,
            Asset.kind,
            Asset.description,
            Asset.themes,
            Asset.tags,
            Asset.share_modes,
            Asset.public_lon,
            Asset.public_lat,
            Asset.status,
            Asset.last_confirmed,
            Asset.neighbourhood_id,
            Asset.owner_id,
        ).order_by(Asset.title)
    ).all()
    themes = session.execute(
        sa.select(Asset.title, AssetTheme.theme).join(AssetTheme).order_by(Asset.title, "theme")
    ).all()
    revisions = session.execute(
        sa.select(Asset.title, Revision.action, Revision.changes, Revision.user_id)
        .join(Revision)
        .order_by(Asset.title)
    ).all()
    points = session.execute(
        sa.select(Asset.title, PrivatePoint.lon, PrivatePoint.lat)
        .join(PrivatePoint)
        .order_by(Asset.title)
    ).all()
    words = {
        word: sorted(
            s.title for s in store.assets_in_bbox(session, None, AssetFilter(words=(word,)))
        )
        for word in ("choir", "hall", "sewing", "weekly", "t7")
    }
    near = [
        (s.title, round(s.distance_m or 0, 3))
        for s in store.assets_near(session, *CENTRE, 2000, limit=200)
    ]
    return {
        "assets": assets,
        "themes": themes,
        "revisions": revisions,
        "points": points,
        "words": words,
        "near": sorted(near),
        "cells": map_cells(session),
    }


def triggers(session: orm.Session) -> set[str]:
    if session.get_bind().dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    return set(session.scalars(sa.text(query)))


def counts(session: orm.Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
        for model in (Asset, AssetTheme, Revision, PrivatePoint)
    }


@pytest.mark.parametrize("large", [False, True], ids=["small load", "large load"])
def test_a_bulk_import_stores_what_adding_row_by_row_stores(
    session: orm.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    if large:
        monkeypatch.setattr(bulk, "LARGE_LOAD_ROWS", 1)
    rows = [row(i) for i in range(40)]
    report = import_csv(session, write_csv(tmp_path / "strengths.csv", rows))
    assert report.written and report.counts[Outcome.ADDED] == 40
    imported = register(session)
    session.execute(sa.delete(Asset))
    session.commit()
    add_row_by_row(session, rows)
    assert imported == register(session)
    assert len(imported["near"]) == 40
    assert imported["cells"] or not sa.inspect(session.get_bind()).has_table("map_cell")
    assert imported["words"]["choir"] == sorted(r["title"] for r in rows if "Choir" in r["title"])
    assert imported["words"]["t7"] == ["Hall 7"]


def test_a_bulk_import_leaves_every_trigger_as_it_was(
    session: orm.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "LARGE_LOAD_ROWS", 1)
    before = triggers(session)
    assert import_csv(session, write_csv(tmp_path / "s.csv", [row(i) for i in range(20)])).written
    assert triggers(session) == before
    session.execute(sa.update(Asset).where(Asset.title == "Choir 3").values(title="Bell ringers"))
    session.commit()
    found = store.assets_in_bbox(session, None, AssetFilter(words=("ringers",)))
    assert [s.title for s in found] == ["Bell ringers"]


def test_a_bad_row_in_the_middle_names_row_and_field_and_writes_nothing(
    session: orm.Session, tmp_path: Path
) -> None:
    rows = [row(i) for i in range(30)]
    rows[12]["lat"] = 95.0
    before = map_cells(session)
    report = import_csv(session, write_csv(tmp_path / "strengths.csv", rows), batch_size=5)
    assert not report.written
    [rejected] = report.entries[Outcome.REJECTED]
    assert (rejected.where, rejected.field) == ("row 14", "lat")
    assert counts(session) == {"Asset": 0, "AssetTheme": 0, "Revision": 0, "PrivatePoint": 0}
    assert map_cells(session) == before


def test_a_rejected_write_leaves_nothing_and_the_indexes_as_they_were(
    session: orm.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "LARGE_LOAD_ROWS", 1)
    before = triggers(session)
    path = write_csv(tmp_path / "s.csv", [row(i) for i in range(20)])
    drafts = [validate_asset(row(i)) for i in range(20)]
    with (
        pytest.raises(sa.exc.IntegrityError),
        bulk.bulk_load(session, 40, owner_id=None, cell_m=CELL) as load,
    ):
        load.add(drafts, [("file", str(i)) for i in range(20)])
        load.add(drafts[:1], [("file", "0")])
    session.rollback()
    assert counts(session)["Asset"] == 0 and triggers(session) == before
    assert import_csv(session, path).written
    assert len(store.assets_near(session, *CENTRE, 2000, limit=50)) == 20


def test_a_skills_exact_point_is_kept_apart_and_nowhere_else(
    session: orm.Session, tmp_path: Path
) -> None:
    home = (-2.321234, 51.230987)
    skill = {**row(2), "lon": home[0], "lat": home[1]}
    assert import_csv(session, write_csv(tmp_path / "s.csv", [row(0), skill, row(1)])).written
    asset = session.scalars(sa.select(Asset).where(Asset.kind == "skill")).one()
    shown = public_point(asset.kind, *home, CELL)
    assert (asset.public_lon, asset.public_lat) == shown != home
    assert session.execute(sa.select(PrivatePoint.lon, PrivatePoint.lat)).all() == [home]
    [changes] = session.scalars(sa.select(Revision.changes).where(Revision.asset_id == asset.id))
    assert str(home[0]) not in str(changes) and str(home[1]) not in str(changes)
    [found] = [s for s in store.assets_near(session, *home, 2000) if s.kind.value == "skill"]
    assert (found.lon, found.lat) == shown
