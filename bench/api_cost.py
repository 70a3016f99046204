"""Count the machine instructions one search request costs: assetmap's API beside the bare endpoint.

Wall-clock rates on a shared machine move with its neighbours; instruction counts do not. This
runs the same requests as ``bench/api_load.py`` (``/api/assets?near=...&radius=1000&limit=50``
and the bare endpoint's ``/near``, at the same points of the same 1,000,000 assets) inside one
process per endpoint, under valgrind's callgrind. Each process answers every request once to
warm up with callgrind's counting off, then counts while it answers them all again, straight
through the WSGI call with no server and no network. It prints instructions per request for
both, what assetmap spends above the bare endpoint, and the bare share.

Needs valgrind (Debian: ``apt-get install valgrind``). Slow: about a minute per endpoint.
Run: ``python bench/api_cost.py [--sqlite-path PATH] [--requests 100]``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ENDPOINTS = {"assetmap": "/api/assets", "bare": "/near"}


def child(which: str, count: int, ready: Path, go: Path) -> None:
    """Answer ``count`` requests, wait for counting to start, answer them again, and exit."""
    import api_load
    from werkzeug.test import EnvironBuilder

    if which == "assetmap":
        from assetmap import create_app

        app: Any = create_app()
    else:
        app = api_load.bare_app()
    environs = []
    for path in api_load.paths(ENDPOINTS[which], api_load.query_points(count)):
        route, _, query = path.partition("?")
        environs.append(EnvironBuilder(path=route, query_string=query).get_environ())

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        if not status.startswith("200"):
            raise SystemExit(f"{which} answered {status}")

    def answer_all() -> None:
        for environ in environs:
            body = app(dict(environ), start_response)
            b"".join(body)
            getattr(body, "close", lambda: None)()

    answer_all()
    ready.touch()
    while not go.exists():
        time.sleep(0.02)
    answer_all()
    os._exit(0)  # counting stops here: no interpreter shutdown in the figure


def instructions(which: str, count: int, env: dict[str, str], folder: Path) -> int:
    """Run one endpoint's child under callgrind; return the instructions its requests took."""
    ready, go, out = folder / f"{which}.ready", folder / f"{which}.go", folder / f"{which}.out"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        __file__,
        "--child",
        which,
        str(count),
        str(ready),
        str(go),
    ]
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while not ready.exists():
        if process.poll() is not None:
            raise SystemExit(f"the {which} process ended before it was ready")
        time.sleep(0.5)
    subprocess.run(
        ["callgrind_control", "--instr=on", str(process.pid)], check=True, capture_output=True
    )
    go.touch()
    if process.wait() != 0:
        raise SystemExit(f"the {which} process failed")
    totals = re.search(r"^(?:summary|totals):\s+(\d+)", out.read_text(), re.M)
    if totals is None:
        raise SystemExit(f"callgrind wrote no total for {which}")
    return int(totals.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=1_000_000, help="assets to load")
    parser.add_argument("--requests", type=int, default=100, help="requests counted per endpoint")
    parser.add_argument("--sqlite-path", type=Path, help="database to build, or reuse if present")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    if args.child:
        which, count, ready, go = args.child
        child(which, int(count), Path(ready), Path(go))
        return
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is needed (Debian: apt-get install valgrind)")
    import api_load

    with tempfile.TemporaryDirectory(prefix="assetmap-api-cost-") as tmp:
        folder = Path(tmp)
        env = api_load.prepare(args.sqlite_path or folder / "bench.sqlite", args.assets, folder)
        per_request = {
            which: instructions(which, args.requests, env, folder) / args.requests
            for which in ENDPOINTS
        }
    app, bare = per_request["assetmap"], per_request["bare"]
    print(f"instructions per request, over {args.requests} requests each:")
    print(f"  assetmap {app / 1e6:>6.2f} M")
    print(f"  bare     {bare / 1e6:>6.2f} M")
    print(f"  assetmap spends {(app - bare) / 1e6:.2f} M more; the bare share is {bare / app:.0%}")


if __name__ == "__main__":
    main()
