"""Benchmark casting a secret ballot in a community fund round as the round fills up.

A ballot is written so that the database alone cannot join it to its voter: it takes a random
place among the round's ballots, and on PostgreSQL every vote rewrites the round's ballots in
its own transaction (``storage.ballots``). That makes a vote cost more as a round grows; this
prints how much. For each backend and each size it fills a round with that many ballots (rows
written directly, as votes would leave them), then times ``ballots.cast`` for new voters (a
first vote) and for voters changing their ballot, and prints the median and p95.

Run: ``python bench/ballots.py [--sizes 1000,10000] [--votes 30] [--sqlite-only]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from nearby import fresh_postgres
from shapely.geometry import box

from assetmap.domain.funds import TieBreak, VotingMethod
from assetmap.storage import ballots
from assetmap.storage import database as db
from assetmap.storage.models import (
    FundBallot,
    FundProposal,
    FundRound,
    FundRoundArea,
    FundVoter,
    Neighbourhood,
    User,
)

POSTGRES_URL = os.environ.get(
    "ASSETMAP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/assetmap_bench"
)
SECRET = b"bench secret"
PROPOSALS = 20


def fill(database: db.Database, size: int, extra: int) -> tuple[int, list[int], list[int]]:
    """Make a round open for voting with ``size`` ballots cast and ``extra`` people yet to
    vote; return the round's id, the voters' ids and those yet to vote."""
    today = ballots.today()
    with database.session() as session:
        area = box(-2.33, 51.22, -2.31, 51.24)
        place = Neighbourhood(code="bench", name="Bench", boundary=area.wkb, **_bounds(area))
        session.add(place)
        session.flush()
        fund = FundRound(
            title="Bench round",
            budget_pence=1_000_000,
            method=VotingMethod.BUDGET,
            tie_break=TieBreak.SMALLER_FIRST,
            proposers=["resident"],
            proposals_open=today - dt.timedelta(days=20),
            proposals_close=today - dt.timedelta(days=10),
            voting_open=today - dt.timedelta(days=1),
            voting_close=today + dt.timedelta(days=10),
            results_on=today + dt.timedelta(days=11),
            areas=[FundRoundArea(neighbourhood_id=place.id)],
        )
        session.add(fund)
        session.flush()
        session.execute(
            sa.insert(FundProposal),
            [
                {
                    "round_id": fund.id,
                    "title": f"Project {n}",
                    "amount_pence": 10_000 + n * 1_000,
                    "status": "eligible",
                }
                for n in range(PROPOSALS)
            ],
        )
        ids = list(session.scalars(sa.select(FundProposal.id).order_by(FundProposal.id)))
        now = dt.datetime.now(dt.UTC)
        people = [
            {
                "email": f"voter{n}@example.org",
                "confirmed_at": now,
                "home_neighbourhood_id": place.id,
            }
            for n in range(size + extra)
        ]
        session.execute(sa.insert(User), people)
        users = list(session.scalars(sa.select(User.id).order_by(User.id)))
        session.execute(
            sa.insert(FundVoter),
            [{"round_id": fund.id, "user_id": u, "voted_on": today} for u in users[:size]],
        )
        session.execute(
            sa.insert(FundBallot),
            [
                {
                    "round_id": fund.id,
                    "holder": ballots.holder(SECRET, fund.id, u),
                    "chosen": [ids[u % PROPOSALS], ids[(u + 7) % PROPOSALS]],
                }
                for u in users[:size]
            ],
        )
        session.commit()
        return fund.id, users[:size], users[size:]


def _bounds(area: object) -> dict[str, float]:
    minx, miny, maxx, maxy = area.bounds  # type: ignore[attr-defined]
    return {"min_lon": minx, "min_lat": miny, "max_lon": maxx, "max_lat": maxy}


def timed(
    database: db.Database, round_id: int, voters: list[int], chosen: list[int]
) -> list[float]:
    """Return the seconds each of ``voters`` took to cast ``chosen``."""
    took = []
    for user_id in voters:
        with database.session() as session:
            start = time.perf_counter()
            ballots.cast(session, round_id, user_id, chosen, secret=SECRET, on=ballots.today())
            took.append(time.perf_counter() - start)
    return took


def run(name: str, url: str, sizes: list[int], votes: int) -> None:
    for size in sizes:
        if name == "postgis":
            fresh_postgres(url)
        database = db.connect(url.format(size=size))
        db.upgrade(database)
        round_id, voted, waiting = fill(database, size, votes)
        with database.session() as session:
            options = [p.id for p in ballots.options(session, round_id)]
        first = timed(database, round_id, waiting, options[:3])
        change = timed(database, round_id, voted[:votes], options[3:5])
        database.dispose()
        for what, took in (("first vote", first), ("change", change)):
            ms = sorted(t * 1000 for t in took)
            p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
            print(f"| {name} | {size:,} | {what} | {statistics.median(ms):.1f} ms | {p95:.1f} ms |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--votes", type=int, default=30)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    print("| backend | ballots already cast | vote | median | p95 |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{Path(folder)}/ballots-{{size}}.db", sizes, args.votes)
    if not args.sqlite_only:
        run("postgis", POSTGRES_URL, sizes, args.votes)


if __name__ == "__main__":
    main()
