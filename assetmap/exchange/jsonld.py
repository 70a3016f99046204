"""schema.org linked data for group and space pages, as a dict a page writes as JSON-LD.

A group is an ``Organization`` holding an ``Event`` for each of its schedules, each with an
``eventSchedule``; a space is a ``Place`` with ``openingHoursSpecification`` for the hours it is
open every week (and events for what a week cannot say, such as the first Saturday). Skills
never get linked data: a person is not an organisation, and their page says little on purpose.
Every point here is a public point.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from assetmap.domain.schedules import Frequency, Schedule

CONTEXT = "https://schema.org"
REPEATS = {
    Frequency.WEEKLY: "P1W",
    Frequency.FORTNIGHTLY: "P2W",
    Frequency.MONTHLY_BY_WEEKDAY: "P1M",
    Frequency.MONTHLY_BY_DATE: "P1M",
}
OFFLINE = "https://schema.org/OfflineEventAttendanceMode"
SCHEDULED = "https://schema.org/EventScheduled"


@dataclasses.dataclass(frozen=True, slots=True)
class Located:
    """A strength as linked data names it: public fields and its public point."""

    name: str
    url: str
    lon: float
    lat: float
    description: str = ""


def group_jsonld(
    group: Located,
    schedules: Sequence[Schedule],
    *,
    venue: Located | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Return a group as an ``Organization``, meeting at ``venue`` (or its own point), with an
    ``Event`` for each schedule, starting at its next session after ``now`` (else its first)."""
    where = place(venue or group)
    data = _thing("Organization", group) | {"location": where}
    if schedules:
        data["event"] = [_event(group, schedule, where, now) for schedule in schedules]
    return data


def space_jsonld(
    space: Located, schedules: Sequence[Schedule], *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Return a space as a ``Place``: its weekly opening hours, the days those are cancelled
    (from ``now`` on), and its other openings as events."""
    today = now.date() if now else None
    data = _thing("Place", space) | {"geo": _geo(space)}
    weekly = [item for item in schedules if item.frequency is Frequency.WEEKLY]
    other = [item for item in schedules if item.frequency is not Frequency.WEEKLY]
    if weekly:
        data["openingHoursSpecification"] = [_hours(item) for item in weekly]
        closed = sorted(
            {day for item in weekly for day in item.cancelled if not today or day >= today}
        )
        if closed:
            data["specialOpeningHoursSpecification"] = [_closed(day) for day in closed]
    if other:
        data["event"] = [_event(space, item, place(space), now) for item in other]
    return data


def place(where: Located) -> dict[str, Any]:
    """Return a ``Place`` at a public point."""
    return {"@type": "Place", "name": where.name, "url": where.url, "geo": _geo(where)}


def event_schedule(schedule: Schedule) -> dict[str, Any]:
    """Return a schema.org ``Schedule``: how often, which days, at what times, from and until
    when, and the dates it does not happen."""
    data: dict[str, Any] = {
        "@type": "Schedule",
        "name": schedule.describe(),
        "repeatFrequency": REPEATS[schedule.frequency],
        "startDate": schedule.starts_on.isoformat(),
        "startTime": _time(schedule.start_time),
        "scheduleTimezone": schedule.timezone,
    }
    if schedule.weekdays:
        days = [day.schema_org for day in schedule.weekdays]
        data["byDay"] = days if len(days) > 1 else days[0]
    if schedule.week_of_month is not None:
        data["byMonthWeek"] = schedule.week_of_month  # -1: the last week, as RFC 5545 says it
    if schedule.day_of_month is not None:
        data["byMonthDay"] = schedule.day_of_month
    if schedule.end_time is not None:
        data["endTime"] = _time(schedule.end_time)
    if schedule.ends_on is not None:
        data["endDate"] = schedule.ends_on.isoformat()
    if schedule.cancelled:
        data["exceptDate"] = [day.isoformat() for day in schedule.cancelled]
    return data


def _thing(kind: str, thing: Located) -> dict[str, Any]:
    data = {"@context": CONTEXT, "@type": kind, "name": thing.name, "url": thing.url}
    if thing.description:
        data["description"] = thing.description
    return data


def _event(
    host: Located, schedule: Schedule, where: dict[str, Any], now: dt.datetime | None
) -> dict[str, Any]:
    data = {
        "@type": "Event",
        "name": host.name,
        "url": host.url,
        "location": where,
        "eventAttendanceMode": OFFLINE,
        "eventStatus": SCHEDULED,
        "eventSchedule": event_schedule(schedule),
    }
    coming = schedule.next_session(now) if now else schedule.first_session()
    if coming is not None:
        data["startDate"] = coming.starts.isoformat()
    return data


def _hours(schedule: Schedule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [day.schema_org for day in schedule.weekdays],
        "opens": _time(schedule.start_time),
        "validFrom": schedule.starts_on.isoformat(),
    }
    if schedule.end_time is not None:
        data["closes"] = _time(schedule.end_time)
    if schedule.ends_on is not None:
        data["validThrough"] = schedule.ends_on.isoformat()
    return data


def _closed(day: dt.date) -> dict[str, Any]:
    # schema.org's way to say closed all day: opening and closing at midnight.
    return {
        "@type": "OpeningHoursSpecification",
        "opens": "00:00",
        "closes": "00:00",
        "validFrom": day.isoformat(),
        "validThrough": day.isoformat(),
    }


def _geo(where: Located) -> dict[str, Any]:
    return {"@type": "GeoCoordinates", "latitude": where.lat, "longitude": where.lon}


def _time(value: dt.time) -> str:
    return f"{value:%H:%M}"
