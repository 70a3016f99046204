"""Ties between strengths (``domain.ties``): making them, answering offers, and reading them
for pages, feeds and exports.

Every read here returns the other strength at its public point and with public fields only,
and only ties the public may see (accepted, between published strengths) unless a function
says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _
from assetmap.domain.permissions import Actor, can_answer_tie, is_owner
from assetmap.domain.query import split_words
from assetmap.domain.ties import TieEnd, TieKind, TieState, check_tie
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Tie, utcnow

# The most ids one statement names: PostgreSQL takes at most 65,535 parameters.
IDS_PER_QUERY = 10_000


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
        raise ValidationError({"to_id": _("Choose a strength that is on the map.")})
    if from_id not in found or found[from_id].status is not Status.PUBLISHED:
        raise ValidationError({"from_id": _("This strength is not on the map.")})
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
    if tie.state is TieState.ACCEPTED:
        _touch_groups(session, tie)
    return tie


def meeting_places(session: orm.Session, group_ids: Iterable[int]) -> dict[int, list[Venue]]:
    """Return, for each published group that has them, the published spaces it meets at: one
    query per ``IDS_PER_QUERY`` groups (a statement can name only so many)."""
    ids = sorted(set(group_ids))
    places: dict[int, list[Venue]] = defaultdict(list)
    group = orm.aliased(Asset)
    for start in range(0, len(ids), IDS_PER_QUERY):
        rows = session.execute(
            sa.select(Tie.from_id, Asset.id, Asset.title, Asset.public_lon, Asset.public_lat)
            .join(Asset, Asset.id == Tie.to_id)
            .join(group, group.id == Tie.from_id)
            .where(
                Tie.kind == TieKind.MEETS_AT,
                Tie.state == TieState.ACCEPTED,
                Tie.from_id.in_(ids[start : start + IDS_PER_QUERY]),
                Asset.status == Status.PUBLISHED,
                group.status == Status.PUBLISHED,
            )
            .order_by(Tie.from_id, Tie.id)
        ).all()
        for group_id, space_id, title, lon, lat in rows:
            places[group_id].append(Venue(space_id, title, lon, lat))
    return places


def public_ties(session: orm.Session, asset_id: int) -> list[TieEnd]:
    """Return the ties the public sees on a strength's page: accepted, between published
    strengths, from either end, at the other strength's public point."""
    return [end for end in _ends(session, asset_id) if end.state is TieState.ACCEPTED]


def ties_for(session: orm.Session, asset_id: int, viewer: Actor | None) -> list[TieEnd]:
    """Return the ties of a strength that ``viewer`` may see on its page, in one query.

    Everyone sees the public ones. A skill's owner also sees the state of each offer they
    made of it (proposed or declined); a group's owner, and staff in its scope, also see the
    offers waiting for their answer. Nobody else ever sees an offer that was not accepted.
    """
    asset = session.get(Asset, asset_id)
    if asset is None:
        return []
    offers_made = asset.kind is Kind.SKILL and is_owner(viewer, asset)
    offers_waiting = asset.kind is Kind.GROUP and can_answer_tie(viewer, asset)
    return [
        end
        for end in _ends(session, asset_id)
        if end.state is TieState.ACCEPTED
        or (offers_made and end.outgoing)
        or (offers_waiting and not end.outgoing and end.state is TieState.PROPOSED)
    ]


def _ends(session: orm.Session, asset_id: int) -> list[TieEnd]:
    """Return every tie of a published strength to another published one, both ways."""
    this, other = orm.aliased(Asset), orm.aliased(Asset)
    outgoing = Tie.from_id == asset_id
    rows = session.execute(
        sa.select(
            Tie,
            outgoing,
            other.id,
            other.kind,
            other.title,
            other.public_lon,
            other.public_lat,
            other.language,
        )
        .join(this, this.id == sa.case((outgoing, Tie.from_id), else_=Tie.to_id))
        .join(other, other.id == sa.case((outgoing, Tie.to_id), else_=Tie.from_id))
        .where(
            sa.or_(Tie.from_id == asset_id, Tie.to_id == asset_id),
            this.status == Status.PUBLISHED,
            other.status == Status.PUBLISHED,
        )
        .order_by(Tie.id)
    ).all()
    return [
        TieEnd(
            tie_id=tie.id,
            kind=tie.kind,
            state=tie.state,
            outgoing=bool(out),
            asset_id=other_id,
            asset_kind=kind,
            title=title,
            lon=lon,
            lat=lat,
            made_on=tie.created_at.date(),
            language=language,
        )
        for tie, out, other_id, kind, title, lon, lat, language in rows
    ]


def get_tie(session: orm.Session, tie_id: int) -> Tie | None:
    """Return a tie by its id, or None."""
    return session.get(Tie, tie_id)


def answer_tie(session: orm.Session, tie_id: int, accept: bool, *, by: int | None) -> Tie:
    """Accept or decline an offer waiting for an answer, or raise ``ValidationError``.

    Only an offer of a skill waits for an answer; the other ties are agreed when made.
    Permission is the caller's to check (``domain.permissions.can_answer_tie``).
    """
    begin_write(session)
    tie = session.get(Tie, tie_id)
    if tie is None or tie.kind is not TieKind.OFFERS:
        raise ValidationError({"tie": _("Only an offer of a skill can be accepted or declined.")})
    if tie.state is not TieState.PROPOSED:
        if tie.state is TieState.ACCEPTED:
            raise ValidationError({"tie": _("This offer was already accepted.")})
        raise ValidationError({"tie": _("This offer was already declined.")})
    tie.state = TieState.ACCEPTED if accept else TieState.DECLINED
    tie.decided_at = utcnow()
    session.flush()
    if accept:
        _touch_groups(session, tie)
    return tie


def remove_tie(session: orm.Session, tie_id: int, *, by: int | None) -> None:
    """Take a tie off, or raise ``ValidationError`` if there is no such tie.

    Permission is the caller's to check: the owner of either end, or staff in its scope.
    """
    begin_write(session)
    tie = session.get(Tie, tie_id)
    if tie is None:
        raise ValidationError({"tie": _("This tie was already taken off.")})
    if tie.state is TieState.ACCEPTED:
        _touch_groups(session, tie)
    session.delete(tie)
    session.flush()


def _touch_groups(session: orm.Session, tie: Tie) -> None:
    """Mark the groups at the ends of a tie the public sees as changed now.

    A group's calendar, its schema.org data and its item in the session series feed say where
    it meets and with whom, and readers of the feed fetch only what changed since they last
    looked: a tie made, accepted or taken off changes the group as much as a new time does.
    """
    session.execute(
        sa.update(Asset)
        .where(Asset.id.in_([tie.from_id, tie.to_id]), Asset.kind == Kind.GROUP)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Offer:
    """A skill offered to a group, waiting for the group's owner: the skill's public fields
    only (its title, at its public point, never who owns it)."""

    tie_id: int
    group_id: int
    group_title: str
    skill_id: int
    skill_title: str
    made_on: dt.date
    group_language: str = "en-GB"  # the languages the titles are written in (BCP 47 tags)
    skill_language: str = "en-GB"


def pending_offers(session: orm.Session, owner_id: int) -> list[Offer]:
    """Return the offers waiting for an answer on the published groups a person owns, from
    published skills, oldest first, in one query."""
    group, skill = orm.aliased(Asset), orm.aliased(Asset)
    rows = session.execute(
        sa.select(
            Tie.id,
            group.id,
            group.title,
            skill.id,
            skill.title,
            Tie.created_at,
            group.language,
            skill.language,
        )
        .join(group, group.id == Tie.to_id)
        .join(skill, skill.id == Tie.from_id)
        .where(
            Tie.kind == TieKind.OFFERS,
            Tie.state == TieState.PROPOSED,
            group.owner_id == owner_id,
            group.status == Status.PUBLISHED,
            skill.status == Status.PUBLISHED,
        )
        .order_by(Tie.created_at, Tie.id)
    ).all()
    return [
        Offer(tie_id, group_id, group_title, skill_id, skill_title, created.date(), *languages)
        for tie_id, group_id, group_title, skill_id, skill_title, created, *languages in rows
    ]


def groups_meeting_at(
    session: orm.Session, space_ids: Iterable[int]
) -> dict[int, list[tuple[int, str]]]:
    """Return, for each of the spaces that has any, the published groups that meet there as
    ``(group_id, title)`` by title, in one query."""
    ids = sorted(set(space_ids))
    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not ids:
        return {}
    space = orm.aliased(Asset)
    rows = session.execute(
        sa.select(Tie.to_id, Asset.id, Asset.title)
        .join(Asset, Asset.id == Tie.from_id)
        .join(space, space.id == Tie.to_id)
        .where(
            Tie.kind == TieKind.MEETS_AT,
            Tie.state == TieState.ACCEPTED,
            Tie.to_id.in_(ids),
            Asset.status == Status.PUBLISHED,
            space.status == Status.PUBLISHED,
        )
        .order_by(Tie.to_id, Asset.title, Asset.id)
    ).all()
    for space_id, group_id, title in rows:
        groups[space_id].append((group_id, title))
    return dict(groups)


class Candidate(NamedTuple):
    """A strength someone may choose as a tie's other end."""

    id: int
    title: str


CANDIDATES_MAX = 20


def tie_candidates(
    session: orm.Session, kind: Kind, text: str, *, leaving_out: int, limit: int = CANDIDATES_MAX
) -> list[Candidate]:
    """Return published strengths of ``kind`` whose title holds ``text`` or whose words match
    it, by title, leaving out one strength (the tie's own end), in one query."""
    words = split_words(text)
    if not words:
        return []
    phrase = " ".join(text.split()).lower()
    rows = session.execute(
        sa.select(Asset.id, Asset.title)
        .where(
            Asset.kind == kind,
            Asset.status == Status.PUBLISHED,
            Asset.id != leaving_out,
            sa.or_(
                sa.func.lower(Asset.title).contains(phrase, autoescape=True),
                backend_for(session).words_match(words),
            ),
        )
        .order_by(Asset.title, Asset.id)
        .limit(limit)
    ).all()
    return [Candidate(asset_id, title) for asset_id, title in rows]
