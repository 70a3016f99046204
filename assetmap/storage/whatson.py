"""What's on: the published groups with schedules that match a search, ready to expand.

Only groups: a skill is a person and has no sessions to list. Places are public points only,
and the text search is the one the explore search uses, on both backends.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox, bbox_around, check_lon_lat, distances_m
from assetmap.domain.query import AssetFilter, check_radius
from assetmap.domain.schedules import Weekday
from assetmap.domain.vocab import Kind, Theme
from assetmap.domain.whatson import Candidate, MeetingPlace, WhatsOn, Window, whats_on
from assetmap.storage.backends import backend_for
from assetmap.storage.backends.common import THEMES, published
from assetmap.storage.models import Asset, AssetSchedule, Neighbourhood
from assetmap.storage.schedules import schedule_of
from assetmap.storage.ties import Venue, meeting_places


@dataclasses.dataclass(frozen=True, slots=True)
class Near:
    """Within ``radius_m`` geodesic metres of ``(lon, lat)`` (EPSG:4326)."""

    lon: float
    lat: float
    radius_m: float

    def __post_init__(self) -> None:
        check_lon_lat(self.lon, self.lat)
        check_radius(self.radius_m)


def candidates(
    session: orm.Session,
    *,
    neighbourhood_id: int | None = None,
    near: Near | None = None,
    themes: frozenset[Theme] = frozenset(),
    words: Sequence[str] = (),
    days: tuple[dt.date, dt.date] | None = None,
    most: int | None = None,
) -> list[Candidate]:
    """Return the published groups with schedules that match, with where they meet, by id.

    A group matches when it is filed under ``neighbourhood_id`` (if given), its public point
    lies within ``near`` (if given), it carries any of ``themes`` and holds every one of
    ``words``. ``days``, the first and last day of a search (local dates), leaves out the
    schedules that cannot have a session in them: not started yet, already ended, or weekly on
    other days of the week; the sessions themselves are worked out by ``domain.whatson``.
    ``most`` stops at that many schedules, read a batch at a time.
    """
    query = _query(session, neighbourhood_id, near, themes, words)
    if days is not None:
        query = query.where(*_could_meet(*days))
    if most is None:
        return _candidates(session, _within(session.execute(query).all(), near))
    found: list[sa.Row] = []
    for rows in _batches(session, query, near):
        found += rows
        if len(found) >= most:
            break
    return _candidates(session, found[:most])


# How many schedules ``soonest`` reads at a time, and the most it reads in one go when a search
# matches no more than that.
SOONEST_BATCH = 60
READ_WHOLE = 1000


def soonest(
    session: orm.Session,
    window: Window,
    *,
    most: int,
    neighbourhood_id: int | None = None,
    near: Near | None = None,
    themes: frozenset[Theme] = frozenset(),
    words: Sequence[str] = (),
) -> WhatsOn:
    """Return the first ``most`` sessions in ``window`` from ``window.now`` that match (as
    ``candidates`` matches), without reading every group that meets in it.

    A search matching no more than ``READ_WHOLE`` schedules is read whole. Otherwise, a day at
    a time, the schedules that can meet that day are read soonest first, in batches that double.
    Once more than ``most`` sessions are known to start before the last schedule read (none
    unread can start before it), the first ``most`` are those, and reading stops.
    """
    base = _query(session, neighbourhood_id, near, themes, words)
    # A search that matches few schedules is read whole, in one query, in no order: ordered
    # by id with a limit, PostgreSQL would walk every group by id to find the few.
    few = session.execute(
        base.where(*_could_meet(window.first_day, window.last_day))
        .order_by(None)
        .limit(READ_WHOLE + 1)
    ).all()
    if len(few) <= READ_WHOLE:
        return whats_on(_candidates(session, _within(few, near)), window, most=most)
    zone = window.timezone
    now = window.now.astimezone(zone)
    found: list[Candidate] = []
    day = window.first_day
    while day <= window.last_day:
        query = base.where(*_could_meet(day, day))
        if day == now.date():
            later = now.time().replace(second=0, microsecond=0)
            # Not over yet: starts later, ends later, or ends after midnight.
            query = query.where(
                sa.or_(
                    AssetSchedule.start_time >= later,
                    AssetSchedule.end_time >= later,
                    AssetSchedule.end_time <= AssetSchedule.start_time,
                )
            )
        for rows in _batches(session, query, near, soonest=True):
            found += _candidates(session, rows)
            known = dt.datetime.combine(day, rows[-1].AssetSchedule.start_time, zone)
            every = whats_on(found, window, most=sys.maxsize)
            if sum(1 for occasion in every.occasions if occasion.starts < known) > most:
                return whats_on(found, window, most=most)
        day += dt.timedelta(days=1)
    return whats_on(found, window, most=most)


def _batches(
    session: orm.Session, query: sa.Select[Any], near: Near | None, *, soonest: bool = False
) -> Iterator[list[sa.Row[Any]]]:
    """Yield a query's schedules in batches that double, those outside ``near`` left out (an
    empty batch is not yielded). Each batch is read from where the last ended, by schedule id,
    or, when ``soonest``, by (start time, id) on ``ix_asset_schedule_start_time_id``, so a
    batch reads what it returns."""
    order = (AssetSchedule.start_time, AssetSchedule.id) if soonest else (AssetSchedule.id,)
    query = query.order_by(None).order_by(*order)
    size = SOONEST_BATCH
    after: tuple[Any, ...] | None = None
    while True:
        page = query if after is None else query.where(sa.tuple_(*order) > after)
        rows = session.execute(page.limit(size)).all()
        if rows:
            after = tuple(getattr(rows[-1].AssetSchedule, column.key) for column in order)
        kept = _within(rows, near)
        if kept:
            yield kept
        if len(rows) < size:
            return
        size *= 2


def _within(rows: Sequence[sa.Row[Any]], near: Near | None) -> list[sa.Row[Any]]:
    """Return the rows whose public point lies within ``near``'s geodesic radius."""
    if near is None or not rows:
        return list(rows)
    points = np.asarray([(row.public_lon, row.public_lat) for row in rows], dtype=float)
    inside = distances_m(near.lon, near.lat, points[:, 0], points[:, 1]) <= near.radius_m
    return [row for row, keep in zip(rows, inside.tolist(), strict=True) if keep]


def _candidates(session: orm.Session, rows: Sequence[sa.Row]) -> list[Candidate]:
    groups: dict[int, list[sa.Row]] = {}
    for row in rows:
        groups.setdefault(row.AssetSchedule.asset_id, []).append(row)
    places = meeting_places(session, groups)
    return [_candidate(found, places.get(asset_id, [])) for asset_id, found in groups.items()]


def _query(
    session: orm.Session,
    neighbourhood_id: int | None,
    near: Near | None,
    themes: frozenset[Theme],
    words: Sequence[str],
) -> sa.Select:
    backend = backend_for(session)
    conditions = published(AssetFilter(kinds=frozenset({Kind.GROUP}), themes=themes))
    if words:
        conditions.append(backend.words_match(words))
    if neighbourhood_id is not None:
        conditions.append(Asset.neighbourhood_id == neighbourhood_id)
    if near is not None:
        conditions.append(backend.in_bbox(bbox_around(near.lon, near.lat, near.radius_m)))
    return (
        sa.select(
            AssetSchedule,
            Asset.title,
            Asset.description,
            Asset.themes,
            Asset.public_lon,
            Asset.public_lat,
            Asset.updated_at,
            Neighbourhood.name.label("neighbourhood"),
        )
        .join(Asset, Asset.id == AssetSchedule.asset_id)
        .outerjoin(Neighbourhood, Neighbourhood.id == Asset.neighbourhood_id)
        .where(*conditions)
        .order_by(Asset.id, AssetSchedule.position, AssetSchedule.id)
    )


def _could_meet(first: dt.date, last: dt.date) -> list[sa.ColumnElement[bool]]:
    """Return conditions that keep every schedule with a session between two dates.

    A schedule's rule is written by ``Schedule.rule`` alone, whose BYDAY comes after any WKST,
    so a weekly rule that meets on Monday matches ``%BYDAY=%MO%`` and no other rule does. A
    monthly rule is always kept: its day moves from month to month.
    """
    conditions: list[sa.ColumnElement[bool]] = [
        AssetSchedule.starts_on <= last,
        sa.or_(AssetSchedule.ends_on.is_(None), AssetSchedule.ends_on >= first),
    ]
    span = (last - first).days + 1
    if span < 7:
        days = [list(Weekday)[(first + dt.timedelta(days=n)).weekday()] for n in range(span)]
        conditions.append(
            sa.or_(
                AssetSchedule.rule.like("FREQ=MONTHLY%"),
                *(AssetSchedule.rule.like(f"%BYDAY=%{day.value}%") for day in days),
            )
        )
    return conditions


def _candidate(rows: list[sa.Row], places: Sequence[Venue]) -> Candidate:
    first = rows[0]
    return Candidate(
        asset_id=first.AssetSchedule.asset_id,
        title=first.title,
        description=first.description,
        themes=tuple(THEMES[theme] for theme in first.themes if theme in THEMES),
        lon=first.public_lon,
        lat=first.public_lat,
        neighbourhood=first.neighbourhood,
        updated=first.updated_at,
        schedules=tuple(schedule_of(row.AssetSchedule) for row in rows),
        places=tuple(MeetingPlace(p.asset_id, p.title, p.lon, p.lat) for p in places),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class NeighbourhoodBox:
    """A neighbourhood to choose from, and the box its boundary fills (EPSG:4326)."""

    id: int
    code: str
    name: str
    bbox: BBox


def neighbourhood_boxes(session: orm.Session) -> dict[str, NeighbourhoodBox]:
    """Return every neighbourhood by its code, in the order of their names, in one query."""
    query = sa.select(
        Neighbourhood.id,
        Neighbourhood.code,
        Neighbourhood.name,
        Neighbourhood.min_lon,
        Neighbourhood.min_lat,
        Neighbourhood.max_lon,
        Neighbourhood.max_lat,
    ).order_by(Neighbourhood.name, Neighbourhood.code)
    return {
        row.code: NeighbourhoodBox(row.id, row.code, row.name, BBox(*row[3:]))
        for row in session.execute(query)
    }
