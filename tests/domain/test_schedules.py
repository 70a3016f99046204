"""Schedules against calendars worked out by hand: which dates, at what time, in which words."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetmap.domain.errors import ValidationError
from assetmap.domain.schedules import (
    CANCELLED_MAX,
    WEEKS_OF_MONTH,
    Frequency,
    Schedule,
    Weekday,
    validate_schedule,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 1, 1)


def schedule(**raw: Any) -> Schedule:
    return validate_schedule({"start_time": "19:30", **raw}, today=TODAY)


def dates(item: Schedule, start: dt.date, end: dt.date) -> list[dt.date]:
    sessions = item.sessions_between(
        dt.datetime.combine(start, dt.time(), LONDON), dt.datetime.combine(end, dt.time(), LONDON)
    )
    return [session.starts.date() for session in sessions]


def utc(day: dt.date, item: Schedule) -> dt.datetime:
    (session,) = item.sessions_between(
        dt.datetime.combine(day, dt.time(), LONDON),
        dt.datetime.combine(day + dt.timedelta(1), dt.time(), LONDON),
    )
    return session.starts.astimezone(dt.UTC)


def test_first_friday_of_the_month_across_a_year() -> None:
    item = schedule(
        frequency="monthly-by-weekday", weekdays="FR", week_of_month=1, starts_on="2027-01-01"
    )
    assert dates(item, dt.date(2027, 1, 1), dt.date(2028, 1, 1)) == [
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 5),
        dt.date(2027, 3, 5),
        dt.date(2027, 4, 2),
        dt.date(2027, 5, 7),
        dt.date(2027, 6, 4),
        dt.date(2027, 7, 2),
        dt.date(2027, 8, 6),
        dt.date(2027, 9, 3),
        dt.date(2027, 10, 1),
        dt.date(2027, 11, 5),
        dt.date(2027, 12, 3),
    ]


def test_last_thursday_of_the_month() -> None:
    item = schedule(
        frequency="monthly-by-weekday", weekdays="TH", week_of_month=-1, starts_on="2026-01-01"
    )
    assert [day.day for day in dates(item, dt.date(2026, 1, 1), dt.date(2027, 1, 1))] == [
        29,
        26,
        26,
        30,
        28,
        25,
        30,
        27,
        24,
        29,
        26,
        31,
    ]


def test_every_other_wednesday_counts_from_its_first_date() -> None:
    item = schedule(frequency="fortnightly", weekdays="WE", starts_on="2026-01-07")
    assert dates(item, dt.date(2026, 1, 1), dt.date(2026, 3, 10)) == [
        dt.date(2026, 1, 7),
        dt.date(2026, 1, 21),
        dt.date(2026, 2, 4),
        dt.date(2026, 2, 18),
        dt.date(2026, 3, 4),
    ]


def test_every_other_week_starts_on_the_first_session_on_or_after_its_first_date() -> None:
    item = schedule(frequency="fortnightly", weekdays="MO", starts_on="2027-01-06")
    assert item.starts_on == dt.date(2027, 1, 11)
    assert dates(item, dt.date(2027, 1, 1), dt.date(2027, 2, 9)) == [
        dt.date(2027, 1, 11),
        dt.date(2027, 1, 25),
        dt.date(2027, 2, 8),
    ]
    assert item.first_session() is not None
    assert item.first_session().starts.date() == dt.date(2027, 1, 11)  # type: ignore[union-attr]


def test_a_cancelled_date_is_left_out() -> None:
    item = schedule(
        frequency="weekly", weekdays="MO", starts_on="2026-12-07", cancelled="2026-12-28"
    )
    assert dates(item, dt.date(2026, 12, 1), dt.date(2027, 1, 12)) == [
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 14),
        dt.date(2026, 12, 21),
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 11),
    ]
    assert item.cancelled_in_words() == "Not on 28 December 2026"
    assert item.cancelled_in_words(today=dt.date(2027, 1, 1)) == ""


def test_the_31st_skips_months_without_one() -> None:
    item = schedule(frequency="monthly-by-date", day_of_month=31, starts_on="2026-01-01")
    assert [day.month for day in dates(item, dt.date(2026, 1, 1), dt.date(2027, 1, 1))] == [
        1,
        3,
        5,
        7,
        8,
        10,
        12,
    ]


def test_the_last_date_is_the_last_session() -> None:
    item = schedule(frequency="weekly", weekdays="FR", starts_on="2026-01-02", ends_on="2026-01-23")
    assert dates(item, dt.date(2026, 1, 1), dt.date(2026, 3, 1)) == [
        dt.date(2026, 1, 2),
        dt.date(2026, 1, 9),
        dt.date(2026, 1, 16),
        dt.date(2026, 1, 23),
    ]
    assert item.next_session(dt.datetime(2026, 1, 24, tzinfo=dt.UTC)) is None


def test_half_past_seven_is_1930_utc_in_winter_and_1830_utc_in_summer() -> None:
    item = schedule(frequency="weekly", weekdays="FR", starts_on="2026-01-02")
    assert utc(dt.date(2026, 1, 9), item) == dt.datetime(2026, 1, 9, 19, 30, tzinfo=dt.UTC)
    assert utc(dt.date(2026, 7, 10), item) == dt.datetime(2026, 7, 10, 18, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # The clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026.
        (dt.date(2026, 3, 22), dt.date(2026, 3, 29)),
        (dt.date(2026, 10, 18), dt.date(2026, 10, 25)),
    ],
)
def test_sessions_keep_their_local_time_when_the_clocks_change(
    before: dt.date, after: dt.date
) -> None:
    item = schedule(frequency="weekly", weekdays="SU", starts_on="2026-01-04", end_time="21:00")
    sessions = item.sessions_between(
        dt.datetime.combine(before, dt.time(), LONDON),
        dt.datetime.combine(after + dt.timedelta(1), dt.time(), LONDON),
    )
    assert [s.starts.date() for s in sessions] == [before, after]
    assert {
        (s.starts.astimezone(LONDON).time(), s.ends.astimezone(LONDON).time())
        for s in sessions
        if s.ends
    } == {(dt.time(19, 30), dt.time(21, 0))}
    gap = sessions[1].starts.astimezone(dt.UTC) - sessions[0].starts.astimezone(dt.UTC)
    assert gap == dt.timedelta(days=7, hours=-1 if after.month == 3 else 1)


def test_a_session_ending_before_it_starts_ends_the_next_day() -> None:
    item = schedule(
        frequency="weekly",
        weekdays="SA",
        starts_on="2026-01-03",
        start_time="20:00",
        end_time="01:00",
    )
    session = item.next_session(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert session is not None and session.ends is not None
    assert session.ends.astimezone(LONDON) == dt.datetime(2026, 1, 4, 1, 0, tzinfo=LONDON)
    assert item.describe() == "Every Saturday, 8pm to 1am"


def test_sessions_between_keeps_start_and_leaves_out_end() -> None:
    item = schedule(frequency="weekly", weekdays="FR", starts_on="2026-01-02")
    start = dt.datetime(2026, 1, 9, 19, 30, tzinfo=LONDON)
    assert [s.starts for s in item.sessions_between(start, start + dt.timedelta(days=7))] == [start]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            {"frequency": "weekly", "weekdays": "MO", "end_time": "22:00", "start_time": "20:00"},
            "Every Monday, 8pm to 10pm",
        ),
        ({"frequency": "weekly", "weekdays": "TU,TH"}, "Every Tuesday and Thursday, 7.30pm"),
        (
            {
                "frequency": "weekly",
                "weekdays": "MO,TU,WE,TH,FR",
                "start_time": "09:00",
                "end_time": "17:00",
            },
            "Every weekday, 9am to 5pm",
        ),
        (
            {
                "frequency": "weekly",
                "weekdays": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                "start_time": "12:00",
            },
            "Every day, midday",
        ),
        (
            {"frequency": "weekly", "weekdays": "MO,TU,WE,TH,FR,SA", "start_time": "09:00"},
            "Monday to Saturday, 9am",
        ),
        (
            {"frequency": "weekly", "weekdays": "MO,WE,FR", "start_time": "09:00"},
            "Every Monday, Wednesday and Friday, 9am",
        ),
        (
            {"frequency": "fortnightly", "weekdays": "TU,WE,TH", "starts_on": "2026-01-06"},
            "Every other Tuesday, Wednesday and Thursday, 7.30pm, from 6 January 2026",
        ),
        (
            {"frequency": "fortnightly", "weekdays": "WE", "starts_on": "2026-01-07"},
            "Every other Wednesday, 7.30pm, from 7 January 2026",
        ),
        (
            {
                "frequency": "monthly-by-weekday",
                "weekdays": "FR",
                "week_of_month": 1,
                "end_time": "21:00",
            },
            "First Friday of the month, 7.30pm to 9pm",
        ),
        (
            {
                "frequency": "monthly-by-weekday",
                "weekdays": "TH",
                "week_of_month": -1,
                "start_time": "18:30",
            },
            "Last Thursday of the month, 6.30pm",
        ),
        (
            {"frequency": "monthly-by-date", "day_of_month": 22, "ends_on": "2026-06-30"},
            "The 22nd of every month, 7.30pm, until 30 June 2026",
        ),
    ],
)
def test_describe_says_each_frequency_in_words(raw: dict[str, Any], words: str) -> None:
    assert schedule(**raw).describe(today=TODAY) == words


def test_describe_says_when_a_schedule_starts_in_the_future() -> None:
    item = schedule(frequency="weekly", weekdays="MO", starts_on="2026-03-02")
    assert item.describe(today=TODAY) == "Every Monday, 7.30pm, from 2 March 2026"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"frequency": "daily", "weekdays": "MO"}, "frequency"),
        ({"frequency": "weekly", "weekdays": "XX"}, "weekdays"),
        ({"frequency": "weekly", "weekdays": ""}, "weekdays"),
        ({"frequency": "monthly-by-weekday", "weekdays": "MO,TU", "week_of_month": 1}, "weekdays"),
        (
            {"frequency": "monthly-by-weekday", "weekdays": "MO", "week_of_month": 5},
            "week_of_month",
        ),
        ({"frequency": "monthly-by-date", "day_of_month": 32}, "day_of_month"),
        ({"frequency": "monthly-by-date", "day_of_month": "the 3rd"}, "day_of_month"),
        ({"frequency": "weekly", "weekdays": "MO", "start_time": ""}, "start_time"),
        ({"frequency": "weekly", "weekdays": "MO", "start_time": "25:00"}, "start_time"),
        ({"frequency": "weekly", "weekdays": "MO", "start_time": "19:30:15"}, "start_time"),
        ({"frequency": "weekly", "weekdays": "MO", "end_time": "7.30pm"}, "end_time"),
        ({"frequency": "weekly", "weekdays": "MO", "starts_on": "2026-02-30"}, "starts_on"),
        (
            {
                "frequency": "weekly",
                "weekdays": "MO",
                "starts_on": "2026-03-01",
                "ends_on": "2026-02-01",
            },
            "ends_on",
        ),
        (
            {"frequency": "weekly", "weekdays": "MO", "cancelled": "2026-12-25 Christmas"},
            "cancelled",
        ),
        ({"frequency": "weekly", "weekdays": "MO", "timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_validation_names_the_field_at_fault(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        schedule(**raw)
    assert field in refused.value.errors


def test_validation_refuses_too_many_cancelled_dates() -> None:
    days = [dt.date(2026, 1, 5) + dt.timedelta(weeks=n) for n in range(CANCELLED_MAX + 1)]
    with pytest.raises(ValidationError) as refused:
        schedule(frequency="weekly", weekdays="MO", cancelled=days)
    assert set(refused.value.errors) == {"cancelled"}


def test_validation_reads_seconds_of_zero_and_a_full_stop() -> None:
    item = schedule(frequency="weekly", weekdays="MO", start_time="19:30:00", end_time="21.15")
    assert (item.start_time, item.end_time) == (dt.time(19, 30), dt.time(21, 15))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    frequency = draw(st.sampled_from(Frequency))
    days = draw(st.lists(st.sampled_from(Weekday), min_size=1, max_size=7, unique=True))
    starts_on = draw(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)))
    ends_on = draw(st.none() | st.integers(0, 2000).map(lambda n: starts_on + dt.timedelta(n)))
    raw = {
        "frequency": frequency.value,
        "weekdays": days[:1] if frequency is Frequency.MONTHLY_BY_WEEKDAY else days,
        "week_of_month": draw(st.sampled_from(list(WEEKS_OF_MONTH))),
        "day_of_month": draw(st.integers(1, 31)),
        "start_time": draw(st.times()).replace(second=0, microsecond=0),
        "end_time": draw(st.none() | st.times().map(lambda t: t.replace(second=0, microsecond=0))),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "cancelled": draw(
            st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)), max_size=5)
        ),
    }
    return validate_schedule(raw, today=TODAY)


@given(schedules())
def test_a_schedule_reads_back_from_its_rule(item: Schedule) -> None:
    read = Schedule.from_rule(
        item.rule(),
        start_time=item.start_time,
        end_time=item.end_time,
        starts_on=item.starts_on,
        cancelled=item.cancelled,
        timezone=item.timezone,
    )
    assert read == item


@given(schedules())
def test_every_session_falls_on_a_day_the_schedule_names(item: Schedule) -> None:
    start = dt.datetime.combine(item.starts_on, dt.time(), LONDON)
    for session in item.sessions_between(start, start + dt.timedelta(days=120)):
        day = session.starts.date()
        assert day >= item.starts_on and day not in item.cancelled
        assert item.ends_on is None or day <= item.ends_on
        assert session.starts.time() == item.start_time
        if item.frequency is Frequency.MONTHLY_BY_DATE:
            assert day.day == item.day_of_month
        else:
            assert Weekday.__members__[day.strftime("%a")[:2].upper()] in item.weekdays


def test_from_rule_refuses_what_a_plain_schedule_cannot_say() -> None:
    for rule in (
        "FREQ=YEARLY",
        "FREQ=WEEKLY;COUNT=3",
        "FREQ=MONTHLY;BYDAY=1MO,3MO",
        "FREQ=WEEKLY;INTERVAL=3",
    ):
        with pytest.raises(ValueError):
            Schedule.from_rule(rule, start_time=dt.time(19), starts_on=TODAY)


# -- the sessions are the rule's: day-by-day against dateutil's expansion of rule() -------------

_RULE_SCHEDULES = st.builds(
    dict,
    frequency=st.sampled_from(["weekly", "fortnightly", "monthly-by-weekday", "monthly-by-date"]),
    weekdays=st.lists(
        st.sampled_from(list(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])), min_size=1
    ),
    week_of_month=st.sampled_from([1, 2, 3, 4, -1]),
    day_of_month=st.integers(1, 31),
    start_time=st.sampled_from(["00:00", "01:30", "09:00", "19:30", "23:45"]),
    starts_on=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ends_on=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31))),
    cancelled=st.lists(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), max_size=4),
)


def _by_dateutil(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The reference: dateutil expanding the stored RRULE (its UNTIL in UTC, so on aware times),
    EXDATEs left out, the first session being DTSTART as RFC 5545 counts it."""
    from dateutil import rrule

    first = dt.datetime.combine(schedule.starts_on, schedule.start_time, schedule.zone)
    found = rrule.rrulestr(schedule.rule(), dtstart=first).between(start, end, inc=True)
    cancelled = set(schedule.cancelled)
    return [when for when in found if when < end and when.date() not in cancelled]


@given(raw=_RULE_SCHEDULES, offset=st.integers(0, 800), days=st.integers(1, 60))
def test_sessions_are_the_ones_the_stored_rule_gives(
    raw: dict[str, Any], offset: int, days: int
) -> None:
    if raw["ends_on"] is not None and raw["ends_on"] < raw["starts_on"]:
        raw["ends_on"] = None
    if raw["frequency"] == "monthly-by-weekday":
        raw["weekdays"] = raw["weekdays"][:1]
    made = schedule(**raw)
    zone = ZoneInfo("Europe/London")
    start = dt.datetime.combine(dt.date(2025, 1, 1) + dt.timedelta(days=offset), dt.time(6), zone)
    end = start + dt.timedelta(days=days)
    ours = [found.starts for found in made.sessions_between(start, end)]
    assert ours == _by_dateutil(made, start, end)
