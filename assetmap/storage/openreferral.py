"""Reading the register for the Open Referral UK API: pages of groups and spaces, never skills.

A page is found by one query for its ids (stable, by id) and one for the count of all that
match; what its strengths are made of (public fields, schedules, meeting places, field
changes) then comes in one query each for the whole page, never one per strength.
A group's service at each place it is at (a space it meets at, or its own point) is a row of
its own in ``located_page``, nearest a point first where one is given.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import bbox_around, distances_m
from assetmap.domain.provenance import FieldChange
from assetmap.domain.query import AssetFilter
from assetmap.domain.schedules import Schedule
from assetmap.domain.ties import TieKind, TieState
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage.backends import backend_for, published
from assetmap.storage.exports import ExportFilter, export_query
from assetmap.storage.models import Asset, Tie
from assetmap.storage.provenance import field_changes
from assetmap.storage.schedules import schedules_of
from assetmap.storage.ties import meeting_places

# Skills are people: only these kinds are ever read here.
SERVED = frozenset({Kind.GROUP, Kind.SPACE})


@dataclasses.dataclass(frozen=True)
class ServiceFilter:
    """Which published groups and spaces a list keeps; every filter given must match.

    ``themes`` keeps those with any of them; ``words`` those matching every word (the
    register's own text search); ``asset_id`` the one strength; ``modified_after`` those
    changed at or after that moment.
    """

    kinds: frozenset[Kind] = SERVED
    themes: frozenset[Theme] = frozenset()
    words: tuple[str, ...] = ()
    asset_id: int | None = None
    modified_after: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Near:
    """A point (WGS84) that places are ranked from, and how far from it they may be (None:
    any distance)."""

    lon: float
    lat: float
    within_m: float | None = None


@dataclasses.dataclass(frozen=True)
class IdPage:
    """A page of strength ids, by id, and how many match in all."""

    ids: list[int]
    total: int


@dataclasses.dataclass(frozen=True)
class Located:
    """A strength's service at one place: the space ``venue_id`` it meets at (0: its own
    point), and how far that place is from the point asked about, if one was."""

    asset_id: int
    venue_id: int
    distance_m: float | None = None


@dataclasses.dataclass(frozen=True)
class LocatedPage:
    """A page of services at places and how many match in all."""

    rows: list[Located]
    total: int


@dataclasses.dataclass(frozen=True)
class Records:
    """What some strengths' HSDS objects are made of: export rows (``storage.exports``) of
    them and of the spaces their groups meet at, by id; who last assured each, by their part
    (none where nobody is known); their schedules; each group's meeting places (space ids);
    and the changes to their public fields."""

    rows: dict[int, Sequence[Any]]
    assured_by: dict[int, str]
    schedules: dict[int, list[Schedule]]
    venues: dict[int, list[int]]
    changes: dict[int, list[FieldChange]]


def _conditions(session: orm.Session, filters: ServiceFilter) -> list[sa.ColumnElement[bool]]:
    kinds = filters.kinds & SERVED
    if not kinds:
        return [sa.false()]
    conditions = published(AssetFilter(kinds=kinds, themes=filters.themes))
    if filters.words:
        conditions.append(backend_for(session).words_match(filters.words))
    if filters.asset_id is not None:
        conditions.append(Asset.id == filters.asset_id)
    if filters.modified_after is not None:
        conditions.append(Asset.updated_at >= filters.modified_after)
    return conditions


def id_page(session: orm.Session, filters: ServiceFilter, page: int, per_page: int) -> IdPage:
    """Return the ``page``-th (from 1) ``per_page`` ids of the strengths ``filters`` keeps, by
    id, with how many it keeps in all.

    The ids and the count are two statements: a count beside the ids as a window over every
    match would make SQLite read all of them in full, twice the time of counting alone.
    """
    conditions = _conditions(session, filters)
    query = (
        sa.select(Asset.id)
        .where(*conditions)
        .order_by(Asset.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    ids = list(session.scalars(query))
    total = session.scalar(sa.select(sa.func.count()).select_from(Asset).where(*conditions))
    return IdPage(ids, total or 0)


def _meets_at(group: Any, space: Any) -> list[sa.ColumnElement[bool]]:
    return [
        Tie.from_id == group.id,
        Tie.to_id == space.id,
        Tie.kind == TieKind.MEETS_AT,
        Tie.state == TieState.ACCEPTED,
        space.status == Status.PUBLISHED,
    ]


def _places(session: orm.Session, filters: ServiceFilter) -> sa.CompoundSelect:
    """Return the query of every (asset id, venue id, lon, lat) a kept strength is at: a
    group at each published space it meets at, or else at its own point; a space at its own."""
    conditions = _conditions(session, filters)
    space = orm.aliased(Asset)
    meets = sa.exists().where(*_meets_at(Asset, space))
    own = sa.select(
        Asset.id.label("asset_id"),
        sa.literal(0).label("venue_id"),
        Asset.public_lon.label("lon"),
        Asset.public_lat.label("lat"),
    ).where(*conditions, sa.or_(Asset.kind != Kind.GROUP, ~meets))
    at_venues = (
        sa.select(Asset.id, space.id, space.public_lon, space.public_lat)
        .select_from(Asset)
        .join(Tie, Tie.from_id == Asset.id)
        .join(space, space.id == Tie.to_id)
        .where(*conditions, *_meets_at(Asset, space))
    )
    return sa.union_all(own, at_venues)


def located_page(
    session: orm.Session, filters: ServiceFilter, page: int, per_page: int, near: Near | None
) -> LocatedPage:
    """Return the ``page``-th (from 1) ``per_page`` services at places of the strengths
    ``filters`` keeps, with how many there are in all: by asset id and venue id, or nearest
    ``near`` first (within its distance), then by those ids."""
    places = _places(session, filters).subquery()
    if near is not None:
        return _nearest(session, places, page, per_page, near)
    query = (
        sa.select(places.c.asset_id, places.c.venue_id, sa.func.count().over())
        .order_by(places.c.asset_id, places.c.venue_id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = session.execute(query).all()
    if not rows:
        total = session.scalar(sa.select(sa.func.count()).select_from(places)) or 0
        return LocatedPage([], total)
    return LocatedPage([Located(row[0], row[1]) for row in rows], rows[0][2])


def _nearest(
    session: orm.Session, places: Any, page: int, per_page: int, near: Near
) -> LocatedPage:
    """Rank the places by geodesic metres from ``near``, in Python on both backends: a box
    around the point narrows them first where a distance is given."""
    query = sa.select(places.c.asset_id, places.c.venue_id, places.c.lon, places.c.lat)
    if near.within_m is not None:
        box = bbox_around(near.lon, near.lat, near.within_m)
        query = query.where(
            places.c.lon.between(box.min_lon, box.max_lon),
            places.c.lat.between(box.min_lat, box.max_lat),
        )
    rows = session.execute(query).all()
    points = np.asarray([(row[2], row[3]) for row in rows], dtype=float).reshape(-1, 2)
    metres = distances_m(near.lon, near.lat, points[:, 0], points[:, 1])
    ranked = sorted(
        (float(d), row[0], row[1])
        for row, d in zip(rows, metres.tolist(), strict=True)
        if near.within_m is None or d <= near.within_m
    )
    start = (page - 1) * per_page
    found = [Located(a, v, d) for d, a, v in ranked[start : start + per_page]]
    return LocatedPage(found, len(ranked))


def records(session: orm.Session, asset_ids: Collection[int]) -> Records:
    """Return what the published groups and spaces among ``asset_ids`` are made of, in one
    query each: anything else (a skill, a hidden or withdrawn strength) is left out."""
    venues = {
        key: [venue.asset_id for venue in found]
        for key, found in meeting_places(session, asset_ids).items()
    }
    wanted = set(asset_ids) | {space for found in venues.values() for space in found}
    if not wanted:
        return Records({}, {}, {}, {}, {})
    query = (
        export_query(session, ExportFilter(kinds=SERVED))
        .add_columns(Asset.assured_by)
        .where(Asset.id.in_(sorted(wanted)))
    )
    found = session.execute(query).all()
    rows: dict[int, Sequence[Any]] = {row[0]: tuple(row[:-1]) for row in found}
    kept = [key for key in asset_ids if key in rows]
    return Records(
        rows=rows,
        assured_by={row[0]: row[-1] for row in found if row[-1]},
        schedules={k: v for k, v in schedules_of(session, rows).items() if k in rows},
        venues={key: venues[key] for key in kept if key in venues},
        changes=field_changes(session, kept),
    )
