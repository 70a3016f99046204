"""Load-test ``GET /api/assets?near=...&radius=1000&limit=50`` served by gunicorn on 127.0.0.1.

Loads N synthetic assets (the city of ``bench/nearby.py``) into SQLite, serves assetmap with
gunicorn and, beside it under the same gunicorn settings, a bare Flask endpoint that runs the
same R*Tree search (the growing box, geodesic metres, nearest first) with sqlite3 and no
assetmap code. wrk drives each in turn, at each concurrency for a bounded time, at query points
drawn from the same mixture as the assets, for several rounds. It prints every run, the medians
over the rounds, and how they stand against the targets.

Needs wrk (Debian: ``apt-get install wrk``). Only 127.0.0.1 is ever contacted.
Run: ``python bench/api_load.py [--assets N] [--seconds S] [--rounds R] [--concurrency 16 ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RADIUS_M, LIMIT, POINTS, CHECKED = 1000, 50, 2000, 20
TARGET_RPS, TARGET_P99_MS, TARGET_SHARE = 500.0, 50.0, 0.8
BARE_SQL = (
    "SELECT a.id, a.kind, a.title, a.themes, a.public_lon, a.public_lat, a.last_confirmed "
    "FROM asset_rtree r JOIN asset a ON a.id = r.id "
    "WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ? "
    "AND a.status = 'published'"
)


def bare_app() -> Any:
    """Return the bare endpoint: Flask, sqlite3, pyproj and orjson, and nothing of assetmap."""
    import sqlite3
    import threading

    import orjson
    from flask import Flask, Response, request
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    fan = np.arange(0.0, 360.0, 10.0)
    path = os.environ["BENCH_SQLITE_PATH"]
    local = threading.local()
    app = Flask("bare")

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path, check_same_thread=False)
            local.db.execute("PRAGMA cache_size = -65536")
        return local.db  # type: ignore[no-any-return]

    def box(lon: float, lat: float, reach: float) -> tuple[float, float, float, float]:
        n = fan.size
        lons, lats, _ = geod.fwd(np.full(n, lon), np.full(n, lat), fan, np.full(n, reach))
        dlon, dlat = np.asarray(lons) - lon, np.asarray(lats) - lat
        return (
            lon + dlon.min() * 1.01,
            lon + dlon.max() * 1.01,
            lat + dlat.min() * 1.01,
            lat + dlat.max() * 1.01,
        )

    @app.get("/healthz")
    def health() -> Response:
        return Response("ok")

    @app.get("/near")
    def near() -> Response:
        lon_text, lat_text = request.args["near"].split(",")
        lon, lat = float(lon_text), float(lat_text)
        radius, limit = float(request.args["radius"]), int(request.args["limit"])
        reach = min(125.0, radius)
        while True:
            rows = connection().execute(BARE_SQL, box(lon, lat, reach)).fetchall()
            n = len(rows)
            lons = np.fromiter((row[4] for row in rows), float, n)
            lats = np.fromiter((row[5] for row in rows), float, n)
            dist = (
                np.asarray(geod.inv(np.full(n, lon), np.full(n, lat), lons, lats)[2]) if n else lons
            )
            keep = np.flatnonzero(dist <= radius)
            ids = np.fromiter((rows[i][0] for i in keep), np.int64, keep.size)
            order = keep[np.lexsort((ids, dist[keep]))]
            if reach >= radius or (order.size >= limit and dist[order[limit - 1]] <= reach):
                break
            reach = min(reach * 2, radius)
        features = [
            {
                "type": "Feature",
                "id": rows[i][0],
                "geometry": {"type": "Point", "coordinates": [rows[i][4], rows[i][5]]},
                "properties": {
                    "id": rows[i][0],
                    "kind": rows[i][1],
                    "title": rows[i][2],
                    "themes": orjson.loads(rows[i][3]),
                    "last_confirmed": rows[i][6],
                    "url": f"/assets/{rows[i][0]}",
                    "distance_m": round(float(dist[i]), 1),
                },
            }
            for i in order[:limit]
        ]
        body = {"type": "FeatureCollection", "features": features, "numberReturned": len(features)}
        return Response(orjson.dumps(body), mimetype="application/geo+json")

    return app


def build(path: Path, n: int) -> None:
    """Load n synthetic assets into a new SQLite file with assetmap's bulk loader."""
    sys.path.insert(0, str(HERE))
    from nearby import load  # the same seeded city as bench/nearby.py

    from assetmap.storage import database as db

    database = db.connect(f"sqlite:///{path}")
    try:
        seconds = load(database, n)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    print(f"loaded {n:,} assets in {seconds:.1f} s")


def prepare(path: Path, n: int, folder: Path) -> dict[str, str]:
    """Build the database at ``path`` unless it is there; return the environment that serves it.

    Both endpoints read it: assetmap through its configuration, the bare one through
    ``BENCH_SQLITE_PATH``; ``folder`` is the app's instance folder.
    """
    if path.exists():
        print(f"reusing {path}")
    else:
        build(path, n)
    return {
        "ASSETMAP_DATABASE_URL": f"sqlite:///{path}",
        "ASSETMAP_SECRET_KEY": "bench-only",
        "ASSETMAP_INSTANCE_PATH": str(folder),
        "BENCH_SQLITE_PATH": str(path),
    }


def query_points(n: int) -> list[tuple[float, float]]:
    """Return n query points drawn from the assets' own mixture of sparse and dense places."""
    sys.path.insert(0, str(HERE))
    from nearby import SEED, points

    lons, lats = points(np.random.default_rng(SEED + 1), n)
    return list(zip(np.round(lons, 6).tolist(), np.round(lats, 6).tolist(), strict=True))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app_spec: str, env: dict[str, str], workers: int, threads: int) -> Any:
    """Run gunicorn on a free port of 127.0.0.1 until the block ends; yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app_spec,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--pythonpath",
        str(HERE),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env={**os.environ, **env}, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn for {app_spec} did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def paths(route: str, pairs: list[tuple[float, float]]) -> list[str]:
    return [f"{route}?near={lon},{lat}&radius={RADIUS_M}&limit={LIMIT}" for lon, lat in pairs]


def fetch_ids(url: str) -> list[int]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return [feature["id"] for feature in json.load(response)["features"]]


def wrk(base: str, requests: list[str], concurrency: int, seconds: int, folder: Path) -> dict:
    """Drive the server with wrk (one thread) cycling through the paths; return its figures."""
    script = folder / "paths.lua"
    listed = ",\n".join(json.dumps(path) for path in requests)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", "-s", str(script)]
    output = subprocess.run(
        [*command, base], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict[str, float]:
    """Read requests per second, p50, p99 and failures from wrk's report."""
    units = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            raise ValueError(f"wrk printed no {percent}% latency:\n{output}")
        return float(match.group(1)) * units[match.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if not rps or not total:
        raise ValueError(f"could not read wrk's report:\n{output}")
    return {
        "rps": float(rps.group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": float(total.group(1)),
        "non2xx": float(failed.group(1)) if failed else 0.0,
        "socket_errors": errors.group(1).strip() if errors else "none",
    }


def measure(
    servers: dict[str, tuple[str, str]],
    pairs: list[tuple[float, float]],
    args: argparse.Namespace,
    folder: Path,
) -> dict[str, dict[int, list[dict]]]:
    """Warm each server up, then measure them in turns: a round runs every server at every
    concurrency, the order swapped from one round to the next.

    Both servers stay up throughout, the idle one asleep, so that each pair of runs in a round
    meets the machine in the same state and a slow spell of the machine falls on both.
    """
    requests = {name: paths(route, pairs) for name, (_, route) in servers.items()}
    for name, (base, _) in servers.items():
        wrk(base, requests[name], max(args.concurrency), min(5, args.seconds), folder)
    results: dict[str, dict[int, list[dict]]] = {
        name: {c: [] for c in args.concurrency} for name in servers
    }
    names = list(servers)
    for number in range(args.rounds):
        for concurrency in args.concurrency:
            for name in names if number % 2 == 0 else names[::-1]:
                figures = wrk(servers[name][0], requests[name], concurrency, args.seconds, folder)
                results[name][concurrency].append(figures)
                print(
                    f"  round {number + 1}  {name:<9} c={concurrency:<3} {figures['rps']:>8.0f} "
                    f"req/s  p50 {figures['p50']:>7.2f} ms  p99 {figures['p99']:>7.2f} ms  "
                    f"({figures['requests']:.0f} requests, {figures['non2xx']:.0f} not 2xx, "
                    f"socket errors: {figures['socket_errors']})",
                    flush=True,
                )
    return results


def _median(runs: list[dict], key: str) -> float:
    return float(np.median([run[key] for run in runs]))


def report(app: dict[int, list[dict]], bare: dict[int, list[dict]]) -> None:
    """Print the medians over the rounds, and how they stand against the targets.

    The share is the median of each round's assetmap rate over the bare rate beside it.
    """
    print(
        "\nmedians over the rounds\n"
        "concurrency  assetmap req/s  p50 ms  p99 ms   bare req/s  p50 ms  p99 ms  share"
    )
    shares = {}
    for concurrency, runs in app.items():
        beside = bare[concurrency]
        shares[concurrency] = float(
            np.median([a["rps"] / b["rps"] for a, b in zip(runs, beside, strict=True)])
        )
        print(
            f"{concurrency:>11}  {_median(runs, 'rps'):>14.0f}  {_median(runs, 'p50'):>6.2f}  "
            f"{_median(runs, 'p99'):>6.2f}  {_median(beside, 'rps'):>11.0f}  "
            f"{_median(beside, 'p50'):>6.2f}  {_median(beside, 'p99'):>6.2f}  "
            f"{shares[concurrency]:>5.0%}"
        )
    if 16 in app:
        runs = app[16] + bare[16]
        checks = {
            f"at least {TARGET_RPS:.0f} req/s": _median(app[16], "rps") >= TARGET_RPS,
            f"p99 under {TARGET_P99_MS:.0f} ms": _median(app[16], "p99") < TARGET_P99_MS,
            f"at least {TARGET_SHARE:.0%} of the bare rate": shares[16] >= TARGET_SHARE,
            "every answer 2xx": all(run["non2xx"] == 0 for run in runs),
        }
        verdicts = (f"{check} {'met' if ok else 'MISSED'}" for check, ok in checks.items())
        print("targets at concurrency 16: " + ", ".join(verdicts))


def main(argv: Sequence[str] | None = None) -> None:
    """Build (or reuse) the database, then measure assetmap's API and the bare endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000, help="assets to load")
    # Many short runs rather than a few long ones: each round's share compares two runs next
    # to each other in time, so the shorter they are, the less a slow spell of a shared
    # machine falls on one server and not the other.
    parser.add_argument("--seconds", type=int, default=5, help="how long each load runs")
    parser.add_argument("--rounds", type=int, default=9, help="runs of each server, in turns")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16], help="connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--sqlite-path", type=Path, help="database to build, or reuse if present")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is needed as the load generator (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory(prefix="assetmap-api-bench-") as tmp:
        folder = Path(tmp)
        env = prepare(args.sqlite_path or folder / "bench.sqlite", args.assets, folder)
        pairs = query_points(POINTS)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads; wrk: 1 thread, "
            f"{args.seconds} s per run, {args.rounds} rounds, radius {RADIUS_M} m, limit {LIMIT}"
        )
        with (
            serving("assetmap:create_app()", env, args.workers, args.threads) as app_base,
            serving("api_load:bare_app()", env, args.workers, args.threads) as bare_base,
        ):
            checked = pairs[:CHECKED]
            same = sum(
                fetch_ids(f"{app_base}{a}") == fetch_ids(f"{bare_base}{b}")
                for a, b in zip(paths("/api/assets", checked), paths("/near", checked), strict=True)
            )
            print(
                f"  the bare endpoint answers the same ids in the same order at "
                f"{same}/{CHECKED} points"
            )
            servers = {"assetmap": (app_base, "/api/assets"), "bare": (bare_base, "/near")}
            results = measure(servers, pairs, args, folder)
        report(results["assetmap"], results["bare"])


if __name__ == "__main__":
    main()
