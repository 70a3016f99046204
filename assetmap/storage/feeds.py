"""Reading feeds that page by when strengths last changed: OpenActive's session series.

A feed of changes (RPDE, "modified" ordering) hands out items ordered by when they last
changed and then by id, and a reader asks for those after the last it saw. ``updated_at``
moves on every change to a strength, its schedules included (``storage.schedules``), so it
is an item's ``modified``: in whole microseconds, as the database holds it, so two changes in
the same millisecond are still told apart and ordered as the index orders them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.schedules import Schedule
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import Asset
from assetmap.storage.schedules import schedules_of
from assetmap.storage.ties import Venue, meeting_places

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def modified_of(moment: dt.datetime) -> int:
    """Return a timestamp as whole microseconds since 1970 (UTC), exactly."""
    return (moment - EPOCH) // _MICROSECOND


def moment_of(modified: int) -> dt.datetime:
    """Return the timestamp ``modified_of`` gave ``modified`` for."""
    return EPOCH + modified * _MICROSECOND


@dataclasses.dataclass(frozen=True, slots=True)
class SeriesRow:
    """A group as the session series feed gives it: gone (``schedules`` empty) or with the
    public fields, schedules and meeting places its item is made of."""

    asset_id: int
    modified: int
    title: str = ""
    description: str = ""
    themes: tuple[str, ...] = ()
    lon: float = 0.0
    lat: float = 0.0
    schedules: tuple[Schedule, ...] = ()
    venues: tuple[Venue, ...] = ()

    @property
    def deleted(self) -> bool:
        return not self.schedules


def session_series(
    session: orm.Session,
    *,
    after: tuple[int, int] | None = None,
    limit: int = 500,
    settled_before: dt.datetime | None = None,
) -> list[SeriesRow]:
    """Return up to ``limit`` groups ordered by (modified, id), after ``(modified, id)``.

    ``settled_before``, when given, leaves out groups changed at or after it. A change is
    stamped before its transaction commits, and on PostgreSQL transactions commit in any order:
    a reader that has paged past a time must never later meet a change stamped before it. Give
    it the time now less longer than a write takes to commit.

    A published group with schedules comes with them; any other group (withdrawn, hidden, or
    without schedules) comes as a row with none, so a reader drops what it had of it. Three
    queries, whatever the limit: the groups, their schedules, their meeting places.
    """
    query = sa.select(
        Asset.id,
        Asset.updated_at,
        Asset.status,
        Asset.title,
        Asset.description,
        Asset.themes,
        Asset.public_lon,
        Asset.public_lat,
    ).where(Asset.kind == Kind.GROUP)
    if after is not None:
        moment, after_id = moment_of(after[0]), after[1]
        # The first condition alone bounds a scan of ix_asset_updated_at on every backend.
        query = query.where(
            Asset.updated_at >= moment,
            sa.or_(Asset.updated_at > moment, Asset.id > after_id),
        )
    if settled_before is not None:
        query = query.where(Asset.updated_at < settled_before)
    rows = session.execute(query.order_by(Asset.updated_at, Asset.id).limit(limit)).all()
    shown = [row.id for row in rows if row.status is Status.PUBLISHED]
    schedules = schedules_of(session, shown)
    venues = meeting_places(session, [key for key in shown if key in schedules])
    return [_row(row, schedules.get(row.id, ()), venues.get(row.id, ())) for row in rows]


def _row(row: Any, schedules: Sequence[Schedule], venues: Sequence[Venue]) -> SeriesRow:
    modified = modified_of(row.updated_at)
    if row.status is not Status.PUBLISHED or not schedules:
        return SeriesRow(row.id, modified)
    return SeriesRow(
        asset_id=row.id,
        modified=modified,
        title=row.title,
        description=row.description or "",
        themes=tuple(row.themes or ()),
        lon=row.public_lon,
        lat=row.public_lat,
        schedules=tuple(schedules),
        venues=tuple(venues),
    )
