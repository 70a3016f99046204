"""A community fund's result: count a round once voting has closed, publish it, count it again
from the published totals, and keep funded projects' updates; what the "you said, we did" log
reads of funds.

The stored result (``FundRound.result``) holds totals only, never a ballot: the rule in words
and as its code, the budget, the number of ballots, and each eligible proposal's votes,
amount, when it was proposed, rank, whether it was funded and the money left after it. From
that alone ``recount`` gives the same result. The votes are ``ballots.totals``, the only
reading of ballots. Writes flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import (
    TEXT_MAX,
    Consent,
    Counted,
    ProposalStatus,
    Stage,
    Tally,
    TieBreak,
    count,
    pounds,
)
from assetmap.domain.i18n import _, english, ngettext
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import ballots
from assetmap.storage.database import begin_write
from assetmap.storage.funds import require_round, stage_of
from assetmap.storage.models import Asset, utcnow
from assetmap.storage.models.funds import (
    FundBallot,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundUpdate,
)

# The counting rule as its code: most votes first, ties by the round's rule, skipping a
# project that no longer fits what is left of the budget.
RULE_CODE = "most-votes-skip-unfit"


class ProposalNotFound(LookupError):
    """No proposal of this round has the id asked for."""

    def __init__(self, proposal_id: int) -> None:
        super().__init__(_("Project %(id)s doesn't exist.", id=proposal_id))
        self.proposal_id = proposal_id


@dataclass(frozen=True)
class Row:
    """A proposal's line in a result, as a page shows it."""

    proposal_id: int
    title: str
    rank: int
    votes: int
    amount_pence: int
    funded: bool
    left_pence: int


def rule_in_words(tie_break: TieBreak) -> str:
    """Return the counting rule as a person reads it, in the reader's language."""
    return _(
        "Projects are ranked by votes, most first; when two have the same number of votes, "
        "%(tie)s. Down that ranking, each project is funded if the money left still covers "
        "it; a project that no longer fits is skipped and the next one is tried. A project "
        "with no votes is not funded.",
        tie=tie_break.label,
    )


def _ballot_count(session: orm.Session, round_id: int) -> int:
    query = (
        sa.select(sa.func.count()).select_from(FundBallot).where(FundBallot.round_id == round_id)
    )
    return session.scalar(query) or 0


def _closed_round(session: orm.Session, round_id: int, today: dt.date) -> FundRound:
    fund_round = require_round(session, round_id)
    if fund_round.published_at is not None:
        raise ValidationError({"round": _("The result is already published.")})
    if stage_of(fund_round, today) is not Stage.COUNTING:
        raise ValidationError({"round": _("Votes can be counted once voting has closed.")})
    return fund_round


def preview(session: orm.Session, round_id: int, *, today: dt.date) -> dict[str, Any]:
    """Return the result the round would have if counted now, storing nothing; raise
    ValidationError while voting is open or once the result is published."""
    fund_round = _closed_round(session, round_id, today)
    votes = ballots.totals(session, round_id, today)
    eligible = list(
        session.scalars(
            sa.select(FundProposal)
            .where(
                FundProposal.round_id == round_id,
                FundProposal.status == ProposalStatus.ELIGIBLE,
            )
            .order_by(FundProposal.id)
        )
    )
    tallies = [Tally(p.id, votes.get(p.id, 0), p.amount_pence, p.created_at) for p in eligible]
    counted = count(tallies, fund_round.budget_pence, fund_round.tie_break)
    return _result(fund_round, eligible, counted, _ballot_count(session, round_id))


def _result(
    fund_round: FundRound, eligible: list[FundProposal], counted: list[Counted], cast: int
) -> dict[str, Any]:
    proposals = {p.id: p for p in eligible}
    with english():
        words = str(rule_in_words(fund_round.tie_break))
    lines = [
        {
            "proposal_id": c.proposal_id,
            "title": proposals[c.proposal_id].title,
            "proposed_at": proposals[c.proposal_id].created_at.isoformat(),
            "votes": c.votes,
            "amount_pence": c.amount_pence,
            "rank": c.rank,
            "funded": c.funded,
            "left_pence": c.left_pence,
        }
        for c in counted
    ]
    return {
        "rule": {"code": RULE_CODE, "tie_break": fund_round.tie_break.value, "words": words},
        "budget_pence": fund_round.budget_pence,
        "ballots": cast,
        "proposals": lines,
    }


def _locked(session: orm.Session, round_id: int) -> None:
    # Read the round afresh and hold its row, so two planners publishing at once are taken
    # one after the other and the second sees the first's result (SQLite: the write lock).
    begin_write(session)
    query = sa.select(FundRound).where(FundRound.id == round_id).with_for_update()
    session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def count_round(session: orm.Session, round_id: int, *, today: dt.date) -> FundRound:
    """Count the round's votes and keep the result with the time it was counted; raise
    ValidationError while voting is open or once the result is published."""
    _locked(session, round_id)
    result = preview(session, round_id, today=today)
    fund_round = require_round(session, round_id)
    fund_round.result = result
    fund_round.counted_at = utcnow()
    session.flush()
    return fund_round


def publish(session: orm.Session, round_id: int, *, by: int | None, today: dt.date) -> FundRound:
    """Publish the round's counted result and mark each proposal in it funded or not, all in
    one transaction; raise ValidationError before the count, or once already published."""
    _locked(session, round_id)
    fund_round = require_round(session, round_id)
    if fund_round.published_at is not None:
        raise ValidationError({"round": _("The result is already published.")})
    if fund_round.counted_at is None or fund_round.result is None:
        raise ValidationError({"round": _("Count the votes before publishing the result.")})
    if stage_of(fund_round, today) is not Stage.COUNTING:
        raise ValidationError({"round": _("Votes can be counted once voting has closed.")})
    funded = {line["proposal_id"]: line["funded"] for line in fund_round.result["proposals"]}
    proposals = session.scalars(sa.select(FundProposal).where(FundProposal.id.in_(list(funded))))
    for proposal in proposals:
        proposal.status = (
            ProposalStatus.FUNDED if funded[proposal.id] else ProposalStatus.NOT_FUNDED
        )
    fund_round.published_at = utcnow()
    fund_round.published_by = by
    session.flush()
    return fund_round


def recount(result: dict[str, Any]) -> list[Counted]:
    """Count again from a published result's totals alone, as anyone can."""
    tallies = [
        Tally(
            line["proposal_id"],
            line["votes"],
            line["amount_pence"],
            dt.datetime.fromisoformat(line["proposed_at"]),
        )
        for line in result["proposals"]
    ]
    return count(tallies, result["budget_pence"], TieBreak(result["rule"]["tie_break"]))


def rows(result: dict[str, Any]) -> list[Row]:
    """Return a result's lines, in rank order."""
    lines = sorted(result["proposals"], key=lambda line: line["rank"])
    return [
        Row(
            line["proposal_id"],
            line["title"],
            line["rank"],
            line["votes"],
            line["amount_pence"],
            line["funded"],
            line["left_pence"],
        )
        for line in lines
    ]


def published_result(fund_round: FundRound) -> dict[str, Any] | None:
    """Return the round's result if published, else None: nothing leaves before then."""
    return fund_round.result if fund_round.published_at is not None else None


def funded_in_words(result: dict[str, Any]) -> str:
    """Return "3 projects funded, £4,500" for a result, in the reader's language."""
    funded = [line for line in result["proposals"] if line["funded"]]
    total = sum(line["amount_pence"] for line in funded)
    return ngettext(
        "%(num)s project funded, %(total)s",
        "%(num)s projects funded, %(total)s",
        len(funded),
        total=pounds(total),
    )


def funded_proposal(session: orm.Session, round_id: int, proposal_id: int) -> FundProposal:
    """Return the round's proposal with this id, or raise ProposalNotFound."""
    proposal = session.get(FundProposal, proposal_id)
    if proposal is None or proposal.round_id != round_id:
        raise ProposalNotFound(proposal_id)
    return proposal


def check_update(body: str) -> str:
    """Return an update's text, trimmed; raise ValidationError (field ``body``) for none or
    too much."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Say what has happened")})
    if len(body) > TEXT_MAX:
        raise ValidationError(
            {"body": _("The update must be %(most)s characters or fewer", most=TEXT_MAX)}
        )
    return body


def add_update(
    session: orm.Session, proposal: FundProposal, body: str, *, milestone: bool, by: int | None
) -> FundUpdate:
    """Add news of a funded project; raise ValidationError for a project not funded."""
    begin_write(session)
    text = check_update(body)
    if proposal.status is not ProposalStatus.FUNDED:
        raise ValidationError({"proposal": _("Only a funded project has updates.")})
    update = FundUpdate(body=text, milestone=milestone, created_by=by, created_at=utcnow())
    proposal.updates.append(update)
    session.flush()
    return update


def proposers_of(session: orm.Session, proposal_ids: list[int]) -> dict[int, int | None]:
    """Return who proposed each of these proposals (None: an account since deleted)."""
    query = sa.select(FundProposal.id, FundProposal.proposed_by).where(
        FundProposal.id.in_(proposal_ids)
    )
    return {proposal_id: by for proposal_id, by in session.execute(query)}


@dataclass(frozen=True)
class Built:
    """A published strength a funded project builds on: no owner, no contact, no point."""

    asset_id: int
    title: str
    kind: Kind


def strengths_of(session: orm.Session, proposal_ids: list[int]) -> dict[int, list[Built]]:
    """Return the published strengths each proposal builds on (a skill only where its owner
    agreed), read in one query."""
    query = (
        sa.select(FundProposalStrength.proposal_id, Asset.id, Asset.title, Asset.kind)
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.proposal_id.in_(proposal_ids),
            Asset.status == Status.PUBLISHED,
            sa.or_(
                Asset.kind != Kind.SKILL,
                FundProposalStrength.consent == Consent.AGREED,
            ),
        )
        .order_by(FundProposalStrength.proposal_id, Asset.title, Asset.id)
    )
    built: dict[int, list[Built]] = {pid: [] for pid in proposal_ids}
    for proposal_id, asset_id, title, kind in session.execute(query):
        built[proposal_id].append(Built(asset_id, title, kind))
    return built


def updates_of(session: orm.Session, proposal_ids: list[int]) -> dict[int, list[FundUpdate]]:
    """Return each proposal's updates, newest first, read in one query."""
    query = (
        sa.select(FundUpdate)
        .where(FundUpdate.proposal_id.in_(proposal_ids))
        .order_by(FundUpdate.created_at.desc(), FundUpdate.id.desc())
    )
    updates: dict[int, list[FundUpdate]] = {pid: [] for pid in proposal_ids}
    for update in session.scalars(query):
        updates[update.proposal_id].append(update)
    return updates


def published_rounds(session: orm.Session, limit: int | None = None) -> list[FundRound]:
    """Return the rounds whose result is published, the most recently published first."""
    query = (
        sa.select(FundRound)
        .where(FundRound.published_at.is_not(None))
        .order_by(FundRound.published_at.desc(), FundRound.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Logged:
    """An update of a funded project as the log shows it, with its project and round."""

    update: FundUpdate
    proposal_id: int
    proposal_title: str
    round_id: int
    round_title: str


def logged_updates(session: orm.Session, limit: int | None = None) -> list[Logged]:
    """Return the updates of funded projects in published rounds, newest first."""
    query = (
        sa.select(FundUpdate, FundProposal.id, FundProposal.title, FundRound.id, FundRound.title)
        .join(FundProposal, FundProposal.id == FundUpdate.proposal_id)
        .join(FundRound, FundRound.id == FundProposal.round_id)
        .where(
            FundRound.published_at.is_not(None),
            FundProposal.status == ProposalStatus.FUNDED,
        )
        .order_by(FundUpdate.created_at.desc(), FundUpdate.id.desc())
        .limit(limit)
    )
    return [Logged(*row) for row in session.execute(query)]
