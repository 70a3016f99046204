"""Benchmark the Open Referral UK API's services list at 100,000 strengths, on SQLite and PostGIS.

Loads N synthetic strengths (``bench/nearby.py``'s: 45% skills, 30% groups, 25% spaces) with
``add_assets`` into a fresh database, then times ``GET /openreferral/services`` through the
Flask test client: the first page, a deep page (ten from the last), a text search and a theme
(``taxonomy_term_id``), 50 results a page. Prints p50 and p95 per query and backend against
the target (p50 under 100 ms). Run: ``python bench/openreferral.py [--assets N] [--runs R]
[--sqlite-only]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from flask.testing import FlaskClient
from nearby import drafts, fresh_postgres

from assetmap import create_app
from assetmap.domain.vocab import Theme
from assetmap.exchange import openreferral
from assetmap.storage import assets
from assetmap.storage import database as db
from assetmap.web import db as web_db

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_openreferral"
TARGET_P50_MS = 100.0
WARMUP = 5


def load(url: str, n: int) -> float:
    """Create the schema and n strengths; return the seconds taken."""
    database = db.connect(url)
    try:
        db.upgrade(database)
        start = time.perf_counter()
        with database.session() as session:
            assets.add_assets(session, drafts(n), owner_id=None, cell_m=400.0)
            session.commit()
        seconds = time.perf_counter() - start
        with database.engine.connect() as connection:
            if database.engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            else:
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.exec_driver_sql("VACUUM ANALYZE")
        return seconds
    finally:
        database.dispose()


def queries(client: FlaskClient) -> dict[str, str]:
    """Return each timed query's path: the deep page is found from the first page's count."""
    first = client.get("/openreferral/services").get_json()
    deep = max(1, first["total_pages"] - 10)
    term = next(t["id"] for t in openreferral.theme_terms() if t["code"] == Theme.SPORT.value)
    return {
        "page 1": "/openreferral/services",
        f"page {deep}": f"/openreferral/services?page={deep}",
        "search 'choir'": "/openreferral/services?search=choir",
        "theme sport": f"/openreferral/services?taxonomy_term_id={term}",
    }


def timed(client: FlaskClient, path: str, runs: int) -> dict[str, float]:
    """Return p50 and p95 in milliseconds of ``runs`` requests for ``path``, and its size."""
    for _ in range(WARMUP):
        client.get(path)
    times, items = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        items = response.get_json()["size"]
    cuts = statistics.quantiles(times, n=20)
    return {"p50": statistics.median(times), "p95": cuts[18], "items": items}


def bench(backend: str, url: str, n: int, runs: int) -> list[tuple[str, str, dict[str, float]]]:
    """Load n strengths on ``url`` and time each query there."""
    seconds = load(url, n)
    print(f"{backend}: loaded {n:,} strengths in {seconds:.1f} s")
    # The per-address limit is counted, as in production, but set high enough never to refuse
    # the benchmark's own requests.
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_OPEN_DATA": "1000000 per minute"}
    )
    try:
        client = app.test_client()
        return [
            (backend, name, timed(client, path, runs)) for name, path in queries(client).items()
        ]
    finally:
        web_db.database(app).dispose()


def report(rows: list[tuple[str, str, dict[str, float]]], n: int) -> None:
    print(f"\nGET /openreferral/services at {n:,} strengths (target p50 < {TARGET_P50_MS:.0f} ms)")
    print(f"{'backend':<8} {'query':<16} {'items':>5} {'p50 ms':>8} {'p95 ms':>8}  target")
    for backend, name, found in rows:
        met = "met" if found["p50"] < TARGET_P50_MS else "MISSED"
        print(
            f"{backend:<8} {name:<16} {found['items']:>5.0f} "
            f"{found['p50']:>8.1f} {found['p95']:>8.1f}  {met}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ASSETMAP_BENCH_OPENREFERRAL_POSTGRES_URL", DEFAULT_POSTGRES),
    )
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'openreferral.db'}"
        rows += bench("sqlite", url, args.assets, args.runs)
    if not args.sqlite_only and fresh_postgres(args.postgres_url):
        rows += bench("postgis", args.postgres_url, args.assets, args.runs)
    report(rows, args.assets)


if __name__ == "__main__":
    main()
