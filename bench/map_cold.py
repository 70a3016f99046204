"""Time the explore map's first answer after a restart, on SQLite and PostGIS.

``python bench/map.py --cold [--assets N] [--runs R] [--sqlite-only]`` loads N assets (default
1,000,000) once into databases kept between runs (``/tmp/assetmap-bench-cold``, and the
PostgreSQL database ``assetmap_bench_cold_<N>``), bringing them to the newest migration when
they are older. Then, R times for each view (a whole city at zoom 11, a district at zoom 14, a
street at zoom 17), it starts a new Python process, which builds the app and asks for that one
view once: nothing is held in memory between answers, as after a restart. It prints p50 and p99
of those first answers, and whether p99 is under one second. The operating system's file cache
stays warm between processes: this is a restarted app, not a rebooted machine.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import sqlalchemy as sa
from nearby import CENTRE_LAT, CENTRE_LON, SEED
from nearby import points as asset_points

FOLDER = Path("/tmp/assetmap-bench-cold")
POSTGRES_SERVER = os.environ.get(
    "ASSETMAP_BENCH_MAP_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
VIEWS = (("city", 11), ("district", 14), ("street", 17))
TARGET_MS = 1000.0

# Run in a new process: build the app, ask one view once, print how long the answer took.
_FIRST_ANSWER = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from map import app_for
app = app_for(sys.argv[2])
client = app.test_client()
start = time.perf_counter()
response = client.get(sys.argv[3])
ms = (time.perf_counter() - start) * 1000
assert response.status_code == 200, response.text
print(json.dumps({"ms": ms, "clustered": response.json["clustered"]}))
"""


def urls(n: int) -> dict[str, str]:
    """Return the kept databases of ``n`` assets, by backend name."""
    FOLDER.mkdir(exist_ok=True)
    server = sa.make_url(POSTGRES_SERVER)
    postgres = server.set(database=f"assetmap_bench_cold_{n}")
    return {
        "sqlite": f"sqlite:///{FOLDER / f'map-{n}.sqlite'}",
        "postgis": postgres.render_as_string(hide_password=False),
    }


def ready(url: str, n: int) -> None:
    """Load ``n`` assets into the database at ``url`` unless it holds them; then upgrade it."""
    from map import load

    from assetmap.storage import database as db

    if not _holds(url, n):
        print(f"  loading {n:,} assets into {url}")
        _create(url)
        print(f"  loaded in {load(url, n):.1f} s")
    database = db.connect(url)
    try:
        if not db.is_current(database):
            start = time.perf_counter()
            db.upgrade(database)
            print(f"  upgraded to the newest migration in {time.perf_counter() - start:.1f} s")
    finally:
        database.dispose()


def _holds(url: str, n: int) -> bool:
    if url.startswith("sqlite"):
        path = Path(sa.make_url(url).database or "")
        if not path.exists():
            return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM asset").scalar() == n
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()


def _create(url: str) -> None:
    """Start the database at ``url`` afresh."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')


def first_answers(url: str, runs: int) -> dict[str, list[float]]:
    """Return, for each view, the ms of the first answer of ``runs`` new processes."""
    from map import viewport

    rng = np.random.default_rng(SEED + 11)
    lons, lats = asset_points(rng, runs)
    jitter = rng.uniform(-0.03, 0.03, (runs, 2))
    found: dict[str, list[float]] = {name: [] for name, _ in VIEWS}
    for run in range(runs):
        for name, zoom in VIEWS:
            if name == "city":
                lon, lat = CENTRE_LON + jitter[run, 0], CENTRE_LAT + jitter[run, 1]
            else:
                lon, lat = float(lons[run]), float(lats[run])
            path = f"/api/map/features?bbox={viewport(lon, lat, zoom)}&zoom={zoom}"
            found[name].append(_first_answer(url, path))
    return found


def _first_answer(url: str, path: str) -> float:
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_ANSWER, here, url, path],
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return float(answer["ms"])


def cold(n: int, runs: int, sqlite_only: bool) -> None:
    """Load, restart and time each backend; print p50 and p99 of the first answers."""
    found: dict[str, dict[str, list[float]]] = {}
    for backend, url in urls(n).items():
        if backend == "postgis" and sqlite_only:
            continue
        print(f"{backend}: {n:,} assets")
        ready(url, n)
        found[backend] = first_answers(url, runs)
    print(f"\nfirst answer after a restart, {runs} restarts per view (ms)")
    print(f"{'':22}" + "".join(f"{name:>12}" for name in found))
    worst = {name: -math.inf for name in found}
    for view, zoom in VIEWS:
        for label, q in (("p50", 50), ("p99", 99)):
            cells = []
            for backend, times in found.items():
                value = float(np.percentile(times[view], q))
                cells.append(f"{value:12.0f}")
                if q == 99:
                    worst[backend] = max(worst[backend], value)
            print(f"{view + ' z' + str(zoom) + ' ' + label:22}" + "".join(cells))
    for backend, value in worst.items():
        verdict = "met" if value < TARGET_MS else "MISSED"
        print(f"  {backend}: first answer p99 < {TARGET_MS:.0f} ms at every zoom: {verdict}")
