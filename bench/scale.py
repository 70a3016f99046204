"""Requests per second with one gunicorn process and with two, on one PostGIS database.

Loads N synthetic strengths (``bench/nearby.py``'s city, with ``bench/openreferral.py``'s
loader) into PostgreSQL, then serves assetmap with gunicorn twice side by side: one worker
process, and two. Each process opens its own connections (gunicorn forks before the app is
made), to the read replica when ``--read-url`` is given and the app reads
``ASSETMAP_DATABASE_READ_URL``, else to the primary. wrk drives each server in turn with the
nearest-strengths search (``/api/assets?near=...``) and with the open directory's services
list (``/openreferral/services``: pages, a search, a theme), for several rounds, and prints
requests per second for each, the ratio two / one, each worker's share of a core, which
shows whether the second process worked or waited on the first, and how busy the whole machine
was meanwhile (whatever else runs on it included).

Workers are sync by default: one request at a time, and a worker takes a connection only when
it is free, so requests spread over the processes as a balancer would spread them. gthread
workers (``--threads 4``, as deploy/gunicorn.conf.py runs) take wrk's few kept-alive
connections as they come, and one process often ends up with most of them: the figure then
measures how gunicorn shared out the connections, not whether the app scales.

Two cores run the client, both workers and PostgreSQL's backends here, so the ratio cannot
reach 2: the point is that nothing serialises the processes. Needs wrk (Debian: ``apt-get
install wrk``). Only 127.0.0.1 is contacted. Run: ``python bench/scale.py [--assets N]
[--seconds S] [--rounds R] [--concurrency C] [--redis redis://127.0.0.1:6379/0]
[--read-url URL] [--reuse]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import sqlalchemy as sa
from api_load import parse_wrk, paths, query_points, serving
from nearby import _libpq, fresh_postgres
from openreferral import load

from assetmap.config import DEFAULTS
from assetmap.domain.vocab import Theme
from assetmap.exchange import openreferral

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench_scale"
POINTS = 2000
WORKERS = (1, 2)
TICKS = os.sysconf("SC_CLK_TCK")


def stored(url: str) -> int | None:
    """Return how many strengths the benchmark database holds, or None if it has none."""
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as connection:
            row = connection.execute("SELECT count(*) FROM asset").fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def prepare(url: str, n: int, reuse: bool) -> None:
    """Load n strengths into a fresh database at ``url``, or keep one that holds n already."""
    if reuse and stored(url) == n:
        print(f"reusing {sa.make_url(url).database} with {n:,} strengths")
        return
    if not fresh_postgres(url):
        raise SystemExit("bench/scale.py needs PostgreSQL with PostGIS")
    print(f"loaded {n:,} strengths in {load(url, n):.1f} s")


def environment(args: argparse.Namespace, folder: Path) -> tuple[dict[str, str], str]:
    """Return what the servers run with, and a line saying where reads go and limits count."""
    env = {
        "ASSETMAP_DATABASE_URL": args.postgres_url,
        "ASSETMAP_SECRET_KEY": "bench-only",
        "ASSETMAP_INSTANCE_PATH": str(folder),
        # High enough never to refuse the benchmark, so reads are counted as in production.
        "ASSETMAP_RATELIMIT_OPEN_DATA": "100000000 per minute",
    }
    if args.redis:
        env["ASSETMAP_RATELIMIT_STORAGE_URI"] = args.redis
        env["ASSETMAP_RATELIMIT_KEY_PREFIX"] = f"assetmap-bench-{os.getpid()}"
        limits = f"open-directory reads counted in Redis ({args.redis})"
    else:
        limits = "open-directory reads counted in each process's memory"
    if args.read_url and "DATABASE_READ_URL" in DEFAULTS:
        env["ASSETMAP_DATABASE_READ_URL"] = args.read_url
        reads = "each process reads from the replica"
    elif args.read_url:
        reads = "primary only: this assetmap has no DATABASE_READ_URL, so --read-url is unused"
    else:
        reads = "primary only: no --read-url given"
    return env, f"{reads}; {limits}"


def directory_paths(base: str) -> list[str]:
    """Return the open directory's reads: the first pages, a deep one, a search, a theme."""
    with urllib.request.urlopen(f"{base}/openreferral/services", timeout=30) as answer:  # noqa: S310
        pages = int(json.load(answer)["total_pages"])
    term = next(t["id"] for t in openreferral.theme_terms() if t["code"] == Theme.SPORT.value)
    return [
        "/openreferral/services",
        "/openreferral/services?page=2",
        f"/openreferral/services?page={max(1, pages - 10)}",
        "/openreferral/services?search=choir",
        f"/openreferral/services?taxonomy_term_id={term}",
    ]


def workers_of(port: int) -> list[int]:
    """Return the pids of the gunicorn workers listening on ``port`` (children of its master)."""
    bound = f"127.0.0.1:{port}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and bound in (entry / "cmdline").read_bytes():
                found.append((int(entry.name), (entry / "stat").read_text().split()[3]))
        except OSError:
            continue
    masters = {str(pid) for pid, parent in found if parent not in {str(p) for p, _ in found}}
    return sorted(pid for pid, parent in found if parent in masters)


def machine_ticks() -> tuple[int, int]:
    """Return the machine's busy and total CPU ticks so far, every process included."""
    fields = [int(field) for field in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and waiting on I/O
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pids: list[int]) -> list[float]:
    """Return the CPU seconds (user and system) each process has used so far."""
    used = []
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        used.append((int(fields[11]) + int(fields[12])) / TICKS)
    return used


def wrk(base: str, requests: list[str], args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Drive ``base`` with wrk cycling through ``requests``; return its figures and, per
    worker, the share of one core it used meanwhile."""
    script = folder / "paths.lua"
    listed = ",\n".join(json.dumps(path) for path in requests)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
    )
    pids = workers_of(int(base.rpartition(":")[2]))
    before, start, machine = cpu_seconds(pids), time.monotonic(), machine_ticks()
    command = ["wrk", "-t1", f"-c{args.concurrency}", f"-d{args.seconds}s", "--latency"]
    output = subprocess.run(
        [*command, "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
        timeout=args.seconds + 60,
    ).stdout
    elapsed = time.monotonic() - start
    figures: dict[str, Any] = dict(parse_wrk(output))
    figures["cores"] = [(b - a) / elapsed for a, b in zip(before, cpu_seconds(pids), strict=True)]
    busy, total = (after - then for after, then in zip(machine_ticks(), machine, strict=True))
    figures["machine"] = busy / max(total, 1)
    return figures


def measure(
    servers: dict[int, str], loads: dict[str, list[str]], args: argparse.Namespace, folder: Path
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """Warm every server up, then run each load on each server in turns, swapping the order
    every round so a slow spell of a shared machine falls on both alike."""
    warm = argparse.Namespace(**{**vars(args), "seconds": min(5, args.seconds)})
    for base in servers.values():
        for requests in loads.values():
            wrk(base, requests, warm, folder)
    results: dict[tuple[str, int], list[dict[str, Any]]] = {
        (name, n): [] for name in loads for n in servers
    }
    for number in range(args.rounds):
        for name, requests in loads.items():
            order = list(servers) if number % 2 == 0 else list(servers)[::-1]
            for n in order:
                figures = wrk(servers[n], requests, args, folder)
                results[name, n].append(figures)
                cores = ", ".join(f"{share:.0%}" for share in figures["cores"])
                print(
                    f"  round {number + 1}  {name:<13} {n} process{'es' if n > 1 else '  '} "
                    f"{figures['rps']:>7.0f} req/s  p50 {figures['p50']:>7.1f} ms  "
                    f"p99 {figures['p99']:>7.1f} ms  {figures['non2xx']:.0f} not 2xx  "
                    f"worker cores: {cores}  machine busy {figures['machine']:.0%}",
                    flush=True,
                )
    return results


def report(results: dict[tuple[str, int], list[dict[str, Any]]], names: list[str]) -> None:
    """Print the median rate of each load with one and two processes, and their ratio, the
    median of each round's two-over-one so both figures of a ratio come from the same round.

    Requests per CPU-second of the workers is the check that holds on a busy machine: were the
    processes serialised on something shared, two would do the same work in more CPU time or
    sit idle, and the rate would not follow the CPU they were given.
    """
    print("\nmedians over the rounds")
    print(
        f"{'load':<13} {'1 process':>10} {'2 processes':>12} {'ratio':>6}  "
        f"{'req/CPU-s 1':>11} {'req/CPU-s 2':>11} {'machine':>7}  worker cores (2)"
    )
    for name in names:
        one, two = results[name, 1], results[name, 2]
        ratio = np.median([b["rps"] / a["rps"] for a, b in zip(one, two, strict=True)])
        cores = np.median([run["cores"] for run in two], axis=0)
        print(
            f"{name:<13} {_median(one, 'rps'):>10.0f} {_median(two, 'rps'):>12.0f} "
            f"{ratio:>6.2f}  {_per_cpu(one):>11.0f} {_per_cpu(two):>11.0f} "
            f"{_median(one + two, 'machine'):>7.0%}  "
            + ", ".join(f"{share:.0%}" for share in cores)
        )


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(np.median([run[key] for run in runs]))


def _per_cpu(runs: list[dict[str, Any]]) -> float:
    return float(np.median([run["rps"] / max(sum(run["cores"]), 1e-9) for run in runs]))


def start_servers(stack: ExitStack, env: dict[str, str], threads: int) -> Iterator[tuple[int, str]]:
    """Start a gunicorn with each number of worker processes; yield its count and base URL."""
    for n in WORKERS:
        yield n, stack.enter_context(serving("assetmap:create_app()", env, n, threads))


def main(argv: Sequence[str] | None = None) -> None:
    """Load (or reuse) the database, then measure one process against two."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000, help="strengths to load")
    parser.add_argument("--seconds", type=int, default=10, help="how long each run lasts")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each server, in turns")
    parser.add_argument("--concurrency", type=int, default=8, help="wrk's open connections")
    parser.add_argument("--threads", type=int, default=1, help="above 1: gthread workers")
    parser.add_argument("--redis", help="count rate limits in this Redis, as several hosts do")
    parser.add_argument("--read-url", help="a replica's URL for ASSETMAP_DATABASE_READ_URL")
    parser.add_argument("--reuse", action="store_true", help="keep a database of N strengths")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("ASSETMAP_BENCH_SCALE_POSTGRES_URL", DEFAULT_POSTGRES),
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        parser.error("wrk is needed as the load generator (Debian: apt-get install wrk)")
    prepare(args.postgres_url, args.assets, args.reuse)
    with tempfile.TemporaryDirectory(prefix="assetmap-scale-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        env, where = environment(args, folder)
        workers = (
            f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
        )
        print(
            f"gunicorn {workers}; wrk: 1 thread, "
            f"{args.concurrency} connections, {args.seconds} s a run, {args.rounds} rounds; "
            f"{os.cpu_count()} cores shared by client, workers and PostgreSQL\n{where}"
        )
        started = dict(start_servers(stack, env, args.threads))
        loads = {
            "near": paths("/api/assets", query_points(POINTS)),
            "openreferral": directory_paths(started[1]),
        }
        results = measure(started, loads, args, folder)
    report(results, list(loads))


if __name__ == "__main__":
    main()
