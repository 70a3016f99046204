"""What's on: the next sessions of the groups that meet, in a window of days, by day.

Storage finds the groups that match a search (``storage.whatson.candidates``); this module
expands their schedules into the sessions of a window (today, tomorrow, the next seven days, the
weekend) in the area's timezone, sorts them by start and then title, caps them, and groups them
by day. Nothing here reads a clock: the caller passes ``now``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import itertools
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from assetmap.domain.i18n import _, format_day, lazy, ngettext
from assetmap.domain.schedules import DEFAULT_TIMEZONE, Schedule, Session, times_in_words
from assetmap.domain.vocab import Theme

# The most sessions a search lists; past it the page says the list was cut short.
SESSIONS_MAX = 200
# The most days ahead a window may reach.
DAYS_MAX = 31


class When(enum.StrEnum):
    """The windows a person can choose, by the value the page's form sends."""

    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    WEEKEND = "weekend"

    @property
    def label(self) -> str:
        """Return the window as a choice or a heading reads: "In the next 7 days"."""
        return str(_WHEN_LABELS[self])

    @property
    def phrase(self) -> str:
        """Return the window as it reads inside a sentence: "in the next 7 days"."""
        return str(_WHEN_PHRASES[self])


_WHEN_LABELS: dict[When, Any] = {
    When.TODAY: lazy("Today"),
    When.TOMORROW: lazy("Tomorrow"),
    When.WEEK: lazy("In the next 7 days"),
    When.WEEKEND: lazy("At the weekend"),
}
# Inside a sentence ("3 sessions in the next 7 days"), where some languages word it otherwise.
_WHEN_PHRASES: dict[When, Any] = {
    When.TODAY: lazy("today"),
    When.TOMORROW: lazy("tomorrow"),
    When.WEEK: lazy("in the next 7 days"),
    When.WEEKEND: lazy("at the weekend"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class MeetingPlace:
    """A space a group meets at, at its public point (EPSG:4326)."""

    asset_id: int
    title: str
    lon: float
    lat: float


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    """A published group that matches a search, with its schedules and where it meets.

    ``lon, lat`` is the group's own public point; ``neighbourhood`` the name of the
    neighbourhood it is filed under, if any.
    """

    asset_id: int
    title: str
    themes: tuple[Theme, ...]
    lon: float
    lat: float
    neighbourhood: str | None
    schedules: tuple[Schedule, ...]
    places: tuple[MeetingPlace, ...] = ()
    description: str = ""
    updated: dt.datetime | None = None

    @property
    def point(self) -> tuple[float, float]:
        """Return where its sessions are (lon, lat): the first space it meets at, else its own
        public point."""
        if self.places:
            return self.places[0].lon, self.places[0].lat
        return self.lon, self.lat

    @property
    def where(self) -> str:
        """Return where it meets in words: its spaces, or its neighbourhood, or ""."""
        if self.places:
            return " or ".join(place.title for place in self.places)
        if self.neighbourhood:
            return _("In the %(neighbourhood)s neighbourhood", neighbourhood=self.neighbourhood)
        return ""


@dataclasses.dataclass(frozen=True, slots=True)
class Window:
    """The days a search looks at: from ``start`` to ``end`` (aware, ``end`` excluded).

    Sessions over before ``now`` are left out, so "today" keeps one in progress and drops one
    already finished.
    """

    start: dt.datetime
    end: dt.datetime
    now: dt.datetime
    label: str
    phrase: str = ""

    @classmethod
    def today(cls, now: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> Window:
        """Return the rest of today."""
        day = _local(now, timezone).date()
        return cls._days(now, day, 1, timezone, When.TODAY.label, When.TODAY.phrase)

    @classmethod
    def tomorrow(cls, now: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> Window:
        """Return the whole of tomorrow."""
        day = _local(now, timezone).date() + dt.timedelta(days=1)
        return cls._days(now, day, 1, timezone, When.TOMORROW.label, When.TOMORROW.phrase)

    @classmethod
    def this_week(cls, now: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> Window:
        """Return today and the six days after it."""
        return cls.next_days(now, 7, timezone, label=When.WEEK.label, phrase=When.WEEK.phrase)

    @classmethod
    def weekend(cls, now: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> Window:
        """Return the coming Saturday and Sunday, or this weekend's rest if today is one."""
        today = _local(now, timezone).date()
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:
            saturday = today - dt.timedelta(days=1)
        return cls._days(now, saturday, 2, timezone, When.WEEKEND.label, When.WEEKEND.phrase)

    @classmethod
    def next_days(
        cls,
        now: dt.datetime,
        days: int,
        timezone: str = DEFAULT_TIMEZONE,
        *,
        label: str = "",
        phrase: str = "",
    ) -> Window:
        """Return today and the ``days - 1`` days after it (1 to ``DAYS_MAX`` days)."""
        if not 1 <= days <= DAYS_MAX:
            raise ValueError(f"days must be from 1 to {DAYS_MAX}, got {days}")
        today = _local(now, timezone).date()
        label = label or ngettext("In the next %(num)d day", "In the next %(num)d days", days)
        phrase = phrase or ngettext("in the next %(num)d day", "in the next %(num)d days", days)
        return cls._days(now, today, days, timezone, label, phrase)

    @classmethod
    def of(cls, when: When, now: dt.datetime, timezone: str = DEFAULT_TIMEZONE) -> Window:
        """Return the window a person chose."""
        choose = {
            When.TODAY: cls.today,
            When.TOMORROW: cls.tomorrow,
            When.WEEK: cls.this_week,
            When.WEEKEND: cls.weekend,
        }
        return choose[when](now, timezone)

    @classmethod
    def _days(
        cls,
        now: dt.datetime,
        first: dt.date,
        days: int,
        timezone: str,
        label: str,
        phrase: str = "",
    ) -> Window:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        zone = ZoneInfo(timezone)
        # Midnight to midnight in the area's wall-clock time, whatever the clocks do between.
        start = dt.datetime.combine(first, dt.time(0), zone)
        end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time(0), zone)
        return cls(start=start, end=end, now=now, label=label, phrase=phrase or label.lower())

    @property
    def timezone(self) -> dt.tzinfo:
        assert self.start.tzinfo is not None
        return self.start.tzinfo

    @property
    def first_day(self) -> dt.date:
        return self.start.date()

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()


@dataclasses.dataclass(frozen=True, slots=True)
class Occasion:
    """One session of one group, as what's on lists it."""

    group: Candidate
    session: Session

    @property
    def starts(self) -> dt.datetime:
        return self.session.starts

    @property
    def time_in_words(self) -> str:
        """Return "7.30pm to 9pm" in the session's own wall-clock time."""
        ends = self.session.ends
        return times_in_words(self.starts.time(), ends.time() if ends else None)


@dataclasses.dataclass(frozen=True, slots=True)
class Day:
    """The sessions of one day, and how the list heads it ("Today", "Saturday 12 December")."""

    date: dt.date
    label: str
    occasions: tuple[Occasion, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class WhatsOn:
    """What is on in a window: sessions by day, and whether the list was cut short."""

    window: Window
    days: tuple[Day, ...]
    capped: bool

    @property
    def occasions(self) -> list[Occasion]:
        return [occasion for day in self.days for occasion in day.occasions]

    @property
    def count(self) -> int:
        return sum(len(day.occasions) for day in self.days)

    @property
    def groups(self) -> list[Candidate]:
        """Return each group with a session listed, once, in the order first listed."""
        seen: dict[int, Candidate] = {}
        for occasion in self.occasions:
            seen.setdefault(occasion.group.asset_id, occasion.group)
        return list(seen.values())


def whats_on(
    candidates: Iterable[Candidate], window: Window, *, most: int = SESSIONS_MAX
) -> WhatsOn:
    """Return the sessions of ``candidates`` in ``window``, by start then title, grouped by day.

    Sessions on cancelled dates are left out, and those over before ``window.now``. At most
    ``most`` are listed; ``capped`` says whether more were found.
    """
    found = [
        Occasion(group, session)
        for group in candidates
        for schedule in group.schedules
        for session in schedule.sessions_between(window.start, window.end)
        if (session.ends or session.starts) >= window.now
    ]
    found.sort(key=lambda o: (o.starts, o.group.title.casefold(), o.group.asset_id))
    listed = _without_repeats(found)
    return WhatsOn(window, _by_day(listed[:most], window), capped=len(listed) > most)


def _without_repeats(found: list[Occasion]) -> list[Occasion]:
    # Two schedules of one group that give the same session (an overlap) list it once.
    seen: set[tuple[int, dt.datetime]] = set()
    kept = []
    for occasion in found:
        key = (occasion.group.asset_id, occasion.starts)
        if key not in seen:
            seen.add(key)
            kept.append(occasion)
    return kept


def _by_day(occasions: list[Occasion], window: Window) -> tuple[Day, ...]:
    zone, today = window.timezone, window.now.astimezone(window.timezone).date()
    days = itertools.groupby(occasions, key=lambda o: o.starts.astimezone(zone).date())
    return tuple(Day(date, day_heading(date, today), tuple(items)) for date, items in days)


def day_heading(day: dt.date, today: dt.date) -> str:
    """Return how a list heads a day in the reader's language: "Today", "Tomorrow", else
    "Saturday 12 December" (with the year when it is not this year's)."""
    if day == today:
        return When.TODAY.label
    if day == today + dt.timedelta(days=1):
        return When.TOMORROW.label
    return day_in_words(day, with_year=day.year != today.year)


# British English days as GOV.UK writes them, with no comma: "Saturday 12 December 2026".
def day_in_words(day: dt.date, *, with_year: bool = False) -> str:
    """Return a day with its weekday's and month's full names in the reader's language:
    "Saturday 12 December", "sobota, 12 grudnia"."""
    return format_day(day, with_year=with_year)


def _local(now: dt.datetime, timezone: str) -> dt.datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone))
