"""Reading the free text people wrote for when a group meets or a space opens.

Before schedules were structured, a group's ``meeting_pattern`` and a space's ``opening_times``
were free text: "First Friday of the month, 7.30pm", "Mon–Sat 9am–10pm", "Saturdays 10am–1pm,
term time". ``parse_pattern`` reads the schedules such text states and returns what is left as
a note. It parses only what it is sure of: a wrong schedule puts a session on the map that never
happens, while a note loses nothing, so anything it cannot read whole stays a note, untouched.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable

from assetmap.domain.schedules import SCHEDULES_MAX, Frequency, Schedule, Weekday
from assetmap.domain.vocab import Kind

# Longer text is kept as a note unread: no meeting pattern is this long.
TEXT_MAX = 500
# Day names as people write them.
_DAY_NAMES = {
    "monday": Weekday.MO,
    "mon": Weekday.MO,
    "tuesday": Weekday.TU,
    "tues": Weekday.TU,
    "tue": Weekday.TU,
    "wednesday": Weekday.WE,
    "weds": Weekday.WE,
    "wed": Weekday.WE,
    "thursday": Weekday.TH,
    "thurs": Weekday.TH,
    "thur": Weekday.TH,
    "thu": Weekday.TH,
    "friday": Weekday.FR,
    "fri": Weekday.FR,
    "saturday": Weekday.SA,
    "sat": Weekday.SA,
    "sunday": Weekday.SU,
    "sun": Weekday.SU,
}
_FULL_NAMES = frozenset(day.label.lower() for day in Weekday)
_WEEKS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
_DAY = r"(?:{})s?\b".format("|".join(sorted(_DAY_NAMES, key=len, reverse=True)))
_DAY_ITEM = rf"{_DAY}(?:\s*(?:-|to)\s*{_DAY})?"
_DAY_LIST = rf"{_DAY_ITEM}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){_DAY_ITEM})*"
_WEEK = r"(?:{})\b".format("|".join(_WEEKS))
_AND = r"(?:\s*,\s*|\s+and\s+|\s*&\s*)"

_OF_THE_MONTH = r"(?:of\s+(?:the|every|each)\s+month|(?:of\s+|in\s+)?(?:each|every)\s+month)\b"
_MONTHLY = re.compile(rf"(?P<weeks>{_WEEK}(?:{_AND}{_WEEK})*)\s+(?P<day>{_DAY})\s+{_OF_THE_MONTH}")
_MONTHLY_BY_DATE = re.compile(rf"(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)\s+{_OF_THE_MONTH}")
_FORTNIGHTLY = re.compile(rf"(?:every\s+other|alternate|fortnightly\s+on)\s+(?P<days>{_DAY_LIST})")
_EVERY_DAY = re.compile(r"(?:every\s+day|daily|(?:7|seven)\s+days\s+a\s+week)\b")
_WEEKDAYS = re.compile(r"(?:every\s+weekday|weekdays)\b")
_WEEKENDS = re.compile(r"(?:every\s+weekend|weekends)\b")
_DAYS = re.compile(rf"(?P<every>every\s+)?(?P<days>{_DAY_LIST})")
_ONE_DAY = re.compile(rf"(?P<first>{_DAY})(?:\s*(?:-|to)\s*(?P<last>{_DAY}))?")

_BETWEEN_DAYS_AND_TIME = re.compile(r"\s*,?\s*(?:at\s+)?")
_TIME = re.compile(
    r"(?:(?P<word>midday|noon|midnight)"
    r"|(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*(?P<half>am|pm)?)(?![\w.:])"
)
_UNTIL = re.compile(r"\s*(?:-|to|until|till)\s*")
_MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june")
_MONTHS += ("july", "august", "september", "october", "november", "december")
# The first and last dates a schedule may state, as ``Schedule.describe`` writes them.
_MONTH = "|".join(_MONTHS)
_BOUND = re.compile(
    r"\s*,?\s*(?P<bound>from|until)\s+"
    rf"(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH})\s+(?P<year>\d{{4}})\b"
)
_SEPARATOR = re.compile(r"\s*(?:[;,]\s*(?:and\s+|also\s+)?|\s+and\s+)")
_PIECE = re.compile(r"[^;,]+")
# What may be left beside a schedule as its note: words that add to it ("other times by
# arrangement") or say how to come ("bookable"), and term time, which a schedule cannot say
# but which people know to read beside it. Never words that change its days ("April to
# October", "except bank holidays"): text with those stays a note, whole.
_QUALIFIER = re.compile(
    r"(?:(?:during|in|only\s+in)\s+)?(?:school\s+)?term[\s-]?times?(?:\s+only)?"
    r"|(?:[a-z -]+\s+)?by\s+arrangement"
    r"|bookable(?:\s+in\s+advance)?|booking\s+(?:essential|required|needed)|please\s+book"
    r"|some\s+evenings|after\s+(?:the\s+)?school\s+drop[\s-]?off"
    r"|all\s+welcome|everyone\s+welcome|drop[\s-]?in|free"
)
# How a text may begin before its schedule: "Meets Tuesdays 7pm", "Open daily 9am–5pm".
_LEADS = {Kind.GROUP: re.compile(r"meets\s+(?:on\s+)?"), Kind.SPACE: re.compile(r"open\s+")}
_DASHES = str.maketrans({"–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-"})


class _NotSure(Exception):
    """The text says something this reader cannot be sure of."""


@dataclasses.dataclass(frozen=True, slots=True)
class _When:
    """What a day phrase said: how often, on which days, which weeks of the month."""

    frequency: Frequency
    weekdays: tuple[Weekday, ...]
    weeks: tuple[int, ...] = ()
    day_of_month: int | None = None


def parse_pattern(text: str | None, *, kind: Kind, today: dt.date) -> tuple[list[Schedule], str]:
    """Return the schedules a group's meeting pattern or a space's opening times states, and
    the note to keep beside them.

    The note is the whole text when nothing could be read with certainty, "" when all of it
    was, or what qualifies the schedules ("term time", "bookable in advance"). Schedules start
    on their first session on or after ``today``; an "every other week" one counts its weeks
    from there.
    """
    if kind not in _LEADS:
        raise ValueError(f"only a group or a space has a schedule, not a {kind.value}")
    words = " ".join((text or "").split())
    if not words:
        return [], ""
    if len(words) > TEXT_MAX:
        return [], words
    try:
        schedules, notes = _Reader(words, kind, today).read()
    except _NotSure:
        return [], words
    return schedules, "; ".join(notes)


def pattern_in_words(schedules: Iterable[Schedule], note: str) -> str:
    """Return schedules and their note as free text again: the descriptions, then the note,
    joined with "; "."""
    parts = [schedule.describe() for schedule in schedules]
    return "; ".join([*parts, note] if note else parts)


class _Reader:
    """Reads one text from the start, clause by clause; raises ``_NotSure`` on anything else."""

    def __init__(self, words: str, kind: Kind, today: dt.date) -> None:
        folded = words.lower().translate(_DASHES)
        if len(folded) != len(words):
            raise _NotSure  # notes are cut from the original by position
        self.original, self.text, self.kind, self.today, self.pos = words, folded, kind, today, 0
        if self.text.endswith("."):
            self.text = self.text[:-1]

    def read(self) -> tuple[list[Schedule], list[str]]:
        self._match(_LEADS[self.kind])
        schedules = self._schedules()
        if schedules is None:
            raise _NotSure
        notes: list[str] = []
        while self.pos < len(self.text):
            if self._match(_SEPARATOR) is None:
                raise _NotSure
            start = self.pos
            more = self._schedules()
            if more is not None:
                schedules += more
                continue
            self.pos = start
            notes.append(self._qualifier())
        if len(schedules) > SCHEDULES_MAX:
            raise _NotSure
        return schedules, notes

    def _match(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        found = pattern.match(self.text, self.pos)
        if found is not None:
            self.pos = found.end()
        return found

    def _schedules(self) -> list[Schedule] | None:
        """Read "<days> <times>" at the cursor, or return None leaving the cursor where it was."""
        start = self.pos
        when = self._when()
        if when is not None:
            self._match(_BETWEEN_DAYS_AND_TIME)
            times = self._times()
            if times is not None:
                starts, ends = self._bounds()
                return [
                    self._schedule(when, week, *times, starts=starts, ends=ends)
                    for week in when.weeks or (None,)
                ]
        self.pos = start
        return None

    def _when(self) -> _When | None:
        if found := self._match(_MONTHLY):
            weeks = tuple(_WEEKS[word] for word in re.findall(_WEEK, found["weeks"]))
            if len(set(weeks)) != len(weeks):
                raise _NotSure
            return _When(Frequency.MONTHLY_BY_WEEKDAY, (_weekday(found["day"]),), weeks)
        if found := self._match(_MONTHLY_BY_DATE):
            day = int(found["day"])
            if not 1 <= day <= 31:
                raise _NotSure
            return _When(Frequency.MONTHLY_BY_DATE, (), day_of_month=day)
        if found := self._match(_FORTNIGHTLY):
            return _When(Frequency.FORTNIGHTLY, _days(found["days"], every=True))
        if self._match(_EVERY_DAY):
            return _When(Frequency.WEEKLY, tuple(Weekday))
        if self._match(_WEEKDAYS):
            return _When(Frequency.WEEKLY, tuple(Weekday)[:5])
        if self._match(_WEEKENDS):
            return _When(Frequency.WEEKLY, (Weekday.SA, Weekday.SU))
        if found := self._match(_DAYS):
            return _When(Frequency.WEEKLY, _days(found["days"], every=bool(found["every"])))
        return None

    def _times(self) -> tuple[dt.time, dt.time | None] | None:
        start = self._match(_TIME)
        if start is None:
            return None
        before_end = self.pos
        end = self._match(_TIME) if self._match(_UNTIL) else None
        if end is None:
            self.pos = before_end
            return _clock(start, None), None
        return _range(start, end)

    def _bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """Read ", from 9 December 2026" and ", until 1 July 2027" after the times, if there."""
        bounds: dict[str, dt.date] = {}
        while found := self._match(_BOUND):
            if found["bound"] in bounds:
                raise _NotSure
            month = _MONTHS.index(found["month"]) + 1
            try:
                bounds[found["bound"]] = dt.date(int(found["year"]), month, int(found["day"]))
            except ValueError:
                raise _NotSure from None
        return bounds.get("from"), bounds.get("until")

    def _qualifier(self) -> str:
        found = self._match(_PIECE)
        if found is None or not _QUALIFIER.fullmatch(found.group().strip()):
            raise _NotSure
        note = self.original[found.start() : found.end()].strip()
        return note[4:] if note.lower().startswith("and ") else note

    def _schedule(
        self,
        when: _When,
        week: int | None,
        start_time: dt.time,
        end_time: dt.time | None,
        *,
        starts: dt.date | None,
        ends: dt.date | None,
    ) -> Schedule:
        """Return the schedule, starting on its first session on or after its stated first
        date, or today: for every other week, that first session fixes which weeks."""
        first = _first_day(when, week, starts or self.today)
        if ends is not None and ends < first:
            raise _NotSure
        return Schedule(
            frequency=when.frequency,
            weekdays=when.weekdays,
            start_time=start_time,
            end_time=end_time,
            starts_on=first,
            ends_on=ends,
            week_of_month=week,
            day_of_month=when.day_of_month,
        )


def _first_day(when: _When, week: int | None, start: dt.date) -> dt.date:
    """Return the first day on or after ``start`` that the schedule meets on.

    Worked out directly rather than by expanding the rule: an import reads many patterns."""
    if when.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY):
        days = {day.number for day in when.weekdays}
        return start + dt.timedelta(next(n for n in range(7) if (start.weekday() + n) % 7 in days))
    year, month = start.year, start.month
    for _ in range(13):
        day = _day_in_month(when, week, year, month)
        if day is not None and day >= start:
            return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise _NotSure


def _day_in_month(when: _When, week: int | None, year: int, month: int) -> dt.date | None:
    """Return the day of this month a monthly schedule meets on, or None if it has none."""
    length = calendar.monthrange(year, month)[1]
    if when.frequency is Frequency.MONTHLY_BY_DATE:
        number = when.day_of_month or 1
        return dt.date(year, month, number) if number <= length else None
    weekday = when.weekdays[0].number
    if week == -1:
        last = dt.date(year, month, length)
        return last - dt.timedelta((last.weekday() - weekday) % 7)
    first = dt.date(year, month, 1)
    return first + dt.timedelta((weekday - first.weekday()) % 7 + 7 * ((week or 1) - 1))


def _weekday(word: str) -> Weekday:
    name = word.strip()
    return _DAY_NAMES[name] if name in _DAY_NAMES else _DAY_NAMES[name[:-1]]


def _days(words: str, *, every: bool) -> tuple[Weekday, ...]:
    """Return the days a list such as "Mondays and Thursdays" or "Tue–Sat" names, in week
    order. A lone full name with no "every" ("Tuesday 7pm") might be one date: not sure."""
    days: list[Weekday] = []
    for item in _ONE_DAY.finditer(words):
        first, last = _weekday(item["first"]), item["last"]
        if last is None:
            if not every and item["first"] in _FULL_NAMES:
                raise _NotSure
            days.append(first)
            continue
        end = _weekday(last)
        span = (end.number - first.number) % 7
        days += [list(Weekday)[(first.number + n) % 7] for n in range(span + 1)]
    if len(set(days)) != len(days):
        raise _NotSure
    return tuple(sorted(days, key=lambda day: day.number))


def _clock(found: re.Match[str], half: str | None) -> dt.time:
    """Return the time a match says, with ``half`` ("am"/"pm") when the match has none."""
    word = found["word"]
    if word:
        return dt.time(0, 0) if word == "midnight" else dt.time(12, 0)
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = found["half"] or half
    if minute > 59:
        raise _NotSure
    if half is None:
        # Only a two-digit hour with minutes reads as a 24-hour clock: "19:30", "09:15".
        if len(found["hour"]) != 2 or found["minute"] is None or hour > 23:
            raise _NotSure
        return dt.time(hour, minute)
    if not 1 <= hour <= 12:
        raise _NotSure
    return dt.time(hour % 12 + (12 if half == "pm" else 0), minute)


def _range(start: re.Match[str], end: re.Match[str]) -> tuple[dt.time, dt.time]:
    """Return a start and end time: "6–8pm" is 6pm to 8pm, "11–1pm" 11am to 1pm."""
    if start["half"] or start["word"] or not end["half"]:
        # Both say am or pm, or both are 24-hour; a start with no half needs the end's.
        if (start["half"] is None) != (end["half"] is None) and not (start["word"] or end["word"]):
            raise _NotSure
        opens, closes = _clock(start, None), _clock(end, None)
    else:
        closes = _clock(end, None)
        opens = _clock(start, end["half"])
        if opens >= closes:
            opens = _clock(start, "am" if end["half"] == "pm" else "pm")
    if opens == closes or (opens > closes and not (start["half"] and end["half"])):
        raise _NotSure
    return opens, closes
