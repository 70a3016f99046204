"""The demo's community fund (``data/demo/funds.json``): one round decided, with funded and
unfunded projects, totals from its ballots, an update and a milestone; and one open for voting
on the day the demo is loaded. Rounds, proposals and ballots are built from the demo's own
strengths and people, in its neighbourhoods, in the demo's one transaction.

Each round is opened through ``storage.funds`` by the demo's first planner, over the
neighbourhoods its proposals' strengths lie in. Ballots are held as ``storage.ballots`` holds
them, under the app's secret where it is given (so a demo voter who signs in finds and can
change their own ballot); without it, under a random one nobody keeps. The decided round is
counted and published through ``storage.fund_results``, as a planner would.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Consent, ProposalStatus, check_ballot, parse_pounds
from assetmap.storage import fund_results
from assetmap.storage.ballots import holder
from assetmap.storage.funds import DATE_FIELDS, create_round
from assetmap.storage.models import Asset, User
from assetmap.storage.models.funds import (
    FundBallot,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundVoter,
)

# A demo strength, as the demo's files name it: its kind and title.
Named = tuple[str, str]
# When, in the register's day, the demo's results were counted and published.
PUBLISHED_AT = dt.time(10, 0)


@dataclass(frozen=True)
class People:
    """Who the demo's fund needs: its first planner, and the residents who vote (the first
    resident, who signs in to try the demo, is left to vote for themselves)."""

    planner: User
    voters: Sequence[User]


def load_rounds(
    session: orm.Session,
    rounds: Sequence[Mapping[str, Any]],
    stored: Mapping[Named, tuple[int, int | None]],
    people: People,
    *,
    today: dt.date,
    secret: bytes | None = None,
) -> int:
    """Add the demo's rounds as ``funds.json`` describes them; return how many. Raises
    ValidationError naming the round and field where one is not as the fund's rules allow."""
    key = secret if secret is not None else secrets.token_bytes(32)
    for number, described in enumerate(rounds, start=1):
        try:
            _load_round(session, described, stored, people, today=today, secret=key)
        except ValidationError as exc:
            raise ValidationError(
                {f"funds.json round {number}.{k}": v for k, v in exc.errors.items()}
            ) from None
    return len(rounds)


def _load_round(
    session: orm.Session,
    described: Mapping[str, Any],
    stored: Mapping[Named, tuple[int, int | None]],
    people: People,
    *,
    today: dt.date,
    secret: bytes,
) -> None:
    ideas = described["proposals"]
    strengths = {
        tuple(named): _strength(stored, named) for idea in ideas for named in idea["strengths"]
    }
    days = {name: today + dt.timedelta(days=described["days"][name]) for name in DATE_FIELDS}
    area = _area(session, [asset_id for asset_id, _owner in strengths.values()])
    values = {
        **{name: described[name] for name in ("title", "purpose", "budget", "method", "tie_break")},
        "proposers": described["proposers"],
        "neighbourhoods": [str(n) for n in area],
        **days,
    }
    fund = create_round(session, values, user=people.planner)
    fund.created_at = _moment(days["proposals_open"] - dt.timedelta(days=7))
    proposals = {
        idea["key"]: _propose(session, fund, idea, n, strengths, people.planner)
        for n, idea in enumerate(ideas)
    }
    _vote(session, fund, described["ballots"], proposals, people.voters, area, secret, today)
    if described.get("publish"):
        _publish(session, fund, ideas, proposals, people.planner, today)


def _strength(
    stored: Mapping[Named, tuple[int, int | None]], named: Sequence[str]
) -> tuple[int, int | None]:
    found = stored.get((named[0], named[1]))
    if found is None:
        raise ValidationError({"strengths": f"names no demo {named[0]} called {named[1]!r}"})
    return found


def _area(session: orm.Session, asset_ids: Sequence[int]) -> list[int]:
    """Return the neighbourhoods the strengths lie in, as the round's area."""
    query = sa.select(Asset.neighbourhood_id).where(
        Asset.id.in_(sorted(set(asset_ids))), Asset.neighbourhood_id.is_not(None)
    )
    return sorted({n for n in session.scalars(query) if n is not None})


def _moment(day: dt.date, at: dt.time = PUBLISHED_AT) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=dt.UTC)


def _propose(
    session: orm.Session,
    fund: FundRound,
    idea: Mapping[str, Any],
    number: int,
    strengths: Mapping[tuple[str, ...], tuple[int, int | None]],
    planner: User,
) -> FundProposal:
    """Add one idea as proposed by the owner of the first strength it builds on, and checked
    by the planner after ideas closed: eligible, or not with the reason."""
    built = [strengths[tuple(named)] for named in idea["strengths"]]
    reason = idea.get("not_eligible", "")
    proposal = FundProposal(
        round_id=fund.id,
        title=idea["title"],
        summary=idea["summary"],
        who_will_do_it=idea["who_will_do_it"],
        amount_pence=parse_pounds(idea["amount"], "amount"),
        proposed_by=built[0][1],
        status=ProposalStatus.NOT_ELIGIBLE if reason else ProposalStatus.ELIGIBLE,
        reason=reason,
        checked_by=planner.id,
        checked_at=_moment(fund.proposals_close + dt.timedelta(days=2)),
        created_at=_moment(fund.proposals_open + dt.timedelta(days=2 + 3 * number)),
        strengths=[
            FundProposalStrength(asset_id=asset_id, consent=Consent.NOT_NEEDED)
            for asset_id, _owner in built
        ],
    )
    session.add(proposal)
    session.flush()
    return proposal


def _vote(
    session: orm.Session,
    fund: FundRound,
    ballots: Sequence[Mapping[str, Any]],
    proposals: Mapping[str, FundProposal],
    voters: Sequence[User],
    area: Sequence[int],
    secret: bytes,
    today: dt.date,
) -> None:
    """Have demo residents vote as ``ballots`` says, each a voter living in the round's area
    (a resident with no home yet is given one there) and a ballot under their holder key,
    the ballots written in a random order."""
    amounts = {
        p.id: p.amount_pence for p in proposals.values() if p.status is ProposalStatus.ELIGIBLE
    }
    chosen = [
        [proposals[key].id for key in ballot["chosen"]]
        for ballot in ballots
        for _ in range(ballot["voters"])
    ]
    if len(chosen) > len(voters):
        raise ValidationError({"ballots": f"need {len(chosen)} voters; the demo has {len(voters)}"})
    last = min(fund.voting_close, today)
    span = (last - fund.voting_open).days + 1
    written = []
    for number, (voter, choices) in enumerate(zip(voters, chosen, strict=False)):
        check_ballot(fund.method, fund.budget_pence, choices, amounts)
        if voter.home_neighbourhood_id not in area:
            voter.home_neighbourhood_id = area[number % len(area)]
        day = fund.voting_open + dt.timedelta(days=number % span)
        session.add(
            FundVoter(
                round_id=fund.id,
                user_id=voter.id,
                neighbourhood_id=voter.home_neighbourhood_id,
                voted_on=day,
            )
        )
        written.append(
            {"round_id": fund.id, "holder": holder(secret, fund.id, voter.id), "chosen": choices}
        )
    secrets.SystemRandom().shuffle(written)
    if written:
        session.execute(sa.insert(FundBallot), written)
    session.flush()


def _publish(
    session: orm.Session,
    fund: FundRound,
    ideas: Sequence[Mapping[str, Any]],
    proposals: Mapping[str, FundProposal],
    planner: User,
    today: dt.date,
) -> None:
    """Count and publish the round as its planner would have on its results day, then add
    each funded project's updates and milestones as its proposer."""
    fund_results.count_round(session, fund.id, today=today)
    fund_results.publish(session, fund.id, by=planner.id, today=today)
    fund.counted_at = _moment(fund.results_on - dt.timedelta(days=1))
    fund.published_at = _moment(fund.results_on)
    for idea in ideas:
        proposal = proposals[idea["key"]]
        session.refresh(proposal, ["status"])
        for update in idea.get("updates", []):
            added = fund_results.add_update(
                session,
                proposal,
                update["body"],
                milestone=update["milestone"],
                by=proposal.proposed_by,
            )
            added.created_at = _moment(today + dt.timedelta(days=update["days"]))
    session.flush()
