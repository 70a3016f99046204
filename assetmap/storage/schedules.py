"""Reading and writing when groups meet and spaces open (``domain.schedules``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _
from assetmap.domain.schedules import SCHEDULES_MAX, Schedule
from assetmap.domain.vocab import Action, Kind, Status
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, AssetSchedule, Revision, utcnow

# The kinds of strength that have a schedule: a group's sessions, a space's opening hours.
SCHEDULED_KINDS = (Kind.GROUP, Kind.SPACE)
CHANGE = "schedule"
# The most ids one statement names: PostgreSQL takes at most 65,535 parameters.
IDS_PER_QUERY = 10_000


def schedule_of(row: AssetSchedule) -> Schedule:
    """Return the domain schedule a stored row holds."""
    return Schedule.from_rule(
        row.rule,
        start_time=row.start_time,
        end_time=row.end_time,
        starts_on=row.starts_on,
        cancelled=[dt.date.fromisoformat(day) for day in row.cancelled],
        timezone=row.timezone,
    )


def schedules_of(session: orm.Session, asset_ids: Iterable[int]) -> dict[int, list[Schedule]]:
    """Return each asset's schedules in the order their owner gave them: one query per
    ``IDS_PER_QUERY`` assets. Assets with none are absent from the answer."""
    ids = sorted(set(asset_ids))
    found: dict[int, list[Schedule]] = defaultdict(list)
    for start in range(0, len(ids), IDS_PER_QUERY):
        rows = session.execute(
            sa.select(AssetSchedule)
            .where(AssetSchedule.asset_id.in_(ids[start : start + IDS_PER_QUERY]))
            .order_by(AssetSchedule.asset_id, AssetSchedule.position, AssetSchedule.id)
        ).scalars()
        for row in rows:
            found[row.asset_id].append(schedule_of(row))
    return found


def scheduled_assets(
    session: orm.Session, *, kinds: Sequence[Kind] = SCHEDULED_KINDS
) -> sa.Select[Any]:
    """Return a query of the ids of published assets of ``kinds`` that have a schedule."""
    return (
        sa.select(Asset.id)
        .where(Asset.status == Status.PUBLISHED, Asset.kind.in_(kinds))
        .where(sa.exists().where(AssetSchedule.asset_id == Asset.id))
    )


def schedule_row(asset_id: int, position: int, schedule: Schedule) -> AssetSchedule:
    """Return the row that stores ``schedule`` as the ``position``-th of an asset's."""
    return AssetSchedule(
        asset_id=asset_id,
        position=position,
        rule=schedule.rule(),
        starts_on=schedule.starts_on,
        ends_on=schedule.ends_on,
        start_time=schedule.start_time,
        end_time=schedule.end_time,
        cancelled=[day.isoformat() for day in schedule.cancelled],
        timezone=schedule.timezone,
    )


def set_schedules(
    session: orm.Session,
    asset_id: int,
    schedules: Sequence[Schedule],
    *,
    by: int | None,
    note: str | None = None,
) -> bool:
    """Replace an asset's schedules with ``schedules``, all or nothing, and record the change.

    ``note``, when given, replaces the free-text note beside them (a group's
    ``meeting_pattern``, a space's ``opening_times``). Returns whether anything changed; when
    something did, the asset's ``updated_at`` moves (feeds page by it) and a revision records
    the schedules before and after, in words.
    """
    begin_write(session)
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise LookupError(f"no asset {asset_id}")
    if asset.kind not in SCHEDULED_KINDS:
        raise ValidationError({"schedule": _("only a group or a space has a schedule")})
    if asset.status is Status.WITHDRAWN:
        raise ValidationError({"status": _("this strength was withdrawn and can't be changed")})
    if len(schedules) > SCHEDULES_MAX:
        raise ValidationError({"schedule": _("give at most %(most)d sessions", most=SCHEDULES_MAX)})
    before = schedules_of(session, [asset_id]).get(asset_id, [])
    changes: dict[str, list[object]] = {}
    if list(before) != list(schedules):
        changes[CHANGE] = [
            [item.describe() for item in before],
            [item.describe() for item in schedules],
        ]
        session.execute(sa.delete(AssetSchedule).where(AssetSchedule.asset_id == asset_id))
        session.add_all(
            schedule_row(asset_id, position, item) for position, item in enumerate(schedules)
        )
    field = "meeting_pattern" if asset.kind is Kind.GROUP else "opening_times"
    if note is not None and getattr(asset, field) != note:
        changes[field] = [getattr(asset, field), note]
        setattr(asset, field, note)
    if not changes:
        return False
    now = utcnow()
    asset.updated_at = now
    session.add(Revision(asset=asset, user_id=by, action=Action.UPDATE, changes=changes, at=now))
    session.flush()
    return True
