"""Coaches' connections: that someone was put in touch with a strength, and how often.

A connection records the date, the strength, the coach and a short note. It holds no personal
data: the note is for what the connection was about, never who it was for.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.contacts import contact_details_in
from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Status
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Connection, utcnow

NOTE_MAX = 200
# The oldest connection worth recording: older dates are almost always a typing slip.
OLDEST = dt.date(2000, 1, 1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_connection(on: dt.date, note: str, today: dt.date) -> tuple[dt.date, str]:
    """Return a clean ``(on, note)``, or raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    if on > today:
        errors["on"] = "must be today or in the past"
    elif on < OLDEST:
        errors["on"] = f"must be after {OLDEST.isoformat()}"
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        errors["note"] = f"must be at most {NOTE_MAX} characters, got {len(note)}"
    elif _CONTROL.search(note):
        errors["note"] = "must not contain control characters"
    elif found := contact_details_in(note):
        errors["note"] = (
            f"must not include {' or '.join(found)}. Say what the connection was for, "
            "not who it was for or how to reach them"
        )
    if errors:
        raise ValidationError(errors)
    return on, note


def add_connection(
    session: orm.Session,
    asset_id: int,
    *,
    coach_id: int | None,
    on: dt.date,
    note: str = "",
    today: dt.date | None = None,
) -> Connection:
    """Record that a coach connected someone with a published strength on ``on``."""
    on, note = check_connection(on, note, today or utcnow().date())
    begin_write(session)
    status = session.scalar(sa.select(Asset.status).where(Asset.id == asset_id))
    if status is not Status.PUBLISHED:
        raise ValidationError({"asset": f"Asset {asset_id} doesn't exist or isn't public."})
    connection = Connection(
        asset_id=asset_id, coach_id=coach_id, on=on, note=note, created_at=utcnow()
    )
    session.add(connection)
    session.flush()
    return connection


def connection_count(session: orm.Session, asset_id: int) -> int:
    """Return how many connections have been recorded with a strength."""
    query = sa.select(sa.func.count()).where(Connection.asset_id == asset_id)
    return int(session.scalar(query) or 0)


def connection_counts(session: orm.Session, asset_ids: Iterable[int]) -> dict[int, int]:
    """Return how many connections each strength has, zero included, for many at once."""
    wanted = sorted(set(asset_ids))
    counts = dict.fromkeys(wanted, 0)
    if not wanted:
        return counts
    query = (
        sa.select(Connection.asset_id, sa.func.count())
        .where(Connection.asset_id.in_(wanted))
        .group_by(Connection.asset_id)
    )
    counts.update({asset_id: int(count) for asset_id, count in session.execute(query)})
    return counts


def connections_of(session: orm.Session, asset_id: int, limit: int = 20) -> list[Connection]:
    """Return the most recent connections with a strength, newest first."""
    query = (
        sa.select(Connection)
        .where(Connection.asset_id == asset_id)
        .order_by(Connection.on.desc(), Connection.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
