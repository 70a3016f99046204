"""Benchmark what speaking the reader's language costs a page: each page in English beside the
same page in Welsh, Polish and Urdu.

Builds the demo database in a scratch folder (``init-db`` and ``seed-demo``), then asks the
app itself, straight through WSGI with no server and no network, for the front page, the map,
a search near a place, what's on and a strength's page, ``--runs`` times each in each language
(chosen by ``Accept-Language``, as a visitor's browser does) after one warm-up, the languages
taking turns. Prints the
median and the 99th percentile per page and language, and each language's median over
English's, so the cost of translating (catalogue lookups, lazily translated labels, Babel's
dates and numbers) stands beside the page it is added to.

Run: ``python bench/languages.py [--runs 200]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assetmap import create_app  # noqa: E402
from assetmap.web import db  # noqa: E402
from assetmap.web.i18n import LANGUAGES  # noqa: E402

PAGES = {
    "front page": "/",
    "map": "/map",
    "search": "/search?place=Market+Place",
    "what's on": "/whats-on",
    "a strength": "/assets/1",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'demo.db'}",
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        runner = app.test_cli_runner()
        for command in (["init-db"], ["seed-demo"]):
            result = runner.invoke(args=command)
            if result.exit_code != 0:
                raise SystemExit(result.output)
        client = app.test_client()
        print(f"{args.runs} runs of each page in each language, after one warm-up (ms)")
        print(f"{'page':<12} {'language':<9} {'median':>8} {'p99':>8} {'vs English':>11}")
        for name, path in PAGES.items():
            times: dict[str, list[float]] = {code: [] for code in LANGUAGES}
            for code, language in LANGUAGES.items():
                warm = client.get(path, headers={"Accept-Language": language.tag})
                if warm.status_code != 200:
                    raise SystemExit(f"{path} in {code}: {warm.status_code}")
            # The languages take turns, so a busy moment of the machine falls on them alike.
            for _ in range(args.runs):
                for code, language in LANGUAGES.items():
                    start = time.perf_counter()
                    client.get(path, headers={"Accept-Language": language.tag})
                    times[code].append((time.perf_counter() - start) * 1000)
            english = statistics.median(times["en"])
            for code, taken in times.items():
                median = statistics.median(taken)
                print(
                    f"{name:<12} {code:<9} {median:8.2f} {percentile(taken, 0.99):8.2f}"
                    f" {median / english:10.2f}x"
                )
        db.database(app).dispose()


if __name__ == "__main__":
    main()
