"""OpenActive: groups that meet as session series, in an RPDE 1.0 feed, and its dataset.

An item is ``{"state": "updated", "kind": "SessionSeries", "id", "modified", "data"}`` with
``data`` in the OpenActive Modelling Specification 2.0: the group's name, description, page,
themes as activities, where it meets (the space it meets at, or its own public point) and one
``Schedule`` per session; or ``{"state": "deleted", ...}`` with no data for a group that is gone
from the feed (withdrawn, hidden, or no longer with a schedule). Skills are people: they are
never in it. The functions here take rows and links and give plain values; no session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from assetmap.domain.schedules import Frequency, Schedule
from assetmap.domain.vocab import Theme
from assetmap.storage.feeds import SeriesRow
from assetmap.storage.ties import Venue

CONTEXT = "https://openactive.io/"
KIND = "SessionSeries"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PAGE_SIZE = 500
_REPEAT = {
    Frequency.WEEKLY: "P1W",
    Frequency.FORTNIGHTLY: "P2W",
    Frequency.MONTHLY_BY_WEEKDAY: "P1M",
    Frequency.MONTHLY_BY_DATE: "P1M",
}
# The page of a strength, by its id.
PageOf = Callable[[int], str]


def page(items: list[dict[str, Any]], next_url: str) -> dict[str, Any]:
    """Return an RPDE page: its items and the URL of the next (its own, on the last page)."""
    return {"next": next_url, "items": items, "license": LICENSE}


def item(row: SeriesRow, page_of: PageOf, themes_url: str) -> dict[str, Any]:
    """Return a group's RPDE item: updated with its data, or deleted with none."""
    found: dict[str, Any] = {
        "state": "deleted" if row.deleted else "updated",
        "kind": KIND,
        "id": row.asset_id,
        "modified": row.modified,
    }
    if not row.deleted:
        found["data"] = session_series(row, page_of, themes_url)
    return found


def session_series(row: SeriesRow, page_of: PageOf, themes_url: str) -> dict[str, Any]:
    """Return a group as an OpenActive ``SessionSeries``."""
    url = page_of(row.asset_id)
    data: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": KIND,
        "@id": url,
        "identifier": row.asset_id,
        "name": row.title,
        "url": url,
        "activity": [_activity(theme, themes_url) for theme in row.themes],
        "location": _place(row, page_of),
        "organizer": {"@type": "Organization", "name": row.title, "url": url},
        "eventSchedule": [_schedule(schedule, url) for schedule in row.schedules],
    }
    if row.description:
        data["description"] = row.description
    return data


def _activity(value: str, themes_url: str) -> dict[str, Any]:
    return {
        "@type": "Concept",
        "@id": f"{themes_url}#{value}",
        "prefLabel": Theme(value).english,
        "inScheme": themes_url,
    }


def _place(row: SeriesRow, page_of: PageOf) -> dict[str, Any]:
    """Return where a group meets: the first space it meets at, or its own public point."""
    venue = row.venues[0] if row.venues else None
    if venue is None:
        return _located({"@type": "Place", "name": row.title}, row.lon, row.lat)
    return _located(_venue(venue, page_of), venue.lon, venue.lat)


def _venue(venue: Venue, page_of: PageOf) -> dict[str, Any]:
    url = page_of(venue.asset_id)
    return {"@type": "Place", "@id": url, "name": venue.title, "url": url}


def _located(place: dict[str, Any], lon: float, lat: float) -> dict[str, Any]:
    place["geo"] = {"@type": "GeoCoordinates", "latitude": lat, "longitude": lon}
    return place


def _schedule(schedule: Schedule, url: str) -> dict[str, Any]:
    """Return a session as an OpenActive ``Schedule``: the rule, times and dates it repeats by,
    in its own timezone, with the id and page of each session it makes."""
    found: dict[str, Any] = {
        "@type": "Schedule",
        "repeatFrequency": _REPEAT[schedule.frequency],
        "startTime": f"{schedule.start_time:%H:%M}",
        "scheduleTimezone": schedule.timezone,
        "startDate": schedule.starts_on.isoformat(),
        "idTemplate": f"{url}#session-{{startDate}}",
        "urlTemplate": url,
    }
    found.update(_days(schedule))
    if schedule.end_time is not None:
        found["endTime"] = f"{schedule.end_time:%H:%M}"
        found["duration"] = _duration(schedule)
    if schedule.ends_on is not None:
        found["endDate"] = schedule.ends_on.isoformat()
    if schedule.cancelled:
        found["exceptDate"] = [_moment(schedule, day) for day in schedule.cancelled]
    return found


def _days(schedule: Schedule) -> dict[str, Any]:
    if schedule.frequency is Frequency.MONTHLY_BY_DATE:
        return {"byMonthDay": [schedule.day_of_month]}
    if schedule.frequency is Frequency.MONTHLY_BY_WEEKDAY:
        day, week = schedule.weekdays[0], schedule.week_of_month
        if week == -1:
            # schema.org's byMonthWeek counts from the start; iCal's text says "the last".
            return {"byDay": [f"-1{day.value}"]}
        return {"byDay": [day.schema_org], "byMonthWeek": [week]}
    return {"byDay": [day.schema_org for day in schedule.weekdays]}


def _duration(schedule: Schedule) -> str:
    """Return how long a session lasts as ISO 8601 ("PT2H30M"); overnight ones end next day."""
    assert schedule.end_time is not None
    start = dt.datetime.combine(dt.date.min, schedule.start_time)
    end = dt.datetime.combine(dt.date.min, schedule.end_time)
    minutes = int((end - start).total_seconds() // 60) % (24 * 60) or 24 * 60
    hours, minutes = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")


def _moment(schedule: Schedule, day: dt.date) -> str:
    return dt.datetime.combine(day, schedule.start_time, schedule.zone).isoformat()


def dataset(
    *, name: str, url: str, feed_url: str, publisher_url: str, description: str
) -> dict[str, Any]:
    """Return the dataset site's JSON-LD: a ``Dataset`` pointing at the session series feed."""
    return {
        "@context": ["https://schema.org/", CONTEXT],
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": name,
        "description": description,
        "license": LICENSE,
        "keywords": ["Community groups", "Sessions", "OpenActive"],
        "inLanguage": ["en-GB"],
        "schemaVersion": "https://openactive.io/modelling-opportunity-data/2.0/",
        "publisher": {"@type": "Organization", "name": name, "url": publisher_url},
        "distribution": [_distribution(feed_url)],
    }


def _distribution(feed_url: str) -> dict[str, Any]:
    return {
        "@type": "DataDownload",
        "name": KIND,
        "additionalType": "https://openactive.io/SessionSeries",
        "encodingFormat": "application/vnd.openactive.rpde+json; version=1",
        "contentUrl": feed_url,
        "identifier": KIND,
    }


def next_after(rows: Sequence[SeriesRow], after: tuple[int, int] | None) -> tuple[int, int] | None:
    """Return where the page after these rows starts: its last row, or where this one did."""
    return (rows[-1].modified, rows[-1].asset_id) if rows else after
