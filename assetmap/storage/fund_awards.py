"""Reading a community fund's awards: the funded proposals of published rounds.

An award carries what a funder reports: the project, its amount, its round and when the round's
result was published, the round's neighbourhoods (by name and code), and the groups the project
builds on. Skills are people: an award never carries one, nor who proposed it, nor the free
text of who will do it, so nothing personal can leave through it.

Awards are read in batches by proposal id, three queries a batch (proposals with their rounds,
the rounds' neighbourhoods, the proposals' groups), never one per award.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.funds import ProposalStatus
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import (
    Asset,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    Neighbourhood,
)

BATCH_SIZE = 500


@dataclass(frozen=True)
class AwardArea:
    """A neighbourhood a round is for: its name and its code."""

    name: str
    code: str


@dataclass(frozen=True)
class AwardGroup:
    """A group a funded project builds on: its id in the register and its title."""

    id: int
    title: str


@dataclass(frozen=True)
class Award:
    """A funded proposal of a published round, with nothing of a person in it."""

    proposal_id: int
    title: str
    summary: str
    amount_pence: int
    round_id: int
    round_title: str
    published_at: dt.datetime
    areas: tuple[AwardArea, ...]
    groups: tuple[AwardGroup, ...]


def round_exists(session: orm.Session, round_id: int) -> bool:
    """Return whether a fund round with this id exists, published or not."""
    found = session.scalar(sa.select(FundRound.id).where(FundRound.id == round_id))
    return found is not None


def awards(
    session: orm.Session, round_id: int | None = None, *, batch_size: int = BATCH_SIZE
) -> Iterator[Award]:
    """Yield the awards of every published round, or of round ``round_id`` alone (none while
    it is unpublished), by proposal id, reading ``batch_size`` at a time."""
    after = 0
    while True:
        rows = session.execute(_funded(round_id, after).limit(batch_size)).all()
        if not rows:
            return
        areas = _areas(session, {row.round_id for row in rows})
        groups = _groups(session, [row.id for row in rows])
        for row in rows:
            yield Award(
                proposal_id=row.id,
                title=row.title,
                summary=row.summary,
                amount_pence=row.amount_pence,
                round_id=row.round_id,
                round_title=row.round_title,
                published_at=row.published_at,
                areas=areas.get(row.round_id, ()),
                groups=groups.get(row.id, ()),
            )
        after = rows[-1].id


def _funded(
    round_id: int | None, after: int
) -> sa.Select[int, str, str, int, int, str, dt.datetime | None]:
    query = (
        sa.select(
            FundProposal.id,
            FundProposal.title,
            FundProposal.summary,
            FundProposal.amount_pence,
            FundProposal.round_id,
            FundRound.title.label("round_title"),
            FundRound.published_at,
        )
        .join(FundRound, FundRound.id == FundProposal.round_id)
        .where(
            FundProposal.status == ProposalStatus.FUNDED,
            FundRound.published_at.is_not(None),
            FundProposal.id > after,
        )
        .order_by(FundProposal.id)
    )
    return query if round_id is None else query.where(FundProposal.round_id == round_id)


def _areas(session: orm.Session, round_ids: set[int]) -> dict[int, tuple[AwardArea, ...]]:
    rows = session.execute(
        sa.select(FundRoundArea.round_id, Neighbourhood.name, Neighbourhood.code)
        .join(Neighbourhood, Neighbourhood.id == FundRoundArea.neighbourhood_id)
        .where(FundRoundArea.round_id.in_(round_ids))
        .order_by(FundRoundArea.round_id, Neighbourhood.name, Neighbourhood.code)
    )
    found: dict[int, list[AwardArea]] = defaultdict(list)
    for row in rows:
        found[row.round_id].append(AwardArea(row.name, row.code))
    return {key: tuple(value) for key, value in found.items()}


def _groups(session: orm.Session, proposal_ids: Sequence[int]) -> dict[int, tuple[AwardGroup, ...]]:
    """Return the groups each proposal builds on, by id; a hidden group is left out, as the
    public no longer sees it. Skills and spaces are never read."""
    rows = session.execute(
        sa.select(FundProposalStrength.proposal_id, Asset.id, Asset.title)
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.proposal_id.in_(proposal_ids),
            Asset.kind == Kind.GROUP,
            Asset.status != Status.HIDDEN,
        )
        .order_by(FundProposalStrength.proposal_id, Asset.id)
    )
    found: dict[int, list[AwardGroup]] = defaultdict(list)
    for row in rows:
        found[row.proposal_id].append(AwardGroup(row.id, row.title))
    return {key: tuple(value) for key, value in found.items()}
