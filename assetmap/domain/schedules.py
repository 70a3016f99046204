"""When a group meets or a space is open: a repeating session, as RFC 5545 and in words.

A ``Schedule`` is what a person enters through a plain form (every week, every other week, the
first Friday of the month, the 15th of the month; a start time and maybe an end time; from a
date, maybe until a date; minus any cancelled dates). It is stored as an RFC 5545 recurrence
rule beside its start date, times and cancelled dates, read back with ``Schedule.from_rule``,
described with ``describe`` ("First Friday of the month, 7.30pm") and expanded into sessions with
``sessions_between``. Times are wall-clock times in the schedule's own timezone, so a 7.30pm
session stays at 7.30pm when the clocks change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import (
    _,
    format_date,
    format_number,
    format_time,
    lazy,
    locale,
    weekday_name,
)

DEFAULT_TIMEZONE = "Europe/London"
# The most sessions one schedule may list for one asset, and cancelled dates per schedule.
SCHEDULES_MAX = 7
CANCELLED_MAX = 60


class Frequency(enum.StrEnum):
    """How often a session comes round."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY_BY_WEEKDAY = "monthly-by-weekday"  # "the first Friday of the month"
    MONTHLY_BY_DATE = "monthly-by-date"  # "the 15th of every month"

    @property
    def label(self) -> str:
        """How often, as a person reads it, in their language."""
        return str(_FREQUENCY_LABELS[self])


_FREQUENCY_LABELS = {
    Frequency.WEEKLY: lazy("Every week"),
    Frequency.FORTNIGHTLY: lazy("Every other week"),
    Frequency.MONTHLY_BY_WEEKDAY: lazy("Once a month, on a weekday (such as the first Friday)"),
    Frequency.MONTHLY_BY_DATE: lazy("Once a month, on a date (such as the 15th)"),
}


class Weekday(enum.StrEnum):
    """A day of the week by its RFC 5545 code, Monday first."""

    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"

    @property
    def label(self) -> str:
        """The day's name in the reader's language, from Babel: "Monday", "Dydd Llun"."""
        return weekday_name(self.number)

    @property
    def english(self) -> str:
        """The day's name in English, as schema.org and RFC 5545's readers name it."""
        return _DAY_NAMES[self.number]

    @property
    def number(self) -> int:
        """Monday is 0, as ``datetime.date.weekday``."""
        return _DAY_NUMBERS[self]

    @property
    def schema_org(self) -> str:
        return f"https://schema.org/{self.english}"


_DAY_NUMBERS = {day: number for number, day in enumerate(Weekday)}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Which week of the month a monthly-by-weekday session falls in; -1 is the last.
WEEKS_OF_MONTH = {
    1: lazy("First"),
    2: lazy("Second"),
    3: lazy("Third"),
    4: lazy("Fourth"),
    -1: lazy("Last"),
}


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    """One meeting: when it starts and, if known, ends, as timezone-aware datetimes."""

    starts: dt.datetime
    ends: dt.datetime | None


@dataclasses.dataclass(frozen=True, slots=True)
class Schedule:
    """A repeating session, valid by construction (build one with ``validate_schedule``)."""

    frequency: Frequency
    # Weekly and fortnightly: the days it meets (one or more). Monthly by weekday: exactly one.
    weekdays: tuple[Weekday, ...]
    start_time: dt.time
    starts_on: dt.date
    end_time: dt.time | None = None
    ends_on: dt.date | None = None
    week_of_month: int | None = None  # 1-4, or -1 for the last; monthly by weekday only
    day_of_month: int | None = None  # 1-31; monthly by date only
    cancelled: tuple[dt.date, ...] = ()
    timezone: str = DEFAULT_TIMEZONE

    # -- RFC 5545 ---------------------------------------------------------------------------

    def rule(self) -> str:
        """Return the RRULE value, without the ``RRULE:`` prefix and without the start."""
        parts = self._repeats()
        if self.ends_on is not None:
            until = dt.datetime.combine(self.ends_on, dt.time(23, 59, 59), self.zone)
            parts.append(f"UNTIL={until.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
        return ";".join(parts)

    def _repeats(self) -> list[str]:
        """Return the parts of the rule that say how it repeats, without its end."""
        parts = []
        if self.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
            parts.append("FREQ=WEEKLY")
            if self.frequency is Frequency.FORTNIGHTLY:
                # Which weeks are "every other" depends on the week's first day: say it.
                parts += ["INTERVAL=2", "WKST=MO"]
            parts.append("BYDAY=" + ",".join(day.value for day in self.weekdays))
        elif self.frequency is Frequency.MONTHLY_BY_WEEKDAY:
            parts += ["FREQ=MONTHLY", f"BYDAY={self.week_of_month}{self.weekdays[0].value}"]
        else:
            parts += ["FREQ=MONTHLY", f"BYMONTHDAY={self.day_of_month}"]
        return parts

    @classmethod
    def from_rule(
        cls,
        rule: str,
        *,
        start_time: dt.time,
        starts_on: dt.date,
        end_time: dt.time | None = None,
        cancelled: Iterable[dt.date] = (),
        timezone: str = DEFAULT_TIMEZONE,
    ) -> Schedule:
        """Read a schedule back from an RRULE value, or raise ``ValueError`` naming what in the
        rule a plain schedule cannot say (a yearly rule, a count, two weeks of the month...)."""
        fields = _rule_fields(rule)
        freq, interval = fields.pop("FREQ", ""), int(fields.pop("INTERVAL", "1") or 1)
        fields.pop("WKST", None)
        until = fields.pop("UNTIL", "")
        byday = [part for part in fields.pop("BYDAY", "").split(",") if part]
        bymonthday = fields.pop("BYMONTHDAY", "")
        if fields:
            raise ValueError(f"a schedule cannot say {', '.join(sorted(fields))}")
        zone = _zone(timezone)
        ends_on = _until_date(until, zone) if until else None
        common: dict[str, Any] = {
            "start_time": start_time,
            "end_time": end_time,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "cancelled": tuple(sorted(set(cancelled))),
            "timezone": timezone,
        }
        if freq == "WEEKLY" and interval in (1, 2) and not bymonthday:
            days = tuple(Weekday(day) for day in byday) if byday else (_weekday_of(starts_on),)
            frequency = Frequency.WEEKLY if interval == 1 else Frequency.FORTNIGHTLY
            return cls(frequency=frequency, weekdays=_in_week_order(days), **common)
        if freq == "DAILY" and interval == 1 and not byday and not bymonthday:
            return cls(frequency=Frequency.WEEKLY, weekdays=tuple(Weekday), **common)
        if freq == "MONTHLY" and interval == 1:
            if len(byday) == 1 and not bymonthday:
                week, day = byday[0][:-2], byday[0][-2:]
                if week not in {"1", "2", "3", "4", "-1", "+1", "+2", "+3", "+4"}:
                    raise ValueError(f"a schedule cannot say BYDAY={byday[0]}")
                return cls(
                    frequency=Frequency.MONTHLY_BY_WEEKDAY,
                    weekdays=(Weekday(day),),
                    week_of_month=int(week),
                    **common,
                )
            if not byday:
                day_of_month = int(bymonthday) if bymonthday else starts_on.day
                if not 1 <= day_of_month <= 31:
                    raise ValueError(f"a schedule cannot say BYMONTHDAY={bymonthday}")
                return cls(
                    frequency=Frequency.MONTHLY_BY_DATE,
                    weekdays=(),
                    day_of_month=day_of_month,
                    **common,
                )
        raise ValueError(f"a schedule cannot say FREQ={freq};INTERVAL={interval}")

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    # -- sessions ---------------------------------------------------------------------------

    def first_start(self) -> dt.datetime:
        """Return DTSTART: the start date at the start time, in the schedule's timezone."""
        return dt.datetime.combine(self.starts_on, self.start_time, self.zone)

    def sessions_between(self, start: dt.datetime, end: dt.datetime) -> list[Session]:
        """Return the sessions that start in ``[start, end)``, cancelled dates left out.

        ``start`` and ``end`` are timezone-aware. Sessions are found day by day on wall-clock
        dates (``occurs_on``), so the clock changes move no session; the dates are those the
        RFC 5545 rule gives (the tests expand ``rule()`` with dateutil and with
        recurring-ical-events and compare)."""
        zone = self.zone
        local_start = start.astimezone(zone).replace(tzinfo=None)
        local_end = end.astimezone(zone).replace(tzinfo=None)
        first = max(local_start.date(), self.starts_on)
        last = local_end.date() if self.ends_on is None else min(local_end.date(), self.ends_on)
        sessions = []
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            if not self.occurs_on(day):
                continue
            when = dt.datetime.combine(day, self.start_time)
            if local_start <= when < local_end:
                starts = when.replace(tzinfo=zone)
                sessions.append(Session(starts=starts, ends=self._end_of(starts)))
        return sessions

    def occurs_on(self, day: dt.date) -> bool:
        """Return whether a session falls on ``day`` (a local date)."""
        if day < self.starts_on or (self.ends_on is not None and day > self.ends_on):
            return False
        if day in self.cancelled:
            return False
        if self.frequency is Frequency.MONTHLY_BY_DATE:
            return day.day == self.day_of_month
        if day.weekday() not in {weekday.number for weekday in self.weekdays}:
            return False
        if self.frequency is Frequency.WEEKLY:
            return True
        if self.frequency is Frequency.FORTNIGHTLY:
            # Weeks start on Monday (WKST=MO) and are counted from the first date's week.
            weeks = (_monday_of(day) - _monday_of(self.starts_on)).days // 7
            return weeks % 2 == 0
        if self.week_of_month == -1:
            return (day + dt.timedelta(days=7)).month != day.month
        return (day.day - 1) // 7 + 1 == self.week_of_month

    def first_session(self) -> Session | None:
        """Return the first session on or after ``starts_on``: a calendar's DTSTART, which
        RFC 5545 counts as a session, so it must be one."""
        return self.next_session(self.first_start())

    def next_session(self, after: dt.datetime, *, within_days: int = 400) -> Session | None:
        """Return the first session starting at or after ``after``, or None."""
        found = self.sessions_between(after, after + dt.timedelta(days=within_days))
        return found[0] if found else None

    def _end_of(self, starts: dt.datetime) -> dt.datetime | None:
        if self.end_time is None:
            return None
        ends = dt.datetime.combine(starts.date(), self.end_time, starts.tzinfo)
        # A session that ends before it starts ends the next day ("8pm to 1am").
        return ends if ends > starts else ends + dt.timedelta(days=1)

    # -- in words ---------------------------------------------------------------------------

    def describe(self, *, today: dt.date | None = None) -> str:
        """Return the schedule in plain words, in the reader's language: "Every Monday, 8pm to
        10pm". Each part is a whole message, so a translation may order it as its language does."""
        run = _run_of_days(self.weekdays)
        if self.frequency is Frequency.WEEKLY and run:
            when = run  # "Monday to Saturday"
        elif self.frequency is Frequency.WEEKLY:
            when = _every(self.weekdays)
        elif self.frequency is Frequency.FORTNIGHTLY:
            when = _every_other(self.weekdays)
        elif self.frequency is Frequency.MONTHLY_BY_WEEKDAY:
            when = _in_the_month(self.week_of_month or 1, self.weekdays[0])
        else:
            when = _("The %(ordinal)s of every month", ordinal=ordinal(self.day_of_month or 1))
        times = times_in_words(self.start_time, self.end_time)
        # Every other week needs its first date to say which weeks.
        future = today is not None and self.starts_on > today
        start = day_in_words(self.starts_on)
        if future or self.frequency is Frequency.FORTNIGHTLY:
            if self.ends_on is not None:
                end = day_in_words(self.ends_on)
                return _(
                    "%(when)s, %(times)s, from %(start)s, until %(end)s",
                    when=when,
                    times=times,
                    start=start,
                    end=end,
                )
            return _("%(when)s, %(times)s, from %(start)s", when=when, times=times, start=start)
        if self.ends_on is not None:
            end = day_in_words(self.ends_on)
            return _("%(when)s, %(times)s, until %(end)s", when=when, times=times, end=end)
        return _("%(when)s, %(times)s", when=when, times=times)

    def cancelled_in_words(self, *, today: dt.date | None = None) -> str:
        """Return "Not on 25 December 2026 or 1 January 2027", leaving out past dates."""
        days = [day for day in self.cancelled if today is None or day >= today]
        if not days:
            return ""
        return _("Not on %(dates)s", dates=_either([day_in_words(day) for day in days]))

    # -- plain values -----------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """Return the schedule as the plain values the form and the JSON API use."""
        return {
            "frequency": self.frequency.value,
            "weekdays": [day.value for day in self.weekdays],
            "week_of_month": self.week_of_month,
            "day_of_month": self.day_of_month,
            "start_time": f"{self.start_time:%H:%M}",
            "end_time": f"{self.end_time:%H:%M}" if self.end_time else None,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "cancelled": [day.isoformat() for day in self.cancelled],
            "timezone": self.timezone,
            "rule": self.rule(),
            "description": self.describe(),
        }


def validate_schedule(
    raw: Mapping[str, Any], *, today: dt.date, timezone: str = DEFAULT_TIMEZONE
) -> Schedule:
    """Return a ``Schedule`` from loose input (a form or a JSON body), or raise
    ``ValidationError`` naming each bad field in words a person reads.

    ``raw`` has ``frequency``, ``weekdays`` (a list or comma-separated codes), ``week_of_month``,
    ``day_of_month``, ``start_time`` and ``end_time`` ("19:30"), ``starts_on`` and ``ends_on``
    (ISO dates), ``cancelled`` (a list or comma/space-separated ISO dates). A missing
    ``starts_on`` is ``today``.
    """
    errors: dict[str, str] = {}
    frequency = _field(
        errors,
        "frequency",
        lambda: Frequency(str(raw.get("frequency") or "")),
        _("choose how often it happens"),
    )
    weekdays = _field(
        errors,
        "weekdays",
        lambda: _weekdays(raw.get("weekdays")),
        _("choose days of the week from Monday to Sunday"),
    )
    start_time = _field(
        errors,
        "start_time",
        lambda: _time(raw.get("start_time"), required=True),
        _("enter a start time such as 19:30"),
    )
    end_time = _field(
        errors,
        "end_time",
        lambda: _time(raw.get("end_time")),
        _("enter an end time such as 21:00, or leave it empty"),
    )
    starts_on = _field(
        errors,
        "starts_on",
        lambda: _date(raw.get("starts_on")) or today,
        _("enter the first date as a real date, such as 2027-01-15"),
    )
    ends_on = _field(
        errors,
        "ends_on",
        lambda: _date(raw.get("ends_on")),
        _("enter the last date as a real date, or leave it empty"),
    )
    cancelled = _field(
        errors,
        "cancelled",
        lambda: _dates(raw.get("cancelled")),
        _("enter each cancelled date as a real date, such as 2026-12-25"),
    )
    week = _field(
        errors,
        "week_of_month",
        lambda: _int(raw.get("week_of_month")),
        _("choose which week of the month"),
    )
    day_of_month = _field(
        errors,
        "day_of_month",
        lambda: _int(raw.get("day_of_month")),
        _("enter a day of the month from 1 to 31"),
    )
    try:
        zone_name = str(raw.get("timezone") or timezone)
        _zone(zone_name)
    except ValueError:
        errors["timezone"] = _("is not a timezone this app knows")
        zone_name = timezone
    if frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY) and weekdays == ():
        errors.setdefault("weekdays", _("choose at least one day of the week"))
    if frequency is Frequency.MONTHLY_BY_WEEKDAY:
        if weekdays is not None and len(weekdays) != 1:
            errors.setdefault("weekdays", _("choose one day of the week"))
        if week not in WEEKS_OF_MONTH:
            errors.setdefault("week_of_month", _("choose first, second, third, fourth or last"))
    if frequency is Frequency.MONTHLY_BY_DATE and not (
        isinstance(day_of_month, int) and 1 <= day_of_month <= 31
    ):
        errors.setdefault("day_of_month", _("enter a day of the month from 1 to 31"))
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", _("must be on or after the first date"))
    if cancelled is not None and len(cancelled) > CANCELLED_MAX:
        errors.setdefault(
            "cancelled", _("list at most %(most)d cancelled dates", most=CANCELLED_MAX)
        )
    if errors:
        raise ValidationError(errors)
    assert frequency is not None and start_time is not None and starts_on is not None
    monthly_weekday = frequency is Frequency.MONTHLY_BY_WEEKDAY
    if frequency is Frequency.FORTNIGHTLY and weekdays:
        # RFC 5545 counts every other week from the week DTSTART is in: start on the first
        # session, so that "every other Monday from Wednesday 6 January" meets on the 11th.
        starts_on = _first_on(weekdays, starts_on)
    return Schedule(
        frequency=frequency,
        weekdays=() if frequency is Frequency.MONTHLY_BY_DATE else _in_week_order(weekdays or ()),
        start_time=start_time,
        end_time=end_time,
        starts_on=starts_on,
        ends_on=ends_on,
        week_of_month=week if monthly_weekday else None,
        day_of_month=day_of_month if frequency is Frequency.MONTHLY_BY_DATE else None,
        cancelled=tuple(sorted(set(cancelled or ()))),
        timezone=zone_name,
    )


# -- words ------------------------------------------------------------------------------------


def times_in_words(start: dt.time, end: dt.time | None) -> str:
    """Return "8pm to 10pm", "7.30pm", "midday to 2pm"."""
    if end is None:
        return time_in_words(start)
    return _("%(start)s to %(end)s", start=time_in_words(start), end=time_in_words(end))


def _english() -> bool:
    return locale().language == "en"


def time_in_words(value: dt.time) -> str:
    """Return a time as GOV.UK writes it, with a full stop: "7.30pm", "10am", "midday"; in
    another language, as Babel writes it there ("19:30")."""
    if not _english():
        return format_time(value)
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}.{value.minute:02d}{suffix}"


def day_in_words(value: dt.date) -> str:
    """Return "5 January 2027", month names from Babel in the reader's language."""
    return format_date(value, "long")


def ordinal(number: int) -> str:
    """Return "1st", "2nd", "3rd", "11th", "22nd"; in another language, the number with a
    full stop ("15."), which the message around it may reword."""
    if not _english():
        return f"{format_number(number)}."
    suffix = (
        "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _every(days: tuple[Weekday, ...]) -> str:
    if len(days) == 7:
        return _("Every day")
    if days == _WORKING_WEEK:
        return _("Every weekday")
    return _("Every %(days)s", days=_both([day.label for day in days]))


def _every_other(days: tuple[Weekday, ...]) -> str:
    if len(days) == 7:
        return _("Every other day")
    if days == _WORKING_WEEK:
        return _("Every other weekday")
    return _("Every other %(days)s", days=_both([day.label for day in days]))


def _in_the_month(week: int, day: Weekday) -> str:
    """Return "First Friday of the month": a whole message for each week."""
    name = day.label
    if week == 1:
        return _("First %(day)s of the month", day=name)
    if week == 2:
        return _("Second %(day)s of the month", day=name)
    if week == 3:
        return _("Third %(day)s of the month", day=name)
    if week == 4:
        return _("Fourth %(day)s of the month", day=name)
    return _("Last %(day)s of the month", day=name)


def _run_of_days(days: tuple[Weekday, ...]) -> str:
    """Return "Monday to Saturday" for three to six days in a row (Monday first), else ""."""
    numbers = [day.number for day in days]
    in_a_row = numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False
    if not in_a_row or not 3 <= len(days) <= 6 or days[:5] == tuple(Weekday)[:5] == days:
        return ""
    return _("%(first)s to %(last)s", first=days[0].label, last=days[-1].label)


_WORKING_WEEK = (Weekday.MO, Weekday.TU, Weekday.WE, Weekday.TH, Weekday.FR)


def _both(items: list[str]) -> str:
    """Return "Monday, Wednesday and Friday"."""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s", items=", ".join(items[:-1]), last=items[-1])


def _either(items: list[str]) -> str:
    """Return "25 December 2026 or 1 January 2027"."""
    if len(items) == 1:
        return items[0]
    return _("%(items)s or %(last)s", items=", ".join(items[:-1]), last=items[-1])


# -- parsing loose values ---------------------------------------------------------------------


def _field(errors: dict[str, str], name: str, read: Any, message: str) -> Any:
    try:
        return read()
    except (ValueError, TypeError):
        errors[name] = message
        return None


def _weekdays(value: Any) -> tuple[Weekday, ...]:
    if value in (None, ""):
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(dict.fromkeys(Weekday(str(item).strip().upper()[:2]) for item in items if item))


def _in_week_order(days: Iterable[Weekday]) -> tuple[Weekday, ...]:
    return tuple(sorted(set(days), key=lambda day: day.number))


def _time(value: Any, *, required: bool = False) -> dt.time | None:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValueError("required")
        return None
    hour, _, rest = text.replace(".", ":").partition(":")
    minute, _, second = rest.partition(":")
    if second and int(second) != 0:
        raise ValueError("seconds")
    return dt.time(int(hour), int(minute or 0))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    return dt.date.fromisoformat(text) if text else None


def _dates(value: Any) -> tuple[dt.date, ...]:
    if value in (None, ""):
        return ()
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return tuple(day for day in (_date(item) for item in items) if day is not None)


def _int(value: Any) -> int | None:
    text = str(value if value is not None else "").strip()
    return int(text) if text else None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def _first_on(days: Iterable[Weekday], start: dt.date) -> dt.date:
    """Return the first date on or after ``start`` that falls on one of ``days``."""
    numbers = {day.number for day in days}
    return next(start + dt.timedelta(n) for n in range(7) if (start.weekday() + n) % 7 in numbers)


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weekday_of(day: dt.date) -> Weekday:
    return list(Weekday)[day.weekday()]


def _rule_fields(rule: str) -> dict[str, str]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    fields = {}
    for part in text.split(";"):
        if part:
            key, _, value = part.partition("=")
            fields[key.strip().upper()] = value.strip().upper()
    return fields


def _until_date(value: str, zone: ZoneInfo) -> dt.date:
    if "T" not in value:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    moment = dt.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    if value.endswith("Z"):
        return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()
    return moment.date()


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One schedule of one strength as a calendar file or feed carries it: a recurring event."""

    uid: str  # stable across exports: the same session keeps its id in people's calendars
    title: str
    description: str
    url: str  # the strength's public page
    schedule: Schedule
    location: str  # the space it meets at, or "" for its own public point
    lon: float
    lat: float
    updated: dt.datetime
