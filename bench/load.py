"""Send bounded bursts at assetmap from a second process on 127.0.0.1; show the limits hold.

The app is served by werkzeug's threaded server in a subprocess, on a fresh SQLite database
with one user and one API token. This process sends three bursts, each bounded in count and in
time (it stops by itself), from a pool of threads:

1. sign-in attempts with a wrong password (limited by RATELIMIT_SIGN_IN),
2. API writes with a token (limited by RATELIMIT_WRITE),
3. API reads (not limited).

For each it prints how many requests were sent and answered, by status, and checks that every
request was answered, none with a 5xx, and that after the limit the answers are 429.
Run: ``python bench/load.py [--requests 200] [--threads 16] [--seconds 30]``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVER = """
import json, sys
from werkzeug.serving import make_server
from assetmap import create_app
app = create_app(json.loads(sys.argv[1]))
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""
LIMITS = {"RATELIMIT_SIGN_IN": "10 per minute", "RATELIMIT_WRITE": "20 per minute"}
EMAIL, PASSWORD = "load@example.org", "correct horse battery"


@dataclass
class Burst:
    """What one burst sent and what came back."""

    name: str
    sent: int
    statuses: Counter[int]
    lost: int
    seconds: float

    @property
    def answered(self) -> int:
        return sum(self.statuses.values())

    def line(self) -> str:
        by_status = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items()))
        return (
            f"{self.name}: sent {self.sent}, answered {self.answered}, lost {self.lost} "
            f"in {self.seconds:.2f} s ({self.sent / max(self.seconds, 1e-9):.0f}/s) [{by_status}]"
        )


def prepare(folder: Path) -> tuple[dict[str, Any], str]:
    """Make the database with one user and a token; return the app's config and the token."""
    from assetmap.storage import database as db
    from assetmap.storage import tokens, users

    path = folder / "load.db"
    database = db.connect(f"sqlite:///{path}")
    db.upgrade(database)
    with database.session() as session:
        user = users.create_user(session, EMAIL)
        users.set_password(user, PASSWORD)
        session.flush()
        secret = tokens.create_token(session, user.id, "load").secret
        session.commit()
    database.dispose()
    config = {
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": "load-test",
        "MAIL_OUTBOX_DIR": str(folder / "outbox"),
        **LIMITS,
    }
    return config, secret


@contextmanager
def served(config: dict[str, Any]) -> Iterator[str]:
    """Serve the app in a subprocess on 127.0.0.1 and yield its base URL; stop it after."""
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, json.dumps(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _status(opener: urllib.request.OpenerDirector, request: urllib.request.Request) -> int:
    try:
        with opener.open(request, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.read()
        return int(exc.code)


def burst(name: str, count: int, threads: int, seconds: float, send: Callable[[], int]) -> Burst:
    """Send ``count`` requests from ``threads`` threads, stopping at ``seconds``."""
    statuses: Counter[int] = Counter()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(send) for _ in range(count)]
        done, pending = wait(futures, timeout=seconds)
        for future in pending:
            future.cancel()
    lost = len(pending)
    for future in done:
        try:
            statuses[future.result()] += 1
        except OSError:
            lost += 1
    return Burst(name, count, statuses, lost, time.monotonic() - started)


def sign_in_sender(base: str) -> Callable[[], int]:
    """Return a sender of wrong-password sign-ins on one session with a real CSRF token."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{base}/sign-in", timeout=10) as response:
        page = response.read().decode()
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "the sign-in page carries no CSRF token"
    body = urllib.parse.urlencode(
        {"email": EMAIL, "password": "wrong password", "csrf_token": match.group(1)}
    ).encode()
    return lambda: _status(opener, urllib.request.Request(f"{base}/sign-in", data=body))


def api_write_sender(base: str, token: str) -> Callable[[], int]:
    """Return a sender of API writes (an empty body: refused with 400 until the limit)."""
    opener = urllib.request.build_opener()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return lambda: _status(
        opener, urllib.request.Request(f"{base}/api/assets", data=b"{}", headers=headers)
    )


def api_read_sender(base: str) -> Callable[[], int]:
    """Return a sender of API reads."""
    opener = urllib.request.build_opener()
    url = f"{base}/api/assets?bbox=-2.34,51.21,-2.30,51.25"
    return lambda: _status(opener, urllib.request.Request(url))


def run(requests: int, threads: int, seconds: float) -> list[Burst]:
    """Serve the app, send the three bursts, and return what happened."""
    with tempfile.TemporaryDirectory() as folder:
        config, token = prepare(Path(folder))
        with served(config) as base:
            return [
                burst("sign-in", requests, threads, seconds, sign_in_sender(base)),
                burst("api write", requests, threads, seconds, api_write_sender(base, token)),
                burst("api read", requests, threads, seconds, api_read_sender(base)),
            ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per burst")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30.0, help="time bound per burst")
    args = parser.parse_args()
    print(f"limits: {LIMITS}")
    bursts = run(args.requests, args.threads, args.seconds)
    for result in bursts:
        print(result.line())
    sign_in, write, read = bursts
    checks = {
        "every request answered": all(b.lost == 0 and b.answered == b.sent for b in bursts),
        "no 5xx": not any(s >= 500 for b in bursts for s in b.statuses),
        "sign-in limit holds (10 allowed)": sign_in.statuses[400] == 10,
        "write limit holds (20 allowed)": write.statuses[400] == 20,
        "reads are not limited": read.statuses == Counter({200: read.sent}),
    }
    for name, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
