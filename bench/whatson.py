"""Benchmark what's on: reading groups' free text into schedules, and finding the sessions.

Loads N synthetic groups into a fresh database (SQLite, then PostGIS if its server answers),
each with a meeting pattern people really write (the demo's own), then times:

- reading every group's words into schedules (``storage.patterns.read_patterns``, as an
  import and migration 0013 do), in groups per second;
- the front page's "On today" (six sessions), what's on this week within 1.6 km of a point and
  this week in the whole area (200 sessions), each read as the app reads them: schedules that
  can meet each day, soonest first, a batch at a time, until the first sessions are known
  (``storage.whatson.soonest``), beside the same answer worked out from every group that can
  meet in the window (``candidates`` then ``domain.whatson.whats_on``), the baseline.

After loading, the tables are analysed (as autovacuum soon would on PostgreSQL). Each search
runs ``--runs`` times after one warm-up; the median and the slowest are printed, with how many
sessions were listed and how many groups: those listed for a soonest-first read, those read for
the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nearby import CENTRE_LAT, CENTRE_LON, fresh_postgres  # noqa: E402

from assetmap.domain.assets import AssetDraft  # noqa: E402
from assetmap.domain.vocab import Kind, Theme  # noqa: E402
from assetmap.domain.whatson import Window, whats_on  # noqa: E402
from assetmap.storage import assets  # noqa: E402
from assetmap.storage import database as db  # noqa: E402
from assetmap.storage.models import Asset  # noqa: E402
from assetmap.storage.patterns import read_patterns  # noqa: E402
from assetmap.storage.whatson import Near, candidates, soonest  # noqa: E402

SEED = 20261207
HALF_DEG = 0.25
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "assets.geojson"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_whatson"
# A Wednesday evening in winter: the front page at teatime.
NOW = dt.datetime(2026, 12, 9, 17, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def patterns() -> list[str]:
    """Return the demo groups' own words for when they meet."""
    features = json.loads(DEMO.read_text())["features"]
    found = [f["properties"].get("meeting_pattern") for f in features]
    return [text for text in found if text]


def drafts(n: int) -> Iterator[AssetDraft]:
    """Yield n groups spread over a city region, each saying when it meets in words."""
    rng = np.random.default_rng(SEED)
    words = patterns()
    themes = list(Theme)
    lons = CENTRE_LON + rng.uniform(-HALF_DEG, HALF_DEG, n)
    lats = CENTRE_LAT + rng.uniform(-HALF_DEG, HALF_DEG, n)
    which = rng.integers(0, len(words), n)
    theme = rng.integers(0, len(themes), n)
    for i in range(n):
        yield AssetDraft(
            kind=Kind.GROUP,
            title=f"Group {i}",
            lon=round(float(lons[i]), 6),
            lat=round(float(lats[i]), 6),
            themes=(themes[int(theme[i])],),
            meeting_pattern=words[int(which[i])],
            last_confirmed=TODAY,
        )


def load(database: db.Database, n: int) -> tuple[float, float, int]:
    """Add n groups, then read their words into schedules; return both times and how many
    groups were given schedules."""
    started = time.perf_counter()
    with database.session() as session:
        assets.add_assets(session, drafts(n), owner_id=None, cell_m=400.0)
        session.commit()
    added = time.perf_counter() - started
    started = time.perf_counter()
    with database.session() as session:
        ids = session.scalars(sa.select(Asset.id).where(Asset.kind == Kind.GROUP)).all()
        read = read_patterns(session, ids, today=TODAY)
        session.commit()
    seconds = time.perf_counter() - started
    # What the database does soon after a load this size on its own (autovacuum on PostgreSQL):
    # without table statistics its planner reads every group for a page of ten.
    with database.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("ANALYZE")
        else:
            connection.exec_driver_sql("VACUUM ANALYZE asset")
            connection.exec_driver_sql("VACUUM ANALYZE asset_schedule")
    return added, seconds, read


Search = Callable[[orm.Session], tuple[int, int]]


def timed(database: db.Database, search: Search, runs: int) -> dict[str, float]:
    """Run ``search`` once to warm up, then ``runs`` times; return its median and worst."""
    with database.session() as session:
        search(session)
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            groups, sessions = search(session)
            seconds.append(time.perf_counter() - started)
    return {
        "median_ms": statistics.median(seconds) * 1000,
        "worst_ms": max(seconds) * 1000,
        "groups": groups,
        "sessions": sessions,
    }


def searches() -> dict[str, Search]:
    today = Window.today(NOW)
    week = Window.this_week(NOW)
    near = Near(CENTRE_LON, CENTRE_LAT, 1600)

    def soonest_first(window: Window, most: int, **filters: object) -> Search:
        def search(session: orm.Session) -> tuple[int, int]:
            answer = soonest(session, window, most=most, **filters)  # type: ignore[arg-type]
            return len({o.group.asset_id for o in answer.occasions}), answer.count

        return search

    def every_group(window: Window, most: int, **filters: object) -> Search:
        def search(session: orm.Session) -> tuple[int, int]:
            days = (window.first_day, window.last_day)
            found = candidates(session, days=days, **filters)  # type: ignore[arg-type]
            return len(found), whats_on(found, window, most=most).count

        return search

    return {
        "On today (front page), soonest first": soonest_first(today, 6),
        "  from every group meeting today": every_group(today, 6),
        "This week within 1.6 km, soonest first": soonest_first(week, 200, near=near),
        "  from every group meeting then": every_group(week, 200, near=near),
        "This week, whole area, soonest first": soonest_first(week, 200),
        "  from every group meeting then ": every_group(week, 200),
    }


def bench(backend: str, url: str, n: int, runs: int) -> None:
    database = db.connect(url)
    db.upgrade(database)
    added, read_s, read = load(database, n)
    print(f"\n{backend}, {n:,} groups (added in {added:.1f} s)")
    print(
        f"  read words into schedules: {read:,} of {n:,} groups in {read_s:.2f} s "
        f"({n / read_s:,.0f} groups/s)"
    )
    print(f"  {'search':<42}{'median':>10}{'worst':>10}{'groups':>10}{'sessions':>10}")
    for name, search in searches().items():
        got = timed(database, search, runs)
        print(
            f"  {name:<42}{got['median_ms']:>8.0f}ms{got['worst_ms']:>8.0f}ms"
            f"{got['groups']:>10,}{got['sessions']:>10,}"
        )
    database.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="20000,100000", help="comma-separated sizes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ASSETMAP_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostGIS")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.groups.split(",")]
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            bench("SQLite", f"sqlite:///{folder}/whatson.db", n, args.runs)
        if not args.sqlite_only:
            if fresh_postgres(args.postgres_url):
                bench("PostGIS", args.postgres_url, n, args.runs)
            else:
                print(f"\nPostGIS: no server answers at {args.postgres_url}; skipped")


if __name__ == "__main__":
    main()
