"""Ties between strengths (``domain.ties``): making them, answering offers, and reading them
for pages, feeds and exports.

Every read here returns the other strength at its public point and with public fields only,
and only ties the public may see (accepted, between published strengths) unless a function
says otherwise.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.ties import TieEnd, TieKind, TieState, check_tie
from assetmap.domain.vocab import Status
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Tie, utcnow


@dataclasses.dataclass(frozen=True, slots=True)
class Venue:
    """The space a group meets at, as a calendar or a feed names it."""

    asset_id: int
    title: str
    lon: float
    lat: float


def add_tie(
    session: orm.Session, kind: TieKind, from_id: int, to_id: int, *, by: int | None
) -> Tie:
    """Make a tie, or raise ``ValidationError`` saying why it cannot be made.

    A tie that needs the other side's consent (an offer) starts as proposed; the others are
    accepted at once. Making a tie again that was declined proposes it again.
    Permission is the caller's to check (``domain.permissions.can_make_tie``).
    """
    begin_write(session)
    ends = session.execute(
        sa.select(Asset.id, Asset.kind, Asset.status).where(Asset.id.in_([from_id, to_id]))
    ).all()
    found = {row.id: row for row in ends}
    if to_id not in found or found[to_id].status is not Status.PUBLISHED:
        raise ValidationError({"to_id": "choose a strength that is on the map"})
    if from_id not in found or found[from_id].status is not Status.PUBLISHED:
        raise ValidationError({"from_id": "this strength is not on the map"})
    problem = check_tie(kind, found[from_id].kind, found[to_id].kind, from_id, to_id)
    if problem:
        raise ValidationError({"to_id": problem})
    state = TieState.PROPOSED if kind.needs_consent else TieState.ACCEPTED
    tie = session.scalars(
        sa.select(Tie).where(Tie.kind == kind, Tie.from_id == from_id, Tie.to_id == to_id)
    ).first()
    if tie is None:
        tie = Tie(kind=kind, from_id=from_id, to_id=to_id, made_by=by, state=state)
        session.add(tie)
    elif tie.state is TieState.DECLINED:
        tie.state, tie.made_by, tie.created_at, tie.decided_at = state, by, utcnow(), None
    session.flush()
    return tie


def meeting_places(session: orm.Session, group_ids: Iterable[int]) -> dict[int, list[Venue]]:
    """Return, for each group that has them, the published spaces it meets at, in one query."""
    ids = sorted(set(group_ids))
    places: dict[int, list[Venue]] = defaultdict(list)
    if not ids:
        return places
    rows = session.execute(
        sa.select(Tie.from_id, Asset.id, Asset.title, Asset.public_lon, Asset.public_lat)
        .join(Asset, Asset.id == Tie.to_id)
        .where(
            Tie.kind == TieKind.MEETS_AT,
            Tie.state == TieState.ACCEPTED,
            Tie.from_id.in_(ids),
            Asset.status == Status.PUBLISHED,
        )
        .order_by(Tie.from_id, Tie.id)
    ).all()
    for group_id, space_id, title, lon, lat in rows:
        places[group_id].append(Venue(space_id, title, lon, lat))
    return places


def public_ties(session: orm.Session, asset_id: int) -> list[TieEnd]:
    """Return the ties the public sees on a strength's page: accepted, to published strengths,
    from either end, at the other strength's public point."""
    return [end for end in _ends(session, asset_id) if end.state is TieState.ACCEPTED]


def _ends(session: orm.Session, asset_id: int) -> list[TieEnd]:
    other = orm.aliased(Asset)
    ends = []
    for outgoing, mine, theirs in ((True, Tie.from_id, Tie.to_id), (False, Tie.to_id, Tie.from_id)):
        rows = session.execute(
            sa.select(Tie, other.kind, other.title, other.public_lon, other.public_lat)
            .join(other, other.id == theirs)
            .where(mine == asset_id, other.status == Status.PUBLISHED)
            .order_by(Tie.id)
        ).all()
        ends += [
            TieEnd(
                tie_id=tie.id,
                kind=tie.kind,
                state=tie.state,
                outgoing=outgoing,
                asset_id=tie.to_id if outgoing else tie.from_id,
                asset_kind=kind,
                title=title,
                lon=lon,
                lat=lat,
                made_on=tie.created_at.date(),
            )
            for tie, kind, title, lon, lat in rows
        ]
    return ends
