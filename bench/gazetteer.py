"""Benchmark building the gazetteer from a national postcode file, and importing boundaries.

Writes an ONS Postcode Directory-style CSV of N postcodes spread over Great Britain (a few
terminated, a few with no location, as in the real file), with a small share inside the demo
town, then, each in its own process so its peak memory (the child's peak RSS) is its alone:

- ``area import-places``'s work (``services.places.import_places``) into a fresh SQLite database
  holding the demo neighbourhoods, keeping only the postcodes inside their area; and once more
  with no area, keeping them all;
- ``area import-neighbourhoods``'s work on the demo wards reprojected to British National Grid
  and written as a Shapefile with pyogrio.

Run: ``python bench/gazetteer.py [--postcodes 2600000]``. Prints a table.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SEED = 20261207
# Great Britain, roughly, and the demo town inside it.
WEST, SOUTH, EAST, NORTH = -6.0, 50.0, 1.7, 58.6
TOWN = (-2.346, 51.2135, -2.296, 51.247)


def write_onspd(path: Path, count: int) -> None:
    """Write an ONSPD-like CSV: ``pcds``, ``doterm``, ``lat``, ``long`` and a few more columns."""
    rng = np.random.default_rng(SEED)
    in_town = max(count // 2000, 1)
    lons = np.concatenate(
        [rng.uniform(WEST, EAST, count - in_town), rng.uniform(TOWN[0], TOWN[2], in_town)]
    )
    lats = np.concatenate(
        [rng.uniform(SOUTH, NORTH, count - in_town), rng.uniform(TOWN[1], TOWN[3], in_town)]
    )
    terminated = rng.random(count) < 0.02
    unlocated = rng.random(count) < 0.005
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["pcd", "pcd2", "pcds", "dointr", "doterm", "oseast1m", "lat", "long"])
        for i in range(count):
            code = _postcode(i)
            lat, lon = (99.999999, 0.0) if unlocated[i] else (round(lats[i], 6), round(lons[i], 6))
            writer.writerow(
                [code, code, code, "199801", "202001" if terminated[i] else "", "", lat, lon]
            )


def _postcode(i: int) -> str:
    """Return the i-th made-up postcode, in the standard form (``AB12 3CD``)."""
    area = chr(65 + i % 26) + chr(65 + i // 26 % 26)
    sector = f"{i // 676 % 90 + 10} {i // 60840 % 10}"
    unit = chr(65 + i // 608400 % 26) + chr(65 + i // 7 % 26)
    return f"{area}{sector}{unit}"


def child(task: str, folder: str) -> None:
    """Run one timed task in this process and print its seconds and what it kept."""
    from assetmap.exchange.boundaries import read_boundaries
    from assetmap.exchange.demo import default_folder
    from assetmap.services.neighbourhoods import import_neighbourhoods
    from assetmap.services.places import import_places
    from assetmap.storage import database as db
    from assetmap.storage.area import stored_area
    from assetmap.storage.neighbourhoods import replace_neighbourhoods

    base = Path(folder)
    database = db.connect(f"sqlite:///{base / f'{task}.db'}")
    db.upgrade(database)
    with database.session() as session:
        if task != "boundaries":
            demo = read_boundaries(default_folder() / "neighbourhoods.geojson")
            replace_neighbourhoods(session, demo.areas)
            session.commit()
        area = stored_area(session) if task == "places-in-area" else None
        started = time.perf_counter()
        if task == "boundaries":
            report = import_neighbourhoods(session, read_boundaries(base / "wards.shp"))
            kept = len(report.boundaries.areas)
        else:
            report = import_places(session, base / "onspd.csv", area=area)
            kept = sum(report.kept.values())
        session.commit()
        seconds = time.perf_counter() - started
    database.dispose()
    print(f"{seconds:.2f} {kept}")


def run_child(task: str, folder: Path) -> tuple[float, str, float]:
    """Run a task in a child process; return its seconds, what it kept and its peak RSS (MB)."""
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", task, str(folder)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{task} failed")
    seconds, kept = out.split()[-2:]
    return float(seconds), kept, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postcodes", type=int, default=2_600_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import geopandas as gpd

    from assetmap.exchange.demo import default_folder

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        write_onspd(folder / "onspd.csv", args.postcodes)
        size = (folder / "onspd.csv").stat().st_size / 1e6
        print(
            f"ONSPD-like file: {args.postcodes:,} postcodes, {size:,.0f} MB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        wards = gpd.read_file(default_folder() / "neighbourhoods.geojson").to_crs(27700)
        wards.to_file(folder / "wards.shp", engine="pyogrio")
        print(f"{'task':<34} {'seconds':>8} {'kept':>10} {'peak MB':>8}")
        for task, label in (
            ("places-in-area", "import-places, inside the area"),
            ("places-everywhere", "import-places, no area"),
            ("boundaries", "import-neighbourhoods, Shapefile"),
        ):
            seconds, kept, peak = run_child(task, folder)
            print(f"{label:<34} {seconds:>8.2f} {kept:>10} {peak:>8.0f}")


if __name__ == "__main__":
    main()
