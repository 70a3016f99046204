"""Benchmark a strength check over a comb-shaped catchment: the cost of a jagged outline.

A planner may draw an outline of up to ``VERTICES_MAX`` points. A comb (long thin teeth side
by side) is the worst of them: a long edge for its points, close to everything it crosses.
This runs, through the Flask test client on SQLite with N synthetic strengths over the
configured area (default 5,000), each of four combs: 164 and 4,996 points, with teeth inside
the area and with teeth reaching far north of it (to latitude 75). For each it prints how long
starting the check (reading, scoping and running it), showing its page and running it again
take, and the peak resident memory of the process, each comb in a process of its own. The
target is under 2 s for each request. Run: ``python bench/catchment.py [--assets N]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.config import area_bbox
from assetmap.domain.assets import validate_asset
from assetmap.domain.vocab import Theme
from assetmap.storage import assets, users
from assetmap.storage import database as db
from assetmap.web import db as web_db

SEED = 20261130
PASSWORD = "correct horse battery"
TARGET_S = 2.0
COMBS = ((164, None), (164, 75.0), (4996, None), (4996, 75.0))
# The theme the checks ask about: one of twelve, so about a twelfth of the strengths match.
ASKED = Theme.FOOD


def comb(points: int, north: float | None, area: tuple[float, float, float, float]) -> str:
    """Return a comb of ``points`` corners over the area, its teeth up to ``north``."""
    west, south, east, top = area
    west, east = west + 0.02, east - 0.02
    base = south + (top - south) * 0.2
    top = north if north is not None else top - 0.01
    teeth = (points - 2) // 4
    step = (east - west) / teeth
    ring: list[tuple[float, float]] = []
    for i in range(teeth):
        x = west + i * step
        ring += [(x, base), (x, top), (x + step / 2, top), (x + step / 2, base)]
    ring += [(east, south + 0.005), (west, south + 0.005), ring[0]]
    rounded = [[round(lon, 6), round(lat, 6)] for lon, lat in ring[::-1]]
    return orjson.dumps({"type": "Polygon", "coordinates": [rounded]}).decode()


def build(folder: Path, count: int) -> str:
    """Make a register of ``count`` strengths over the area and a planner; return its URL."""
    url = f"sqlite:///{folder / 'catchment.db'}"
    database = db.connect(url)
    db.upgrade(database)
    area = area_bbox(create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"}).config)
    assert area is not None, "the benchmark needs ASSETMAP_AREA_BBOX"
    rng = np.random.default_rng(SEED)
    themes = [theme.value for theme in Theme]
    drafts = [
        validate_asset(
            {
                "kind": "group",
                "title": f"Group {i}",
                "themes": [themes[int(rng.integers(len(themes)))]],
                "lon": float(rng.uniform(area.min_lon, area.max_lon)),
                "lat": float(rng.uniform(area.min_lat, area.max_lat)),
            }
        )
        for i in range(count)
    ]
    with database.session() as session:
        assets.add_assets(session, drafts, owner_id=None, cell_m=400.0)
        planner = users.create_user(session, "planner@example.org", role="planner")
        users.set_password(planner, PASSWORD)
        session.commit()
    database.dispose()
    return url


def token(client: FlaskClient, path: str) -> str:
    """Return the CSRF token of the form at ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, f"{path} carries no CSRF token"
    return match.group(1)


def timed(call: Any) -> tuple[float, int]:
    """Return how long ``call`` took in seconds, and the status it answered."""
    began = time.perf_counter()
    status = call().status_code
    return time.perf_counter() - began, status


def run(url: str, points: int, north: float | None) -> dict[str, Any]:
    """Start, show and run again one comb's check in this process; return the figures."""
    app: Flask = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    client = app.test_client()
    sign_in = {"email": "planner@example.org", "password": PASSWORD}
    client.post("/sign-in", data={**sign_in, "csrf_token": token(client, "/sign-in")})
    area = area_bbox(app.config)
    assert area is not None
    form = {
        "name": "Comb",
        "purpose": "A jagged outline.",
        "audience": "Everyone",
        "themes": [ASKED.value],
        "catchment": "polygon",
        "polygon": comb(points, north, area.as_tuple()),
        "csrf_token": token(client, "/checks/new"),
    }
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start_s, started = timed(lambda: client.post("/checks/new", data=form))
    show_s, shown = timed(lambda: client.get("/checks/1"))
    again = {"csrf_token": token(client, "/checks/new")}
    again_s, ran = timed(lambda: client.post("/checks/1/run-again", data=again))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    web_db.database(app).dispose()
    return {
        "statuses": (started, shown, ran),
        "seconds": (start_s, show_s, again_s),
        "peak_mb": peak / 1024,
        "grew_mb": (peak - before) / 1024,
    }


def in_own_process(url: str, points: int, north: float | None) -> dict[str, Any]:
    """Run one comb in a fresh process, so its peak memory is its own."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(run, (url, points, north))


def main() -> None:
    """Run every comb and print the figures beside the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = build(Path(folder), args.assets)
        print(f"{args.assets:,} strengths, one theme asked; each comb in a process of its own")
        print(f"{'comb':<26}{'start s':>9}{'page s':>9}{'again s':>9}{'peak MB':>9}{'grew MB':>9}")
        worst = 0.0
        for points, north in COMBS:
            got = in_own_process(url, points, north)
            assert got["statuses"] == (302, 200, 302), got["statuses"]
            reach = "teeth to latitude 75" if north else "teeth in the area"
            start_s, show_s, again_s = got["seconds"]
            worst = max(worst, *got["seconds"])
            print(
                f"{points:>5} points, {reach:<20}{start_s:>9.2f}{show_s:>9.2f}{again_s:>9.2f}"
                f"{got['peak_mb']:>9.0f}{got['grew_mb']:>9.0f}"
            )
        verdict = "met" if worst < TARGET_S else "NOT met"
        print(f"target: every request under {TARGET_S:.0f} s: {verdict} (slowest {worst:.2f} s)")


if __name__ == "__main__":
    main()
