"""Calendars of strengths: a group's or space's calendar file, and setting its schedule from
a calendar file it already keeps (the web page and the command share this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import orm

from assetmap.domain.i18n import _
from assetmap.domain.schedules import DEFAULT_TIMEZONE, CalendarEntry, Schedule
from assetmap.domain.vocab import Kind, Status
from assetmap.exchange.calendars import CalendarError, CalendarReading, read_calendar
from assetmap.runtime.links import external_url
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.storage.schedules import SCHEDULED_KINDS, schedules_of, set_schedules
from assetmap.storage.ties import meeting_places

__all__ = [
    "CalendarError",
    "CalendarImportError",
    "calendar_entries",
    "calendar_name",
    "import_calendar",
    "read_for",
    "replace_schedules",
    "schedulable",
    "today",
]


class CalendarImportError(ValueError):
    """A calendar cannot be imported for this strength; the message says why, for a person."""


def today(timezone: str = DEFAULT_TIMEZONE) -> dt.date:
    """Return today's date where the register's groups meet."""
    return dt.datetime.now(ZoneInfo(timezone)).date()


def schedulable(session: orm.Session, asset_id: int) -> Asset:
    """Return the group or space whose schedule may be set, or raise ``CalendarImportError``."""
    asset = store.get_asset(session, asset_id)
    if asset is None:
        raise CalendarImportError(_("There is no strength %(id)s.", id=asset_id))
    if asset.kind not in SCHEDULED_KINDS:
        raise CalendarImportError(_("Only a group or a space has a schedule: this is a skill."))
    if asset.status is Status.WITHDRAWN:
        raise CalendarImportError(_("This strength was withdrawn, so its schedule can't be set."))
    return asset


def read_for(session: orm.Session, asset_id: int, data: bytes, *, on: dt.date) -> CalendarReading:
    """Read a calendar file for a group or space, writing nothing.

    Raises ``CalendarImportError`` for a strength without a schedule, ``CalendarError`` for a
    file that is not a calendar."""
    schedulable(session, asset_id)
    return read_calendar(data, today=on)


def replace_schedules(
    session: orm.Session, asset_id: int, schedules: Sequence[Schedule], *, by: int | None
) -> bool:
    """Replace the strength's schedules, all or nothing; return whether anything changed.

    The caller commits."""
    schedulable(session, asset_id)
    if not schedules:
        raise CalendarImportError(_("The calendar holds no repeating sessions: nothing changed."))
    return set_schedules(session, asset_id, schedules, by=by)


def import_calendar(
    session: orm.Session,
    asset_id: int,
    data: bytes,
    *,
    by: int | None,
    on: dt.date,
    dry_run: bool = False,
) -> CalendarReading:
    """Read a calendar file and, unless ``dry_run``, set the strength's schedule from it and
    commit; nothing is written when anything is wrong."""
    reading = read_for(session, asset_id, data, on=on)
    if not reading.found:
        raise CalendarImportError(_("The calendar holds no repeating sessions: nothing changed."))
    if not dry_run:
        try:
            replace_schedules(session, asset_id, reading.schedules, by=by)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return reading


# -- a strength's own calendar ----------------------------------------------------------------


def calendar_name(asset: Asset) -> tuple[str, str]:
    """Return a strength's calendar's name and description."""
    if asset.kind is Kind.SPACE:
        return asset.title, f"When {asset.title} is open"
    return asset.title, f"When {asset.title} meets"


def calendar_entries(session: orm.Session, assets: Sequence[Asset]) -> list[CalendarEntry]:
    """Return a calendar entry for each schedule of these published groups and spaces, read in
    two queries: at the space a group meets at, else at the strength's own public point."""
    shown = [a for a in assets if a.status is Status.PUBLISHED and a.kind in SCHEDULED_KINDS]
    ids = [asset.id for asset in shown]
    schedules = schedules_of(session, ids)
    venues = meeting_places(session, [a.id for a in shown if a.kind is Kind.GROUP])
    entries = []
    for asset in shown:
        venue = venues.get(asset.id, [None])[0]
        place = (venue.title, venue.lon, venue.lat) if venue else None
        entries += entries_of(
            asset.id,
            asset.title,
            asset.description,
            schedules.get(asset.id, []),
            place or (asset.title, asset.public_lon, asset.public_lat),
            asset.updated_at,
        )
    return entries


def entries_of(
    asset_id: int,
    title: str,
    description: str,
    schedules: Sequence[Schedule],
    place: tuple[str, float, float],
    updated: dt.datetime,
) -> list[CalendarEntry]:
    """Return a strength's calendar entries, one per schedule, at ``place`` (a name, lon and
    lat): the same events, with the same ids, in its own calendar file and in any what's-on
    feed that lists it, so a calendar holding both shows each session once."""
    url = external_url("pages.asset", asset_id=asset_id)
    host = urlsplit(url).hostname or "assetmap"
    name, lon, lat = place
    return [
        CalendarEntry(
            uid=f"asset-{asset_id}-session-{position}@{host}",
            title=title,
            description=description,
            url=url,
            schedule=schedule,
            location=name,
            lon=lon,
            lat=lat,
            updated=updated,
        )
        for position, schedule in enumerate(schedules)
    ]
