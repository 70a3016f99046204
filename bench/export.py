"""Benchmark exports and a CSV import at 100,000 and 1,000,000 assets.

Loads N synthetic assets into a temporary SQLite file with ``add_assets``, then, each in its
own process so that peak memory (the child's peak RSS, from ``wait4``) is its alone, times:

- each export format (GeoJSON, CSV, GeoPackage, HSDS), streamed to a file through a connection
  of its own with ``EXPORT_CACHE_MB`` of SQLite page cache, as ``flask export`` does; and
  GeoJSON once more with the app's 64 MB cache, as a web export has;
- ``GeoDataFrame.to_file`` (pyogrio) writing the same rows and columns as GeoJSON and
  GeoPackage, the way a script without assetmap's streaming writers would: every public row
  read into one GeoDataFrame, then written (the write alone is printed too);
- importing the CSV export into an empty database (``run_import``, not a dry run);
- beside it, the floor for any import: sqlite3 alone writing the rows that import wrote into
  another empty database, with no reading, checking or planning;
- the whole command a person runs, ``flask --app assetmap export``, for every format it offers,
  each its own process: its peak RSS from ``wait4`` beside the 150 MB target, and beside the
  same command stopping once the app is loaded (``export --help``), the floor no export can go
  under.

Run: ``python bench/export.py [--assets 200000] [--no-import] [--no-export] [--no-commands]``.
Prints a table per size, and the GeoJSON speed and command memory each beside its target.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20261130
CHUNK = 50_000
CENTRE_LON, CENTRE_LAT, HALF_DEG = -2.6, 51.45, 0.3
KINDS = ("skill", "group", "space")
WORDS = ("Bike repair", "Choir", "Book club", "Allotment", "Community hall", "Sewing", "Spanish")
FORMATS = ("geojson", "csv", "gpkg", "hsds")
# Every format ``flask --app assetmap export`` offers: the register's, then a fund's awards.
COMMAND_FORMATS = (*FORMATS, "360giving", "360giving-csv")
# The targets: the whole export command's peak RSS at 200,000 strengths, and GeoJSON's
# features per second over reading the layer and ``GeoDataFrame.to_file``.
COMMAND_TARGET_MB = 150
GEOJSON_TARGET_RATIO = 2.5


def drafts(n: int) -> Iterator[object]:
    """Yield n synthetic drafts, a chunk at a time."""
    from assetmap.domain.assets import AssetDraft
    from assetmap.domain.vocab import Kind, ShareMode, Theme

    rng = np.random.default_rng(SEED)
    themes = list(Theme)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        lons = (CENTRE_LON + rng.uniform(-HALF_DEG, HALF_DEG, m)).round(6).tolist()
        lats = (CENTRE_LAT + rng.uniform(-HALF_DEG, HALF_DEG, m)).round(6).tolist()
        kinds = rng.integers(0, 3, m).tolist()
        picks = rng.integers(0, len(themes), m).tolist()
        for i in range(m):
            kind = Kind(KINDS[kinds[i]])
            yield AssetDraft(
                kind=kind,
                title=f"{WORDS[(start + i) % len(WORDS)]} {start + i}",
                lon=lons[i],
                lat=lats[i],
                themes=(themes[picks[i]],),
                description="A synthetic strength for the export benchmark.",
                tags=("bench",),
                share_modes=(ShareMode.TEACH,) if kind is Kind.SKILL else (),
                meeting_pattern="Tuesdays, 7pm" if kind is Kind.GROUP else "",
                opening_times="Daily 9 to 5" if kind is Kind.SPACE else "",
                capacity=40 if kind is Kind.SPACE else None,
            )


def build(path: Path, n: int) -> float:
    """Create a SQLite register of n assets at ``path``; return the seconds it took."""
    from assetmap.storage import assets
    from assetmap.storage import database as db

    database = db.connect(f"sqlite:///{path}")
    db.upgrade(database)
    started = time.perf_counter()
    with database.session() as session:
        assets.add_assets(session, drafts(n), owner_id=None, cell_m=400.0)
        session.commit()
    database.dispose()
    return time.perf_counter() - started


# The seconds of one step of a task, printed under its line (see PARTS).
DETAILS: dict[str, Any] = {}


def child(task: str, fmt: str, database: str, out: str) -> None:
    """Run one measured task in this process and print its figures as JSON.

    The modules a task needs are imported before the clock starts.
    """
    for module in MODULES[task]:
        importlib.import_module(module)
    started = time.perf_counter()
    count = TASKS[task](fmt, database, out)
    seconds = time.perf_counter() - started
    print(json.dumps({"rows": count, "seconds": seconds, **DETAILS}))


def _build(n: str, database: str, _out: str) -> int:
    build(Path(database), int(n))
    return int(n)


def _export(fmt: str, database: str, out: str, cache_mb: int | None = None) -> int:
    from assetmap.services.exports import write_export
    from assetmap.storage import database as db
    from assetmap.storage.exports import EXPORT_CACHE_MB, ExportFilter

    engine = db.connect(f"sqlite:///{database}", cache_mb=cache_mb or EXPORT_CACHE_MB)
    with engine.session() as session, open(out, "wb") as handle:
        return write_export(session, fmt, ExportFilter(), handle)


def _export_app_cache(fmt: str, database: str, out: str) -> int:
    return _export(fmt, database, out, cache_mb=APP_CACHE_MB)


def _to_file(fmt: str, database: str, out: str) -> int:
    from assetmap.exchange.export import frame
    from assetmap.storage import database as db
    from assetmap.storage.exports import EXPORT_CACHE_MB, ExportFilter, public_rows

    engine = db.connect(f"sqlite:///{database}", cache_mb=EXPORT_CACHE_MB)
    with engine.session() as session:
        layer = frame([row for batch in public_rows(session, ExportFilter()) for row in batch])
    started = time.perf_counter()
    layer.to_file(out, driver="GeoJSON" if fmt == "geojson" else "GPKG", engine="pyogrio")
    DETAILS["part_seconds"] = time.perf_counter() - started
    return len(layer)


def _migrate(_fmt: str, database: str, _out: str) -> int:
    from assetmap.storage import database as db

    db.upgrade(db.connect(f"sqlite:///{database}"))
    return 0


def _import(fmt: str, database: str, out: str) -> int:
    from assetmap.services.importing import ImportOptions, run_import
    from assetmap.storage import assets
    from assetmap.storage import database as db

    target = db.connect(f"sqlite:///{database}")
    write = assets.add_assets
    DETAILS["part_seconds"] = 0.0

    def timed_write(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return write(*args, **kwargs)
        finally:
            DETAILS["part_seconds"] += time.perf_counter() - started

    assets.add_assets = timed_write
    with target.session() as session:
        report = run_import(
            session, Path(out), ImportOptions(cell_m=400.0), dry_run=False, max_mb=10_000
        )
        started = time.perf_counter()
        session.commit()
        DETAILS["part_seconds"] += time.perf_counter() - started
    assert report.written, list(report.lines())[:5]
    return report.total


def _write_floor(source: str, database: str, out: str) -> int:
    """Write the rows an import of ``source``'s register writes, with sqlite3 alone.

    The asset, theme and revision rows are read from ``source`` before the clock starts, so
    the time is SQLite's own work: the rows and their indexes, the R*Tree, the FTS5 index, and
    the commit, in one transaction as an import does, with the insert trigger set aside as
    ``add_assets`` sets it aside. No validation, no planning, no assetmap code: no import into
    this schema can be faster.
    """
    import sqlite3

    with sqlite3.connect(source) as reader:
        tables = {
            table: reader.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("asset", "asset_theme", "revision")
        }
    writer = sqlite3.connect(database, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA synchronous = NORMAL")
    writer.execute(f"PRAGMA cache_size = {-1024 * APP_CACHE_MB}")
    steps = {
        "asset rows and their indexes": ("INSERT INTO asset VALUES ({marks})", "asset"),
        "R*Tree": (
            "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, public_lat "
            "FROM asset",
            None,
        ),
        "FTS5": (
            "INSERT INTO asset_fts(rowid, title, description, tags) "
            "SELECT id, title, description, tags FROM asset",
            None,
        ),
        "themes": ("INSERT INTO asset_theme VALUES ({marks})", "asset_theme"),
        "revisions": ("INSERT INTO revision VALUES ({marks})", "revision"),
    }
    parts: dict[str, float] = {}
    started = time.perf_counter()
    writer.execute("BEGIN IMMEDIATE")
    trigger = writer.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'asset_index_insert'"
    ).fetchone()[0]
    writer.execute("DROP TRIGGER asset_index_insert")
    for step, (sql, table) in steps.items():
        begun = time.perf_counter()
        if table is None:
            writer.execute(sql)
        else:
            rows = tables[table]
            writer.executemany(sql.format(marks=", ".join("?" * len(rows[0]))), rows)
        parts[step] = time.perf_counter() - begun
    begun = time.perf_counter()
    writer.execute(trigger)
    writer.execute("COMMIT")
    parts["commit"] = time.perf_counter() - begun
    DETAILS["part_seconds"] = time.perf_counter() - started
    DETAILS["parts"] = parts
    writer.close()
    return len(tables["asset"])


APP_CACHE_MB = 64
EXPORT_MODULES = ("assetmap.services.exports", "assetmap.storage.database")
MODULES = {
    "build": ("assetmap.storage.assets",),
    "export": EXPORT_MODULES,
    "export-app-cache": EXPORT_MODULES,
    "to_file": (*EXPORT_MODULES, "geopandas", "pyogrio"),
    "migrate": ("assetmap.storage.database",),
    "import": ("assetmap.services.importing", "assetmap.storage.database"),
    "floor": (),
}
PARTS = {
    "to_file": "GeoDataFrame.to_file alone",
    "import": "add_assets and the commit",
    "floor": "the writes alone, rows read before",
}
TASKS = {
    "build": _build,
    "export": _export,
    "export-app-cache": _export_app_cache,
    "to_file": _to_file,
    "migrate": _migrate,
    "import": _import,
    "floor": _write_floor,
}


def measure(task: str, fmt: str, database: Path, out: Path) -> dict[str, float]:
    """Run a task in a child process; return its rows, seconds and peak RSS in MB.

    The parent stays small (it never imports assetmap), since a child's peak RSS starts from
    its parent's size at the fork. Files written before are flushed to disk first, so that no
    task is timed while the system writes out the register or another task's file.
    """
    os.sync()
    command = [sys.executable, __file__, "--child", task, fmt, str(database), str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{task} {fmt} failed with exit code {process.returncode}")
    figures = json.loads(output.strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024
    figures["size_mb"] = out.stat().st_size / 1024 / 1024 if out.exists() else 0.0
    return figures


def run(n: int, folder: Path, *, with_import: bool = True, with_export: bool = True) -> None:
    """Build a register of n assets and print every figure for it, a line per task.

    Without ``with_export``, only the CSV export the import reads is made.
    """
    database = folder / f"bench-{n}.db"
    built = measure("build", str(n), database, database)
    print(f"\n{n:,} assets (loaded in {built['seconds']:.1f} s with add_assets)")
    print(f"{'what':<42}{'seconds':>9}{'features/s':>12}{'peak RSS MB':>13}{'file MB':>9}")
    formats = FORMATS if with_export else ("csv",)
    tasks = [(f"export {fmt}", "export", fmt, f"export-{n}.{fmt}") for fmt in formats]
    if with_export:
        app_cache = f"export geojson, the app's {APP_CACHE_MB} MB cache"
        tasks.append((app_cache, "export-app-cache", "geojson", "app.json"))
        tasks += [
            (f"GeoDataFrame.to_file {fmt} (pyogrio)", "to_file", fmt, f"to_file-{n}.{fmt}")
            for fmt in ("geojson", "gpkg")
        ]
    rates: dict[str, float] = {}
    writes: dict[str, float] = {}
    for what, task, fmt, name in tasks:
        figures = measure(task, fmt, database, folder / name)
        rates[what] = report(what, figures, PARTS.get(task))
        if task == "to_file":
            writes[fmt] = figures["rows"] / figures["part_seconds"]
    if with_import:
        target, csv = folder / f"import-{n}.db", folder / f"export-{n}.csv"
        measure("migrate", "", target, target)
        figures = measure("import", "csv", target, csv)
        rates["import"] = report("import csv (run_import, not a dry run)", figures, PARTS["import"])
        rest = figures["seconds"] - figures["part_seconds"]
        print(f"{'  the rest: reading, checking, planning':<42}{rest:>9.2f}")
        floor = folder / f"floor-{n}.db"
        measure("migrate", "", floor, floor)
        figures = measure("floor", str(target), floor, floor)
        writes_only = figures["rows"] / figures["part_seconds"]
        print(
            f"{'sqlite3 alone writing the same rows':<42}{figures['part_seconds']:>9.2f}"
            f"{writes_only:>12,.0f}   (the floor for any import into this schema)",
            flush=True,
        )
        for step, seconds in figures["parts"].items():
            print(f"{'  of which ' + step:<42}{seconds:>9.2f}")
    if not with_export:
        return
    ratio = rates["export geojson"] / rates["GeoDataFrame.to_file geojson (pyogrio)"]
    alone = rates["export geojson"] / writes["geojson"]
    target = f"target {GEOJSON_TARGET_RATIO}x: {_met(ratio >= GEOJSON_TARGET_RATIO)}"
    print(
        f"GeoJSON export: {ratio:.1f}x the features per second of reading and "
        f"GeoDataFrame.to_file ({target}), {alone:.1f}x those of GeoDataFrame.to_file alone"
    )


def commands(n: int, folder: Path) -> None:
    """Print, for each format, the whole ``flask --app assetmap export`` command's seconds (the
    app's loading included) and peak RSS beside the target, and how far it goes beyond the same
    command stopping once the app is loaded."""
    database = folder / f"bench-{n}.db"
    print(f"\nflask --app assetmap export, {n:,} assets, each command its own process")
    print(
        f"{'format':<42}{'seconds':>9}{'features/s':>12}{'peak RSS MB':>13}"
        f"{'over the app':>14}  target"
    )
    loaded = command(["--help"], database, folder)
    print(
        f"{'(the app loaded, export --help)':<42}{loaded['seconds']:>9.2f}{'':>12}"
        f"{loaded['peak_mb']:>13.0f}",
        flush=True,
    )
    for fmt in COMMAND_FORMATS:
        out = folder / f"command-{n}.{fmt}"
        figures = command(["--format", fmt, "--output", str(out)], database, folder)
        rate = n / figures["seconds"] if fmt in FORMATS else 0.0
        within = figures["peak_mb"] < COMMAND_TARGET_MB
        print(
            f"{fmt:<42}{figures['seconds']:>9.2f}{rate:>12,.0f}{figures['peak_mb']:>13.0f}"
            f"{figures['peak_mb'] - loaded['peak_mb']:>+14.0f}"
            f"  < {COMMAND_TARGET_MB} MB: {_met(within)}",
            flush=True,
        )


def command(arguments: list[str], database: Path, folder: Path) -> dict[str, float]:
    """Run ``flask --app assetmap export ARGUMENTS`` on ``database``; return its seconds and
    peak RSS in MB (from ``wait4``: the command's own, since the parent never imports assetmap).
    """
    os.sync()
    environment = {
        **os.environ,
        "ASSETMAP_DATABASE_URL": f"sqlite:///{database}",
        "ASSETMAP_INSTANCE_PATH": str(folder / "instance"),
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "assetmap", "export", *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    said = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export {' '.join(arguments)} failed: {said.decode().strip()}")
    return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024}


def _met(yes: bool) -> str:
    return "met" if yes else "NOT met"


def report(what: str, figures: dict[str, float], part: str | None = None) -> float:
    """Print one line of figures, and the seconds of ``part`` under it; return features/s."""
    rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0.0
    print(
        f"{what:<42}{figures['seconds']:>9.2f}{rate:>12,.0f}"
        f"{figures['peak_mb']:>13.0f}{figures['size_mb']:>9.0f}",
        flush=True,
    )
    if part is not None:
        print(f"{'  of which ' + part:<42}{figures['part_seconds']:>9.2f}", flush=True)
    return rate


def _baseline_mb() -> float:
    command = [sys.executable, "-c", "import assetmap.services.exports, assetmap.storage.database"]
    process = subprocess.Popen(command)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", default="200000", help="comma-separated sizes")
    parser.add_argument("--no-import", action="store_true", help="leave out the CSV import")
    parser.add_argument(
        "--no-export", action="store_true", help="leave out every export but the CSV one"
    )
    parser.add_argument(
        "--no-commands", action="store_true", help="leave out the whole export commands"
    )
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(
        "Peak RSS is each child process's own, from wait4; a Python with assetmap's export "
        f"modules loaded and no rows read holds about {_baseline_mb():.0f} MB.",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="assetmap-bench-") as folder:
        for n in (int(size) for size in args.assets.split(",")):
            run(n, Path(folder), with_import=not args.no_import, with_export=not args.no_export)
            if not args.no_commands:
                commands(n, Path(folder))


if __name__ == "__main__":
    main()
