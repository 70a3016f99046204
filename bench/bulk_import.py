"""Benchmark a large CSV import against the store's own floor, on SQLite and PostGIS.

Writes a CSV of N synthetic strengths (``export.drafts``, the export benchmark's), then, each
in a process of its own so that peak memory (the child's peak RSS, from ``wait4``) is its alone:

- SQLite: ``flask --app assetmap import`` of the CSV into an empty register, beside the floor
  for any import: sqlite3 alone writing the rows that import wrote (assets, exact points,
  themes, revisions, the R*Tree and the FTS5 index) into another empty register, in one
  transaction, with the rows read before the clock starts;
- PostGIS: the same command into an empty PostGIS register, in rows per second, beside
  ``COPY`` alone of the same CSV into a bare table of text columns.

Run: ``python bench/bulk_import.py [--rows 1000000] [--postgres URL] [--no-postgis]``.
The targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export import drafts  # noqa: E402
from nearby import fresh_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLASK = Path(sys.executable).with_name("flask")
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_bulk"
COLUMNS = (
    "kind",
    "title",
    "lon",
    "lat",
    "themes",
    "description",
    "tags",
    "share_modes",
    "meeting_pattern",
    "opening_times",
    "capacity",
)
# The tables an import of new strengths writes, and the order the floor writes them in (the
# map's cells apart: the floor leaves them out, which only makes it lower).
TABLES = ("asset", "private_point", "asset_theme", "revision", "asset_schedule")
# The page cache the app's connections have (``storage.database.connect``).
CACHE_MB = 64
SQLITE_RATIO, POSTGIS_ROWS_PER_S, PEAK_MB = 1.25, 50_000, 300


def write_csv(path: Path, n: int) -> None:
    """Write n synthetic strengths as a CSV the importer reads by its usual column names."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for draft in drafts(n):
            writer.writerow(
                (
                    draft.kind.value,  # type: ignore[attr-defined]
                    draft.title,  # type: ignore[attr-defined]
                    draft.lon,  # type: ignore[attr-defined]
                    draft.lat,  # type: ignore[attr-defined]
                    ",".join(t.value for t in draft.themes),  # type: ignore[attr-defined]
                    draft.description,  # type: ignore[attr-defined]
                    ",".join(draft.tags),  # type: ignore[attr-defined]
                    ",".join(m.value for m in draft.share_modes),  # type: ignore[attr-defined]
                    draft.meeting_pattern,  # type: ignore[attr-defined]
                    draft.opening_times,  # type: ignore[attr-defined]
                    "" if draft.capacity is None else draft.capacity,  # type: ignore[attr-defined]
                )
            )


def migrate(url: str) -> None:
    """Make an empty register at ``url``."""
    from assetmap.storage import database as db

    database = db.connect(url)
    db.upgrade(database)
    database.dispose()


def floor(source: str, target: str) -> dict[str, float]:
    """Write the rows an import wrote into ``source`` into the empty register ``target``, with
    sqlite3 alone; return the seconds of each step.

    The rows are read before the clock starts, so the time is SQLite's own work: the rows
    (strengths, exact points, themes, revisions, schedules) and their indexes, the R*Tree and
    FTS5 filled from the asset rows, and the commit, in one transaction, with the insert
    triggers set aside. No reading of the file, no checking, no planning: no import into this
    schema can be faster.
    """
    import sqlite3

    with sqlite3.connect(source) as reader:
        rows = {table: reader.execute(f"SELECT * FROM {table}").fetchall() for table in TABLES}
    writer = sqlite3.connect(target, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA synchronous = NORMAL")
    writer.execute(f"PRAGMA cache_size = {-1024 * CACHE_MB}")
    parts: dict[str, float] = {}
    started = time.perf_counter()
    writer.execute("BEGIN IMMEDIATE")
    # Every insert trigger set aside, the map's cells' too: the floor writes less than an
    # import must, which only makes it lower.
    triggers = writer.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN "
        "('asset_index_insert', 'map_cell_asset_insert', 'map_cell_theme_insert')"
    ).fetchall()
    for trigger, _sql in triggers:
        writer.execute(f"DROP TRIGGER {trigger}")
    for table in TABLES:
        begun = time.perf_counter()
        if rows[table]:
            marks = ", ".join("?" * len(rows[table][0]))
            writer.executemany(f"INSERT INTO {table} VALUES ({marks})", rows[table])
        parts[table] = time.perf_counter() - begun
    for step, sql in (
        (
            "R*Tree",
            "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, "
            "public_lat FROM asset",
        ),
        (
            "FTS5",
            "INSERT INTO asset_fts(rowid, title, description, tags) "
            "SELECT id, title, description, tags FROM asset",
        ),
    ):
        begun = time.perf_counter()
        writer.execute(sql)
        parts[step] = time.perf_counter() - begun
    begun = time.perf_counter()
    for _trigger, sql in triggers:
        writer.execute(sql)
    writer.execute("COMMIT")
    parts["commit"] = time.perf_counter() - begun
    parts["total"] = time.perf_counter() - started
    writer.close()
    return parts


def copy_alone(url: str, csv_path: Path) -> float:
    """Return the seconds ``COPY`` takes to load the CSV into a bare table of text columns."""
    conninfo = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        columns = ", ".join(f"{name} text" for name in COLUMNS)
        connection.execute(
            f"DROP TABLE IF EXISTS bare_import; CREATE TABLE bare_import ({columns})"
        )
        connection.commit()
        started = time.perf_counter()
        with (
            connection.cursor().copy("COPY bare_import FROM STDIN (FORMAT csv, HEADER)") as copy,
            csv_path.open("rb") as handle,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        connection.commit()
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bare_import")
        connection.commit()
    return seconds


def child(task: str, *args: str) -> None:
    """Run one task in this process and print what it returns as JSON."""
    if task == "csv":
        write_csv(Path(args[0]), int(args[1]))
        print(json.dumps({}))
    elif task == "migrate":
        migrate(args[0])
        print(json.dumps({}))
    elif task == "floor":
        print(json.dumps(floor(args[0], args[1])))
    elif task == "copy":
        print(json.dumps({"total": copy_alone(args[0], Path(args[1]))}))


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a command in a child process; return its wall seconds, peak RSS in MB and output.

    Files written before are flushed first, so no run is timed while the system writes out
    another's.
    """
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, **(env or {})}, cwd=ROOT
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def task(name: str, *args: str) -> dict[str, float]:
    """Run one of this script's tasks in a child process; return what it printed."""
    _, _, output = run([sys.executable, __file__, "--child", name, *args])
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def import_command(url: str, csv_path: Path) -> tuple[float, float, str]:
    """Run ``flask --app assetmap import`` of the CSV into ``url``."""
    env = {
        "ASSETMAP_DATABASE_URL": url,
        "ASSETMAP_IMPORT_MAX_MB": "100000",
        "ASSETMAP_IMPORT_MAX_ROWS": "100000000",
    }
    return run([str(FLASK), "--app", "assetmap", "import", str(csv_path)], env)


def line(what: str, rate: float, note: str = "") -> None:
    """Print one figure with its rows per second."""
    print(f"{what} {rate:10,.0f} rows/s  {note}".rstrip(), flush=True)


def sqlite(folder: Path, csv_path: Path, n: int) -> None:
    """Print the SQLite import's time and peak memory beside the floor measured now."""
    target, bare = folder / "import.db", folder / "floor.db"
    task("migrate", f"sqlite:///{target}")
    task("migrate", f"sqlite:///{bare}")
    seconds, peak_mb, output = import_command(f"sqlite:///{target}", csv_path)
    parts = task("floor", str(target), str(bare))
    ratio = seconds / parts["total"]
    print(f"SQLite, {n:,} rows")
    line(f"  import command        {seconds:9.2f} s", n / seconds, f"peak {peak_mb:6.0f} MB")
    print(f"  sqlite3 alone (floor) {parts['total']:9.2f} s {n / parts['total']:10,.0f} rows/s")
    for step in (*TABLES, "R*Tree", "FTS5", "commit"):
        print(f"    of which {step:<13}{parts[step]:8.2f} s")
    print(
        f"  import / floor {ratio:.2f}x (target at most {SQLITE_RATIO}x); "
        f"peak RSS {peak_mb:.0f} MB (target under {PEAK_MB} MB)"
    )
    print("  " + output.strip().splitlines()[0])


def postgis(url: str, csv_path: Path, n: int) -> None:
    """Print the PostGIS import's rows per second beside COPY alone measured now."""
    if not fresh_postgres(url):
        return
    task("migrate", url)
    seconds, peak_mb, output = import_command(url, csv_path)
    copy = task("copy", url, str(csv_path))["total"]
    print(f"PostGIS, {n:,} rows")
    line(f"  import command        {seconds:9.2f} s", n / seconds, f"peak {peak_mb:6.0f} MB")
    print(f"  COPY alone, bare table{copy:9.2f} s {n / copy:10,.0f} rows/s")
    print(f"  import {n / seconds:,.0f} rows/s (target at least {POSTGIS_ROWS_PER_S:,})")
    print("  " + output.strip().splitlines()[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=POSTGRES_URL, help="a database to drop and make")
    parser.add_argument("--no-postgis", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="assetmap-bulk-") as name:
        folder = Path(name)
        csv_path = folder / "strengths.csv"
        task("csv", str(csv_path), str(args.rows))
        size = csv_path.stat().st_size / 1024 / 1024
        print(f"{args.rows:,} synthetic strengths, CSV of {size:.0f} MB", flush=True)
        if not args.no_sqlite:
            sqlite(folder, csv_path, args.rows)
        if not args.no_postgis:
            postgis(args.postgres, csv_path, args.rows)


if __name__ == "__main__":
    main()
