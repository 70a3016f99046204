"""Time what keeping the map's cells (``map_cell``) costs a bulk add, on SQLite and PostGIS.

Adds N assets (default 100,000) with ``add_assets`` after ``--before`` assets (default 100,000)
are in, three ways, each in a new database: without ``map_cell`` (the schema before it), with
its triggers counting every row, and as a large load does by default (its insert triggers set
aside and the table rebuilt once, set-based, when the load is large enough). Prints the seconds
of the timed add each way. Run: ``python bench/map_cells.py [--assets N] [--sqlite-only]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
import sqlalchemy as sa
from nearby import drafts

from assetmap.storage import assets, bulk
from assetmap.storage import database as db

BEFORE_MAP_CELL = "0017"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_map_cells"


def timed_add(url: str, revision: str, before: int, n: int, *, rebuild: bool) -> float:
    """Load ``before`` assets untimed into a new database at ``revision``; time adding ``n``."""
    database = db.connect(url)
    large_load = bulk.LARGE_LOAD_ROWS
    try:
        db.upgrade(database, revision)
        every = list(drafts(before + n))
        if before:
            with database.session() as session:
                assets.add_assets(session, every[:before], owner_id=None, cell_m=400.0)
                session.commit()
        if not rebuild:
            bulk.LARGE_LOAD_ROWS = 10 * (before + n)
        start = time.perf_counter()
        with database.session() as session:
            assets.add_assets(session, every[before:], owner_id=None, cell_m=400.0)
            session.commit()
        return time.perf_counter() - start
    finally:
        bulk.LARGE_LOAD_ROWS = large_load
        database.dispose()


def fresh(url: str, folder: Path, label: str) -> str:
    """Return a new empty database of the kind of ``url``."""
    if url.startswith("sqlite"):
        return f"sqlite:///{folder / f'{label}.sqlite'}"
    name = sa.make_url(url).database
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    return url


def main(argv: Sequence[str] | None = None) -> None:
    """Time the add each way on each backend and print the seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000, help="assets added, timed")
    parser.add_argument("--before", type=int, default=100_000, help="assets in beforehand")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostGIS")
    args = parser.parse_args(argv)
    ways = (
        ("without map_cell", BEFORE_MAP_CELL, False),
        ("map_cell by triggers", "head", False),
        ("map_cell, default path", "head", True),
    )
    backends = {"sqlite": "sqlite://", "postgis": POSTGRES}
    if args.sqlite_only:
        del backends["postgis"]
    print(f"add_assets of {args.assets:,} after {args.before:,} (s)")
    with tempfile.TemporaryDirectory(prefix="assetmap-bench-cells-") as tmp:
        for backend, url in backends.items():
            for i, (label, revision, rebuild) in enumerate(ways):
                target = fresh(url, Path(tmp), f"{backend}-{i}")
                seconds = timed_add(target, revision, args.before, args.assets, rebuild=rebuild)
                print(f"  {backend:8} {label:24} {seconds:8.1f}", flush=True)


if __name__ == "__main__":
    main()
