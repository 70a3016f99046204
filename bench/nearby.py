"""Benchmark ``assets_near`` on SQLite and PostGIS with a city of synthetic assets.

Loads N assets with ``add_assets``, then times ``assets_near`` (1 km, 50 results) against the
same search run straight on each backend's spatial index, and checks that both answer with the
same ids in the same order. Run: ``python bench/nearby.py [--assets N] [--queries Q]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import psycopg
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.geo import GEOD, bbox_around
from assetmap.domain.vocab import Kind, ShareMode, Theme
from assetmap.storage import assets
from assetmap.storage import database as db

SEED = 20261130
CENTRE_LON, CENTRE_LAT = -2.6, 51.45
HALF_M = 22_500.0  # the region is 45 km square
M_PER_DEG_LAT = 111_250.0
CLUSTERS = 8
RADIUS_M, LIMIT, CHECKED, WARMUP, CHUNK = 1000.0, 50, 50, 200, 50_000
KINDS, KIND_SHARE = (Kind.SKILL, Kind.GROUP, Kind.SPACE), (0.45, 0.30, 0.25)
THEMES = tuple(Theme)
TITLES = {
    Kind.SKILL: ("Bike repair", "Baking", "Guitar", "Gardening", "Spanish", "Sewing", "IT help"),
    Kind.GROUP: ("Walking group", "Choir", "Book club", "Parent and toddler", "Repair cafe"),
    Kind.SPACE: ("Community hall", "Church room", "Library corner", "Allotment", "Pub back room"),
}
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench"
SQLITE_BARE = (
    "SELECT a.id, a.public_lon, a.public_lat FROM asset_rtree r CROSS JOIN asset a ON a.id = r.id "
    "WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ? "
    "AND a.status = 'published'"
)
SQLITE_ROWS = (
    "SELECT id, kind, title, themes, public_lon, public_lat, last_confirmed FROM asset "
    "WHERE id IN ({marks})"
)
POSTGIS_BARE = (
    "SELECT id, kind, title, themes, public_lon, public_lat, last_confirmed, geog <-> pt, "
    "ST_Distance(geog, pt) "
    "FROM asset, (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326)::geography AS pt) q "
    "WHERE status = 'published' ORDER BY geog <-> pt LIMIT %s"
)
Search = Callable[[float, float], list[tuple[int, float]]]  # (id, metres), nearest first


def points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return n lon/lat points: 60% spread evenly over the region, 40% in dense clusters."""
    fixed = np.random.default_rng(SEED)  # the clusters are the same for assets and queries
    centres = fixed.uniform(-0.7 * HALF_M, 0.7 * HALF_M, (CLUSTERS, 2))
    sigmas = np.linspace(600.0, 2500.0, CLUSTERS)
    xy = rng.uniform(-HALF_M, HALF_M, (n, 2))
    clustered = rng.random(n) < 0.4
    which = rng.integers(0, CLUSTERS, int(clustered.sum()))
    xy[clustered] = centres[which] + rng.normal(size=(which.size, 2)) * sigmas[which, None]
    xy = np.clip(xy, -HALF_M, HALF_M)
    lon = CENTRE_LON + xy[:, 0] / (M_PER_DEG_LAT * np.cos(np.radians(CENTRE_LAT)))
    return lon, CENTRE_LAT + xy[:, 1] / M_PER_DEG_LAT


def drafts(n: int) -> Iterator[AssetDraft]:
    """Yield n synthetic drafts, made a chunk at a time so memory stays flat."""
    rng = np.random.default_rng(SEED)
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        lon, lat = (values.tolist() for values in points(rng, m))
        kinds = rng.choice(len(KINDS), m, p=KIND_SHARE).tolist()
        first = rng.integers(0, len(THEMES), m)
        other = (first + rng.integers(1, len(THEMES), m)) % len(THEMES)
        second = np.where(rng.random(m) < 0.5, other, -1).tolist()
        words = rng.integers(0, 1000, m).tolist()
        for i, first_theme in enumerate(first.tolist()):
            kind = KINDS[kinds[i]]
            names = TITLES[kind]
            title = f"{names[words[i] % len(names)]} {start + i + 1}"
            themes = (THEMES[first_theme],) + ((THEMES[second[i]],) if second[i] >= 0 else ())
            yield AssetDraft(
                kind=kind,
                title=title,
                lon=lon[i],
                lat=lat[i],
                themes=themes,
                description=f"{title}, open to all; ask for {words[i]}.",
                share_modes=(ShareMode.TEACH,) if kind is Kind.SKILL else (),
            )


def load(database: db.Database, n: int) -> float:
    """Create the schema, load n assets with ``add_assets`` in one transaction; return seconds."""
    db.upgrade(database)
    with database.session() as session:
        start = time.perf_counter()
        assets.add_assets(session, drafts(n), owner_id=None, cell_m=400.0)
        session.commit()
        return time.perf_counter() - start


def app_search(session: orm.Session) -> Search:
    """Return a search through ``assets_near``."""
    return lambda lon, lat: [
        (a.id, a.distance_m) for a in assets.assets_near(session, lon, lat, RADIUS_M)
    ]


def sqlite_search(path: Path) -> Search:
    """Return the same growing-box search straight on the R*Tree with the sqlite3 module.

    Candidates come from the index, each joined to its row for the public point and status;
    the rows of the winners are then read by id, as assetmap does.
    """
    connection = sqlite3.connect(path)

    def search(lon: float, lat: float) -> list[tuple[int, float]]:
        reach = min(125.0, RADIUS_M)
        while True:
            box = bbox_around(lon, lat, reach)
            rows = connection.execute(
                SQLITE_BARE, (box.min_lon, box.max_lon, box.min_lat, box.max_lat)
            ).fetchall()
            n, ids = len(rows), np.array([row[0] for row in rows], dtype=np.int64)
            lons, lats = np.array([row[1] for row in rows]), np.array([row[2] for row in rows])
            dist = (
                np.asarray(GEOD.inv(np.full(n, lon), np.full(n, lat), lons, lats)[2]) if n else lons
            )
            keep = np.flatnonzero(dist <= RADIUS_M)
            order = keep[np.lexsort((ids[keep], dist[keep]))]
            if reach >= RADIUS_M or (order.size >= LIMIT and dist[order[LIMIT - 1]] <= reach):
                winners = [int(ids[i]) for i in order[:LIMIT]]
                marks = ", ".join("?" * len(winners))
                connection.execute(SQLITE_ROWS.format(marks=marks), winners).fetchall()
                return [(int(ids[i]), float(dist[i])) for i in order[:LIMIT]]
            reach = min(reach * 2, RADIUS_M)

    return search


def postgis_search(url: str) -> Search:
    """Return the same search straight on the GiST index with psycopg (prepared, one connection).

    The same answer as ``assets_near``: ``<->`` walks the index in sphere order, so the rows
    come a few more than the limit at a time, those within the radius ranked by spheroid metres
    then id, until the sphere-to-spheroid bound shows nothing unfetched can be nearer or inside
    the radius. A plain ``ORDER BY geog <-> pt LIMIT 50`` is quicker but answers a different
    question (sphere order, ties in no particular order, nothing about the radius).
    """
    connection = psycopg.connect(_libpq(url), autocommit=True)

    def search(lon: float, lat: float) -> list[tuple[int, float]]:
        fetch = LIMIT + 8
        while True:
            rows = connection.execute(POSTGIS_BARE, (lon, lat, fetch), prepare=True).fetchall()
            ranked = sorted(
                (row for row in rows if row[8] <= RADIUS_M), key=lambda row: (row[8], row[0])
            )
            bound = ranked[LIMIT - 1][8] if len(ranked) >= LIMIT else RADIUS_M
            if len(rows) < fetch or bound * 1.0057 < rows[-1][7]:
                return [(row[0], row[8]) for row in ranked[:LIMIT]]
            fetch *= 4

    return search


def _libpq(url: str, database: str | None = None) -> str:
    """Return a SQLAlchemy URL as a libpq one, optionally for another database."""
    parsed = sa.make_url(url).set(drivername="postgresql")
    return (parsed.set(database=database) if database else parsed).render_as_string(False)


def fresh_postgres(url: str) -> bool:
    """Drop and recreate the benchmark database; return False if the server is unreachable."""
    name = sa.make_url(url).database
    try:
        admin = psycopg.connect(_libpq(url, "postgres"), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable ({str(exc).strip().splitlines()[0]}); benching SQLite only")
        return False
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def check(app: Search, bare: Search, pairs: list[tuple[float, float]]) -> None:
    """Print at how many points both searches answer the same ids, in the same order."""
    given = ranked = metres = 0
    for lon, lat in pairs:
        mine, theirs = app(lon, lat), bare(lon, lat)
        ids = [i for i, _ in mine]
        given += ids == [i for i, _ in theirs]
        ranked += ids == [i for _, i in sorted((d, i) for i, d in theirs)]
        metres += len(mine) == len(theirs) and np.allclose(
            [d for _, d in mine], sorted(d for _, d in theirs), rtol=0, atol=0.01
        )
    n = len(pairs)
    print(
        f"  same ids in the same order at {given}/{n} points as the bare search returns them, "
        f"{ranked}/{n} ranked by metres then id; same distances (to 1 cm) at {metres}/{n}"
    )


def measure(app: Search, bare: Search, lons: np.ndarray, lats: np.ndarray) -> dict[str, float]:
    """Check ids match, warm up, then time both searches at every point, alternating order."""
    pairs = list(zip(lons.tolist(), lats.tolist(), strict=True))
    check(app, bare, pairs[:CHECKED])
    warm_lons, warm_lats = points(np.random.default_rng(SEED + 2), WARMUP)
    for lon, lat in zip(warm_lons.tolist(), warm_lats.tolist(), strict=True):
        app(lon, lat), bare(lon, lat)
    app_ms, bare_ms, found = [], [], []
    for i, (lon, lat) in enumerate(pairs):
        for search, times in ((app, app_ms), (bare, bare_ms))[:: 1 if i % 2 else -1]:
            start = time.perf_counter_ns()
            ids = search(lon, lat)
            times.append((time.perf_counter_ns() - start) / 1e6)
            if search is app:
                found.append(len(ids))
    result = {"found": float(np.mean(found))}
    for name, times in (("near", app_ms), ("bare", bare_ms)):
        result[f"{name}_p50"], result[f"{name}_p99"] = np.percentile(times, [50, 99]).tolist()
    for q in ("p50", "p99"):
        result[f"ratio_{q}"] = result[f"near_{q}"] / result[f"bare_{q}"]
    print(
        "  assets_near p50 {near_p50:.3f} ms  p99 {near_p99:.3f} ms  mean results {found:.1f}\n"
        "  bare index  p50 {bare_p50:.3f} ms  p99 {bare_p99:.3f} ms  "
        "ratio p50 {ratio_p50:.2f}x  p99 {ratio_p99:.2f}x".format(**result)
    )
    return result


def bench(
    name: str, url: str, n: int, lons: np.ndarray, lats: np.ndarray, bare_for: Callable[[], Search]
) -> dict[str, float]:
    """Load one backend, then time ``assets_near`` and the bare index search on it."""
    print(f"{name}: loading {n:,} assets")
    database = db.connect(url)
    try:
        seconds = load(database, n)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  load {seconds:.1f} s ({n / seconds:,.0f} assets/s); peak RSS {peak_mb:,.0f} MB")
        with database.engine.connect() as connection:
            if name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:  # what autovacuum would soon do after a load this size
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM ANALYZE asset")
                connection.exec_driver_sql("CHECKPOINT")  # write the load back before timing
        with database.session() as session:
            return {"load_s": seconds, **measure(app_search(session), bare_for(), lons, lats)}
    finally:
        database.dispose()


def report(results: dict[str, dict[str, float]]) -> None:
    """Print the summary table and how it stands against the targets."""
    columns = ("load_s", "near_p50", "near_p99", "bare_p50", "bare_p99", "ratio_p50", "ratio_p99")
    print(
        "\nbackend  load_s  " + "  ".join(c + "_ms" if "ratio" not in c else c for c in columns[1:])
    )
    for name, r in results.items():
        cells = [f"{r[c]:>{len(c) + 3}.3f}" for c in columns[1:5]]
        cells += [f"{r[c]:>9.2f}" for c in columns[5:]]
        print(f"{name:<7}  {r['load_s']:>6.1f}  " + "  ".join(cells))
    print("targets: p50 < 1.5 ms on both; within 1.3x of the bare index; SQLite load < 60 s")
    for name, r in results.items():
        checks = {
            "p50 < 1.5 ms": r["near_p50"] < 1.5,
            "p50 ratio <= 1.3": r["ratio_p50"] <= 1.3,
            "p99 ratio <= 1.3": r["ratio_p99"] <= 1.3,
        }
        if name == "sqlite":
            checks["load < 60 s"] = r["load_s"] < 60
        verdicts = (f"{check} {'met' if ok else 'MISSED'}" for check, ok in checks.items())
        print(f"  {name}: " + ", ".join(verdicts))


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options and bench SQLite, then PostGIS if its server answers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000, help="assets to load")
    parser.add_argument("--queries", type=int, default=2000, help="timed query points")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ASSETMAP_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="database to DROP and recreate for the bench",
    )
    parser.add_argument("--sqlite-path", type=Path, help="new SQLite file (default: a temp dir)")
    args = parser.parse_args(argv)
    lons, lats = points(np.random.default_rng(SEED + 1), args.queries)
    sample, start = min(args.assets, 100_000), time.perf_counter()
    made = sum(1 for _ in drafts(sample)) / (time.perf_counter() - start)
    print(f"making drafts alone: {made:,.0f}/s (included in the load times below)")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="assetmap-bench-") as tmp:
        path = args.sqlite_path or Path(tmp) / "bench.sqlite"
        if path.exists():
            parser.error(f"{path} already exists; the bench needs a new file")
        results["sqlite"] = bench(
            "sqlite", f"sqlite:///{path}", args.assets, lons, lats, lambda: sqlite_search(path)
        )
    if fresh_postgres(args.postgres_url):
        results["postgis"] = bench(
            "postgis",
            args.postgres_url,
            args.assets,
            lons,
            lats,
            lambda: postgis_search(args.postgres_url),
        )
    report(results)


if __name__ == "__main__":
    main()
