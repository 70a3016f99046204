"""Calendar files (RFC 5545 ``.ics``): strengths' schedules out, a group's own calendar in.

``write_calendar`` turns ``CalendarEntry`` values into a calendar people subscribe to: one
recurring event per schedule, with its cancelled dates, link back and place. ``read_calendar``
reads a calendar exported from Google, Outlook, Apple or Meetup and keeps each recurring event
a schedule can say, listing what it left out and why. The ``icalendar`` library does the
format (escaping, folding, timezones); nothing here writes a line by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from icalendar import Calendar, Event, vDuration, vRecur
from icalendar.timezone import tzp

from assetmap.domain.schedules import (
    CANCELLED_MAX,
    DEFAULT_TIMEZONE,
    SCHEDULES_MAX,
    CalendarEntry,
    Schedule,
    day_in_words,
)

PRODID = "-//assetmap//EN"
# How often a subscribed calendar should be fetched again.
REFRESH = dt.timedelta(days=1)
# The largest calendar file read, and the most events in it.
MAX_BYTES = 1_000_000
MAX_EVENTS = 5_000
# How far ahead a read schedule's sessions are checked against the file's own rule.
CHECK_DAYS = 366


class CalendarError(ValueError):
    """A calendar file could not be read at all; the message says why, for a person."""


@dataclasses.dataclass(frozen=True, slots=True)
class Found:
    """A recurring event read as a schedule."""

    summary: str
    schedule: Schedule


@dataclasses.dataclass(frozen=True, slots=True)
class Skipped:
    """An event left out, and why, in words."""

    summary: str
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarReading:
    """What a calendar file held: the schedules found, the events skipped, and how many
    events were over already (not listed one by one)."""

    name: str
    found: tuple[Found, ...]
    skipped: tuple[Skipped, ...]
    past: int = 0

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return tuple(item.schedule for item in self.found)


# -- writing ----------------------------------------------------------------------------------


def write_calendar(entries: Iterable[CalendarEntry], *, name: str, description: str = "") -> bytes:
    """Return a calendar file with one recurring event for each entry's schedule.

    An entry whose schedule has no session left (it ended before it began) is left out."""
    calendar = Calendar.new(
        prodid=PRODID, name=name, description=description or None, refresh_interval=REFRESH
    )
    calendar.pop("UID")  # a random id would make each download differ
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    first_days = []
    for entry in entries:
        made = _event(entry)
        if made is not None:
            calendar.add_component(made[0])
            first_days.append(made[1])
    if first_days:
        calendar.add_missing_timezones(first_date=min(first_days))
    return bytes(calendar.to_ical())


def _event(entry: CalendarEntry) -> tuple[Event, dt.date] | None:
    schedule = entry.schedule
    first = schedule.first_session()
    if first is None:
        return None
    updated = _utc(entry.updated)
    event = Event.new(
        uid=entry.uid,
        stamp=updated,  # a published calendar's DTSTAMP is its last change (RFC 5545 3.8.7.2)
        last_modified=updated,
        summary=entry.title,
        description=_description(entry),
        url=entry.url,
        start=first.starts,
        end=first.ends,
        location=entry.location or None,
    )
    event.add("RRULE", vRecur.from_ical(schedule.rule()))
    if schedule.cancelled:
        starts = [
            dt.datetime.combine(day, schedule.start_time, schedule.zone)
            for day in schedule.cancelled
        ]
        event.add("EXDATE", starts)
    event.add("GEO", (entry.lat, entry.lon))
    return event, first.starts.date()


def _description(entry: CalendarEntry) -> str:
    parts = [
        entry.description.strip(),
        entry.schedule.describe(),
        entry.schedule.cancelled_in_words(),
    ]
    return "\n\n".join([part for part in parts if part] + [entry.url])


def _utc(moment: dt.datetime) -> dt.datetime:
    # Stored times are UTC; SQLite hands them back without their timezone.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


# -- reading ----------------------------------------------------------------------------------


def read_calendar(
    data: bytes, *, today: dt.date, timezone: str = DEFAULT_TIMEZONE
) -> CalendarReading:
    """Read a calendar file's recurring events as schedules, or raise ``CalendarError``.

    Times without a timezone, and times in UTC, are read in the file's own timezone (Google's
    ``X-WR-TIMEZONE``), else in ``timezone``. Events over before ``today`` are counted, not
    listed; schedules that began before ``today`` are read from their next session."""
    calendar = _parse(data)
    events = [event for event in calendar.walk("VEVENT") if isinstance(event, Event)]
    if len(events) > MAX_EVENTS:
        raise CalendarError(f"The file holds more than {MAX_EVENTS:,} events: export fewer.")
    zone = _zone_name(str(calendar.get("X-WR-TIMEZONE") or ""), None) or timezone
    changed: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if "RECURRENCE-ID" in event:
            changed[str(event.get("UID", ""))].append(event)
    found: list[Found] = []
    skipped: list[Skipped] = []
    past = 0
    for event in events:
        if "RECURRENCE-ID" in event:
            continue
        outcome = _read_event(event, changed.get(str(event.get("UID", "")), []), zone, today)
        for item in outcome:
            if item is None:
                past += 1
            elif isinstance(item, Found) and len(found) >= SCHEDULES_MAX:
                reason = f"a strength holds at most {SCHEDULES_MAX} repeating sessions"
                skipped.append(Skipped(item.summary, reason))
            else:
                (found if isinstance(item, Found) else skipped).append(item)  # type: ignore[arg-type]
    name = str(calendar.get("X-WR-CALNAME") or calendar.get("NAME") or "")
    return CalendarReading(name=name, found=tuple(found), skipped=tuple(skipped), past=past)


def _parse(data: bytes) -> Calendar:
    if len(data) > MAX_BYTES:
        raise CalendarError(f"The file must be smaller than {MAX_BYTES // 1_000_000} MB.")
    if b"BEGIN:VCALENDAR" not in data[:2048].upper():
        raise CalendarError("The file is not a calendar file: export it as .ics (iCalendar).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendar = Calendar.from_ical(data)
    except Exception as exc:  # the library raises many kinds for a broken file
        raise CalendarError(
            "The calendar file could not be read: it may be damaged or cut short. "
            "Export it again as .ics."
        ) from exc
    if not isinstance(calendar, Calendar):
        raise CalendarError("The file is not a calendar file: export it as .ics (iCalendar).")
    return calendar


# One event gives one outcome, plus one skipped one-off for each session moved to another time;
# None stands for an event that is over.
Outcome = list[Found | Skipped | None]


def _read_event(event: Event, changes: Sequence[Event], zone: str, today: dt.date) -> Outcome:
    summary = _summary(event)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = event.start
            length = event.duration if ("DTEND" in event or "DURATION" in event) else None
            exdates = list(event.exdates)
    except Exception:  # a broken event is skipped, the rest still read
        return [Skipped(summary, "its start or end could not be read")]
    rules = event.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    day = start.date() if isinstance(start, dt.datetime) else start
    if isinstance(start, dt.datetime) and start.tzinfo is not None:
        day = start.astimezone(ZoneInfo(zone)).date()
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return [None] if day < today and not rules else [Skipped(summary, "it was cancelled")]
    if not rules:
        return [None] if day < today else [Skipped(summary, f"a one-off on {day_in_words(day)}")]
    if not isinstance(start, dt.datetime):
        return [Skipped(summary, "it lasts all day, and a schedule needs a start time")]
    if len(rules) > 1 or "RDATE" in event:
        return [Skipped(summary, "it repeats on dates besides its rule")]
    tzid = event["DTSTART"].params.get("TZID")
    local = _local(start, tzid, zone)
    if local is None:
        return [Skipped(summary, f"its timezone, {tzid}, is not one this app knows")]
    reason = _unsayable(rules[0])
    if reason:
        return [Skipped(summary, reason)]
    if length is not None and not dt.timedelta(0) <= length < dt.timedelta(days=1):
        return [Skipped(summary, "its sessions last a day or more")]
    cancelled = {_local_day(when, zone, local) for when in exdates}
    moved = []
    for change in changes:
        outcome = _change(change, summary, zone, local, today)
        if outcome is not None:
            cancelled.add(outcome[0])
            if outcome[1] is not None:
                moved.append(outcome[1])
    return [_schedule(summary, rules[0], local, length, cancelled, today), *moved]


def _schedule(
    summary: str,
    recur: vRecur,
    local: dt.datetime,
    length: dt.timedelta | None,
    cancelled: set[dt.date],
    today: dt.date,
) -> Found | Skipped | None:
    start_time = local.time().replace(second=0, microsecond=0, tzinfo=None)
    end_time = (local + length).time().replace(second=0, microsecond=0) if length else None
    try:
        schedule = Schedule.from_rule(
            recur.to_ical().decode(),
            start_time=start_time,
            starts_on=local.date(),
            end_time=end_time,
            cancelled=cancelled,
            timezone=local.tzinfo.key,  # type: ignore[union-attr]
        )
    except ValueError as exc:
        return Skipped(summary, f"it repeats in a way a schedule can't say ({exc})")
    if schedule.ends_on is not None and schedule.ends_on < today:
        return None
    ahead = _from(schedule, today)
    if ahead is None:
        return None
    if not _same_sessions(recur, local, ahead, today):
        return Skipped(summary, "its dates could not be matched exactly by a schedule")
    if len(ahead.cancelled) > CANCELLED_MAX:
        return Skipped(summary, f"it has more than {CANCELLED_MAX} cancelled dates to come")
    return Found(summary, ahead)


def _from(schedule: Schedule, today: dt.date) -> Schedule | None:
    """Return the schedule read from its first session on or after ``today``, keeping only
    the cancelled dates still to come; None if no session is left."""
    if schedule.starts_on < today:
        after = dt.datetime.combine(today, dt.time(0), schedule.zone)
        following = schedule.next_session(after, within_days=CHECK_DAYS)
        if following is None:
            return None
        schedule = dataclasses.replace(schedule, starts_on=following.starts.date())
    later = tuple(day for day in schedule.cancelled if day >= schedule.starts_on)
    return dataclasses.replace(schedule, cancelled=later)


def _same_sessions(recur: vRecur, local: dt.datetime, schedule: Schedule, today: dt.date) -> bool:
    """Whether the file's own rule and the schedule give the same session dates for a year."""
    rule = vRecur({key: value for key, value in recur.items() if key != "UNTIL"})
    expansion = rrule.rrulestr(rule.to_ical().decode(), dtstart=local.replace(tzinfo=None))
    first = max(today, schedule.starts_on)
    start = dt.datetime.combine(first, dt.time(0))
    end = start + dt.timedelta(days=CHECK_DAYS)
    last = schedule.ends_on or dt.date.max
    theirs = {
        when.date()
        for when in expansion.between(start, end, inc=True)
        if when < end and when.date() <= last and when.date() not in schedule.cancelled
    }
    zone = schedule.zone
    ours = {
        session.starts.date()
        for session in schedule.sessions_between(
            start.replace(tzinfo=zone), end.replace(tzinfo=zone)
        )
    }
    return theirs == ours


def _change(
    change: Event, summary: str, zone: str, local: dt.datetime, today: dt.date
) -> tuple[dt.date, Skipped | None] | None:
    """Read a change to one session: the date it no longer happens on, and a skipped one-off
    if it moved; None for a change that is past or only reworded."""
    try:
        original: Any = change.decoded("RECURRENCE-ID")
        day = _local_day(original, zone, local)
        cancelled = str(change.get("STATUS", "")).upper() == "CANCELLED"
        moved_to: Any = None if cancelled else change.start
    except Exception:  # an unreadable change leaves the session as it was
        return None
    if day < today:
        return None
    if cancelled:
        return day, None
    both = isinstance(moved_to, dt.datetime) and isinstance(original, dt.datetime)
    if both and _local_moment(moved_to, zone) == _local_moment(original, zone):
        return None
    new_day = moved_to.date() if isinstance(moved_to, dt.datetime) else moved_to
    words = f"a one-off on {day_in_words(new_day)} (a session moved from {day_in_words(day)})"
    return day, Skipped(_summary(change) or summary, words)


def _unsayable(recur: vRecur) -> str:
    """Return why a repeat rule is more than a schedule can say, in words, or ""."""
    freq = str(_first(recur.get("FREQ")) or "").upper()
    interval = int(_first(recur.get("INTERVAL")) or 1)
    if "COUNT" in recur:
        count = _first(recur["COUNT"])
        return f"it stops after {count} sessions, and a schedule stops on a date"
    if "BYSETPOS" in recur:
        return "it picks sessions by their place in a list, which a schedule can't say"
    if freq == "YEARLY":
        return "it repeats once a year"
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        return "it repeats more than once a day"
    if freq == "DAILY" and interval > 1:
        return f"it repeats every {interval} days"
    if freq == "WEEKLY" and interval > 2:
        return f"it repeats every {interval} weeks"
    if freq == "MONTHLY" and interval > 1:
        return f"it repeats every {interval} months"
    if any(key in recur for key in ("BYMONTH", "BYYEARDAY", "BYWEEKNO", "BYHOUR", "BYMINUTE")):
        return "it repeats only in some months, weeks or hours, which a schedule can't say"
    return ""


# -- times and timezones ----------------------------------------------------------------------


def _local(start: dt.datetime, tzid: str | None, fallback: str) -> dt.datetime | None:
    """Return DTSTART at its wall-clock time in a timezone this app knows (a ``ZoneInfo``).

    A time in UTC (no TZID) is moved to ``fallback``: people mean their own clock."""
    if start.tzinfo is None:
        name = _zone_name(tzid, None) if tzid else fallback
        return start.replace(tzinfo=ZoneInfo(name)) if name else None
    key = getattr(start.tzinfo, "key", None)
    name = _zone_name(key or tzid, None) if (key or tzid) else None
    if not tzid or name == "UTC":
        return start.astimezone(ZoneInfo(fallback))
    if name is None and _agrees(start.tzinfo, ZoneInfo(fallback), start.year):
        name = fallback  # a file's own timezone that keeps the same clocks as ours
    return start.replace(tzinfo=ZoneInfo(name)) if name else None


def _zone_name(tzid: str | None, default: str | None) -> str | None:
    """Return the IANA name for a TZID (Windows names and vendor prefixes too), or ``default``."""
    if not tzid:
        return default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        zone = tzp.timezone(tzid)
    key = getattr(zone, "key", None)
    if not key:
        return default
    try:
        ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        return default
    return str(key)


def _agrees(theirs: dt.tzinfo, ours: dt.tzinfo, year: int) -> bool:
    moments = [dt.datetime(year, month, 15, 12) for month in (1, 4, 7, 10)]
    return all(
        m.replace(tzinfo=theirs).utcoffset() == m.replace(tzinfo=ours).utcoffset() for m in moments
    )


def _local_day(value: Any, zone: str, local: dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return _local_moment(value, zone, local.tzinfo).date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _local_moment(value: dt.datetime, zone: str, tzinfo: dt.tzinfo | None = None) -> dt.datetime:
    target = tzinfo or ZoneInfo(zone)
    if value.tzinfo is None:
        return value.replace(tzinfo=target)
    return value.astimezone(target)


def _summary(event: Event) -> str:
    return " ".join(str(event.get("SUMMARY") or "").split()) or "An event with no title"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value
