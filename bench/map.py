"""Benchmark the explore map with a city region of synthetic assets, on SQLite and PostGIS.

For 1,000 assets and for N (default 1,000,000), loaded with ``add_assets`` into a new database
with 36 neighbourhoods over the region, prints beside each other: the map page's weight (HTML,
scripts and styles; tiles excluded) as the app sends it to a browser (scripts and styles
compressed, the HTML not) and decompressed, and how long its HTML takes; the
features endpoint's p50, p99 and largest answer for a street view (zoom 17), a district
(zoom 14) and a whole-city view (zoom 11), through the Flask test client, on a 1280x900 map;
and the time until markers show in headless Chromium, on a first and a repeat visit, and with
the cluster cache cold. Run: ``python bench/map.py [--assets N] [--queries Q] [--sqlite-only]``.
With ``--cold``, time instead the first answer of a restarted app at each zoom (``map_cold``).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskClient
from nearby import CENTRE_LAT, CENTRE_LON, HALF_M, M_PER_DEG_LAT, SEED, drafts, fresh_postgres
from nearby import points as asset_points
from shapely.geometry import box
from werkzeug.serving import make_server

from assetmap import create_app
from assetmap.domain.vocab import Kind
from assetmap.storage import assets
from assetmap.storage import database as db
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db as web_db

SMALL = 1000
VIEW_PX = (1280, 900)
WARDS = 6  # a WARDS x WARDS grid of neighbourhoods over the region
CHROMIUM = os.environ.get("ASSETMAP_CHROMIUM", "/usr/bin/chromium")
TILES = "https://tiles.test"
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
MARKERS = (
    ".leaflet-marker-pane .map-bubble, .leaflet-marker-pane .asset-marker, "
    ".leaflet-marker-pane .marker-cluster"
)
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_map"
TARGETS = {
    "page_kb": 300.0,
    "answer_kb": 200.0,
    "street_p50": 50.0,
    "city_p50": 150.0,
    "markers_ms": 2000.0,
}


def region() -> tuple[float, float, float, float]:
    """Return the benchmark region as minlon, minlat, maxlon, maxlat."""
    half_lon = HALF_M / (M_PER_DEG_LAT * math.cos(math.radians(CENTRE_LAT)))
    half_lat = HALF_M / M_PER_DEG_LAT
    return (
        CENTRE_LON - half_lon,
        CENTRE_LAT - half_lat,
        CENTRE_LON + half_lon,
        CENTRE_LAT + half_lat,
    )


def wards() -> list[Area]:
    """Return a grid of square neighbourhoods covering the region."""
    west, south, east, north = region()
    step_lon, step_lat = (east - west) / WARDS, (north - south) / WARDS
    return [
        Area(
            f"w{i}-{j}",
            f"Ward {i * WARDS + j + 1}",
            box(
                west + i * step_lon,
                south + j * step_lat,
                west + (i + 1) * step_lon,
                south + (j + 1) * step_lat,
            ),
        )
        for i in range(WARDS)
        for j in range(WARDS)
    ]


def load(url: str, n: int) -> float:
    """Create the schema, the neighbourhoods and n assets; return the seconds taken."""
    database = db.connect(url)
    try:
        db.upgrade(database)
        start = time.perf_counter()
        with database.session() as session:
            replace_neighbourhoods(session, wards())
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


def app_for(url: str) -> Flask:
    """Return the app on ``url``, its area the region, its tiles answered locally."""
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "AREA_BBOX": ",".join(f"{value:.6f}" for value in region()),
            "MAP_TILES_URL": f"{TILES}/{{z}}/{{x}}/{{y}}.png",
        }
    )


def page_weight(client: FlaskClient) -> dict[str, float]:
    """Return the map page's weight in KB (HTML, scripts, styles): the bytes the app sends a
    browser (which always accepts gzip), and the same files decompressed."""
    start = time.perf_counter()
    html = client.get("/map").data
    first_ms = (time.perf_counter() - start) * 1000
    renders = []
    for _ in range(10):
        start = time.perf_counter()
        client.get("/map")
        renders.append((time.perf_counter() - start) * 1000)
    text = html.decode()
    files = re.findall(r'<script[^>]* src="([^"]+)"', text)
    files += re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
    files += re.findall(r'from "\.\./(vendor/[^"]+)"', client.get("/static/js/govuk-init.js").text)
    paths = ["/map"] + [_static(path) for path in files]
    sent = [client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"}) for path in paths]
    bodies = [client.get(path).data for path in paths]
    return {
        "page_kb": sum(len(response.data) for response in sent) / 1024,
        "page_plain_kb": sum(len(body) for body in bodies) / 1024,
        "files": len(bodies),
        "page_first_ms": first_ms,
        "page_ms": statistics.median(renders),
    }


def _static(path: str) -> str:
    return path if path.startswith("/") else f"/static/{path}"


def viewport(lon: float, lat: float, zoom: int) -> str:
    """Return the bbox a VIEW_PX map centred on (lon, lat) at ``zoom`` shows (Web Mercator)."""
    world = 256 * 2**zoom
    x = (lon + 180) / 360 * world
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * world
    half_w, half_h = VIEW_PX[0] / 2, VIEW_PX[1] / 2

    def lon_of(px: float) -> float:
        return px / world * 360 - 180

    def lat_of(py: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))

    return (
        f"{lon_of(x - half_w):.6f},{lat_of(y + half_h):.6f},"
        f"{lon_of(x + half_w):.6f},{lat_of(y - half_h):.6f}"
    )


def time_views(
    client: FlaskClient, centres: list[tuple[float, float]], zoom: int
) -> dict[str, float]:
    """Time the features endpoint at each centre; return p50, p99, sizes and share clustered."""
    times, sizes, clustered = [], [], 0
    for lon, lat in centres:
        url = f"/api/map/features?bbox={viewport(lon, lat, zoom)}&zoom={zoom}"
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text
        sizes.append(len(response.data))
        clustered += b'"clustered":true' in response.data[:60]
    p50, p99 = np.percentile(times, [50, 99]).tolist()
    return {
        "p50": p50,
        "p99": p99,
        "max_kb": max(sizes) / 1024,
        "median_kb": statistics.median(sizes) / 1024,
        "clustered": clustered / len(centres),
    }


def endpoint(client: FlaskClient, queries: int) -> dict[str, float]:
    """Time street views where assets are and whole-city views around the centre."""
    rng = np.random.default_rng(SEED + 7)
    lons, lats = asset_points(rng, queries)
    street = list(zip(lons.tolist(), lats.tolist(), strict=True))
    jitter = rng.uniform(-0.03, 0.03, (queries, 2))
    city = [(CENTRE_LON + dx, CENTRE_LAT + dy) for dx, dy in jitter.tolist()]
    start = time.perf_counter()
    client.get(f"/api/map/features?bbox={viewport(CENTRE_LON, CENTRE_LAT, 11)}&zoom=11")
    cold = (time.perf_counter() - start) * 1000
    for lon, lat in street[:20]:
        client.get(f"/api/map/features?bbox={viewport(lon, lat, 17)}&zoom=17")
    results = {"city_cold_ms": cold}
    views = (("street", street, 17), ("district", street, 14), ("city", city, 11))
    for name, centres, zoom in views:
        results.update({f"{name}_{k}": v for k, v in time_views(client, centres, zoom).items()})
    return results


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve the app on a free local port in a thread; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def markers_visible(app: Flask, n: int, runs: int) -> dict[str, float]:
    """Return median ms from navigation until markers show, for the city view and a street.

    A first visit starts with an empty browser cache; a repeat visit reloads the page in the
    same browser, whose cache then holds the scripts and styles. The app's cluster cache is
    filled by an untimed first load.
    """
    if not Path(CHROMIUM).exists():
        print(f"  no Chromium at {CHROMIUM}; skipping the browser timing")
        return {}
    from playwright.sync_api import sync_playwright

    # A street with a group or space on it: the first the load made that is not a skill.
    first = next(draft for draft in drafts(n) if draft.kind is not Kind.SKILL)
    views = {"city": "/map", "street": f"/map#17/{first.lat:.5f}/{first.lon:.5f}"}
    found: dict[str, float] = {}
    with serving(app) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for name, path in views.items():
            with _context(browser) as page:
                _shown(page, url + path)
                found[f"markers_{name}_repeat_ms"] = statistics.median(
                    _shown(page, url + path) for _ in range(runs)
                )
            times = []
            for _ in range(runs):
                with _context(browser) as page:
                    times.append(_shown(page, url + path))
            found[f"markers_{name}_ms"] = statistics.median(times)
        browser.close()
    return found


@contextmanager
def _context(browser: Any) -> Iterator[Any]:
    """Yield a page in a new browser context (an empty cache) with tiles answered locally."""
    context = browser.new_context(viewport={"width": VIEW_PX[0], "height": VIEW_PX[1]})
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def _shown(page: Any, url: str) -> float:
    """Open ``url`` (reloading if it is open) and return ms from navigation to markers shown."""
    page.goto("about:blank")
    page.goto(url, wait_until="commit")
    page.wait_for_selector(MARKERS, state="visible", timeout=60_000)
    return float(page.evaluate("performance.now()"))


def cold_markers(url: str, n: int) -> dict[str, float]:
    """Return ms until markers show for the city in a new app, its cluster cache empty."""
    if not Path(CHROMIUM).exists():
        return {}
    from playwright.sync_api import sync_playwright

    fresh = app_for(url)
    try:
        with serving(fresh) as base, sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            with _context(browser) as page:
                shown = _shown(page, base + "/map")
            browser.close()
        return {"markers_cold_ms": shown}
    finally:
        web_db.database(fresh).dispose()


def bench(name: str, url: str, n: int, queries: int, runs: int) -> dict[str, float]:
    """Load one database and measure the page, the endpoint and the browser on it."""
    print(f"{name}: loading {n:,} assets")
    seconds = load(url, n)
    print(f"  loaded in {seconds:.1f} s")
    app = app_for(url)
    try:
        client = app.test_client()
        result: dict[str, float] = {"load_s": seconds, **endpoint(client, queries)}
        result.update(page_weight(client))
        result.update(markers_visible(app, n, runs))
        result.update(cold_markers(url, n))
        print("  " + ", ".join(f"{key} {value:.1f}" for key, value in result.items()))
        return result
    finally:
        web_db.database(app).dispose()


ROWS = (
    ("page weight, sent to a browser (KB)", "page_kb", "page_kb", "{:.0f}"),
    ("page weight, decompressed (KB)", "page_plain_kb", None, "{:.0f}"),
    ("page HTML built, first visit (ms)", "page_first_ms", None, "{:.0f}"),
    ("page HTML built, p50 after (ms)", "page_ms", None, "{:.0f}"),
    ("street z17 p50 (ms)", "street_p50", "street_p50", "{:.1f}"),
    ("street z17 p99 (ms)", "street_p99", None, "{:.1f}"),
    ("street z17 largest answer (KB)", "street_max_kb", "answer_kb", "{:.1f}"),
    ("street z17 answers clustered", "street_clustered", None, "{:.0%}"),
    ("district z14 p50 (ms)", "district_p50", None, "{:.1f}"),
    ("district z14 p99 (ms)", "district_p99", None, "{:.1f}"),
    ("district z14 largest answer (KB)", "district_max_kb", "answer_kb", "{:.1f}"),
    ("city z11 p50 (ms)", "city_p50", "city_p50", "{:.1f}"),
    ("city z11 p99 (ms)", "city_p99", None, "{:.1f}"),
    ("city z11 largest answer (KB)", "city_max_kb", "answer_kb", "{:.1f}"),
    ("city z11 first answer, cache cold (ms)", "city_cold_ms", None, "{:.0f}"),
    ("markers shown, city, first visit (ms)", "markers_city_ms", "markers_ms", "{:.0f}"),
    ("markers shown, city, repeat visit (ms)", "markers_city_repeat_ms", "markers_ms", "{:.0f}"),
    ("markers shown, street, first visit (ms)", "markers_street_ms", "markers_ms", "{:.0f}"),
    (
        "markers shown, street, repeat visit (ms)",
        "markers_street_repeat_ms",
        "markers_ms",
        "{:.0f}",
    ),
    ("markers shown, city, cluster cache cold (ms)", "markers_cold_ms", None, "{:.0f}"),
)


def report(results: dict[str, dict[str, float]]) -> None:
    """Print every figure beside each other, with the targets and whether each is met."""
    names = list(results)
    print("\n" + f"{'':40}" + "".join(f"{name:>14}" for name in names) + f"{'target':>10}")
    for label, key, target, form in ROWS:
        cells = "".join(f"{form.format(r[key]) if key in r else '-':>14}" for r in results.values())
        goal = f"< {TARGETS[target]:.0f}" if target else ""
        print(f"{label:40}{cells}{goal:>10}")
    print()
    for name, r in results.items():
        big = not name.endswith(" 1k")
        checks = {
            "page weight sent < 300 KB": r["page_kb"] < TARGETS["page_kb"],
            "answers < 200 KB": max(r[f"{v}_max_kb"] for v in ("street", "district", "city")) < 200,
        }
        if big:
            checks.update(
                {
                    "street p50 < 50 ms": r["street_p50"] < TARGETS["street_p50"],
                    "city p50 < 150 ms": r["city_p50"] < TARGETS["city_p50"],
                    "markers < 2 s": max(
                        r.get("markers_city_ms", math.inf), r.get("markers_street_ms", math.inf)
                    )
                    < TARGETS["markers_ms"],
                }
            )
        print(
            f"  {name}: "
            + ", ".join(f"{c} {'met' if ok else 'MISSED'}" for c, ok in checks.items())
        )
    sizes = {name.split()[0]: [] for name in names}
    for name, r in results.items():
        sizes[name.split()[0]].append(r["page_kb"])
    for backend, weights in sizes.items():
        same = len(weights) > 1 and max(weights) - min(weights) < 2
        print(
            f"  {backend}: page weight the same at every size (within 2 KB): "
            f"{'met' if same else 'MISSED'} ({', '.join(f'{w:.1f}' for w in weights)} KB)"
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Bench SQLite, then PostGIS if its server answers, at 1,000 and at N assets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000, help="assets in the big load")
    parser.add_argument("--queries", type=int, default=300, help="timed views of each kind")
    parser.add_argument("--runs", type=int, default=5, help="timed page loads in Chromium")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ASSETMAP_BENCH_MAP_POSTGRES_URL", DEFAULT_POSTGRES),
        help="database to DROP and recreate for the bench",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostGIS")
    parser.add_argument(
        "--cold", action="store_true", help="time first answers after restarts (map_cold.py)"
    )
    args = parser.parse_args(argv)
    if args.cold:
        from map_cold import cold

        cold(args.assets, args.runs, args.sqlite_only)
        return
    sizes = [(SMALL, "1k"), (args.assets, _short(args.assets))]
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="assetmap-bench-map-") as tmp:
        for n, label in sizes:
            url = f"sqlite:///{Path(tmp) / f'{label}.sqlite'}"
            results[f"sqlite {label}"] = bench("sqlite", url, n, args.queries, args.runs)
    if not args.sqlite_only:
        for n, label in sizes:
            if not fresh_postgres(args.postgres_url):
                break
            results[f"postgis {label}"] = bench(
                "postgis", args.postgres_url, n, args.queries, args.runs
            )
    report(results)


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


if __name__ == "__main__":
    main()
