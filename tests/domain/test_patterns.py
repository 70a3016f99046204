from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from assetmap.domain.patterns import parse_pattern, pattern_in_words
from assetmap.domain.schedules import Frequency, Schedule
from assetmap.domain.vocab import Kind

# A Monday. Every other week counts from the first such day on or after it.
TODAY = dt.date(2026, 12, 7)
LONDON = ZoneInfo("Europe/London")
# January 2027, worked by hand: the 1st is a Friday.
MONDAYS = [4, 11, 18, 25]
TUESDAYS = [5, 12, 19, 26]
WEDNESDAYS = [6, 13, 20, 27]
THURSDAYS = [7, 14, 21, 28]
FRIDAYS = [1, 8, 15, 22, 29]
SATURDAYS = [2, 9, 16, 23, 30]
SUNDAYS = [3, 10, 17, 24, 31]
WEEKDAYS = sorted(MONDAYS + TUESDAYS + WEDNESDAYS + THURSDAYS + FRIDAYS)
EVERY_DAY = list(range(1, 32))

GROUP, SPACE = Kind.GROUP, Kind.SPACE

# The demo's own strings: (text, kind, in words, note, January's session days, start, end).
DEMO = [
    ("Tuesdays 12–2pm", GROUP, "Every Tuesday, midday to 2pm", "", TUESDAYS, "12:00", "14:00"),
    (
        "Mondays and Thursdays 6–8pm",
        GROUP,
        "Every Monday and Thursday, 6pm to 8pm",
        "",
        sorted(MONDAYS + THURSDAYS),
        "18:00",
        "20:00",
    ),
    (
        "First Friday of the month, 7.30pm",
        GROUP,
        "First Friday of the month, 7.30pm",
        "",
        [1],
        "19:30",
        None,
    ),
    (
        "Last Thursday of the month, 6.30pm",
        GROUP,
        "Last Thursday of the month, 6.30pm",
        "",
        [28],
        "18:30",
        None,
    ),
    (
        "Every other Wednesday, 7.30pm",
        GROUP,
        "Every other Wednesday, 7.30pm, from 9 December 2026",
        "",
        [6, 20],
        "19:30",
        None,
    ),
    (
        "Alternate Mondays, 7pm",
        GROUP,
        "Every other Monday, 7pm, from 7 December 2026",
        "",
        [4, 18],
        "19:00",
        None,
    ),
    ("Every Tuesday 7–10pm", GROUP, "Every Tuesday, 7pm to 10pm", "", TUESDAYS, "19:00", "22:00"),
    (
        "Second Saturday of the month, 10am–1pm",
        GROUP,
        "Second Saturday of the month, 10am to 1pm",
        "",
        [9],
        "10:00",
        "13:00",
    ),
    (
        "Fourth Tuesday of the month, 2–4pm",
        GROUP,
        "Fourth Tuesday of the month, 2pm to 4pm",
        "",
        [26],
        "14:00",
        "16:00",
    ),
    (
        "Last Sunday of the month, 10am–12pm",
        GROUP,
        "Last Sunday of the month, 10am to midday",
        "",
        [31],
        "10:00",
        "12:00",
    ),
    ("Mondays 10.30–11am", GROUP, "Every Monday, 10.30am to 11am", "", MONDAYS, "10:30", "11:00"),
    (
        "Thursdays 12–2.30pm",
        GROUP,
        "Every Thursday, midday to 2.30pm",
        "",
        THURSDAYS,
        "12:00",
        "14:30",
    ),
    (
        "Tuesdays and Thursdays 6.30pm",
        GROUP,
        "Every Tuesday and Thursday, 6.30pm",
        "",
        sorted(TUESDAYS + THURSDAYS),
        "18:30",
        None,
    ),
    (
        "Saturdays 10am–1pm, term time",
        GROUP,
        "Every Saturday, 10am to 1pm",
        "term time",
        SATURDAYS,
        "10:00",
        "13:00",
    ),
    (
        "Weekdays 7.45–8.45am, term time",
        GROUP,
        "Every weekday, 7.45am to 8.45am",
        "term time",
        WEEKDAYS,
        "07:45",
        "08:45",
    ),
    (
        "Wednesdays 9.30am, after school drop-off",
        GROUP,
        "Every Wednesday, 9.30am",
        "after school drop-off",
        WEDNESDAYS,
        "09:30",
        None,
    ),
    ("Weekdays 9am–5pm", SPACE, "Every weekday, 9am to 5pm", "", WEEKDAYS, "09:00", "17:00"),
    (
        "Mon–Sat 9am–10pm",
        SPACE,
        "Monday to Saturday, 9am to 10pm",
        "",
        [day for day in EVERY_DAY if day not in SUNDAYS],
        "09:00",
        "22:00",
    ),
    (
        "Tue–Sat 10am–5pm",
        SPACE,
        "Tuesday to Saturday, 10am to 5pm",
        "",
        [day for day in EVERY_DAY if day not in SUNDAYS + MONDAYS],
        "10:00",
        "17:00",
    ),
    ("Daily 8am–10pm", SPACE, "Every day, 8am to 10pm", "", EVERY_DAY, "08:00", "22:00"),
    ("Every day, 9am–7pm", SPACE, "Every day, 9am to 7pm", "", EVERY_DAY, "09:00", "19:00"),
    (
        "Wednesdays and Saturdays, 10am–1pm",
        GROUP,
        "Every Wednesday and Saturday, 10am to 1pm",
        "",
        sorted(WEDNESDAYS + SATURDAYS),
        "10:00",
        "13:00",
    ),
    (
        "Wednesdays and Saturdays 10am–1pm, and by arrangement",
        SPACE,
        "Every Wednesday and Saturday, 10am to 1pm",
        "by arrangement",
        sorted(WEDNESDAYS + SATURDAYS),
        "10:00",
        "13:00",
    ),
    (
        "Tue and Fri 10am–3pm; other times by arrangement",
        SPACE,
        "Every Tuesday and Friday, 10am to 3pm",
        "other times by arrangement",
        sorted(TUESDAYS + FRIDAYS),
        "10:00",
        "15:00",
    ),
    (
        "Weekdays 9am–9pm; weekends by arrangement",
        SPACE,
        "Every weekday, 9am to 9pm",
        "weekends by arrangement",
        WEEKDAYS,
        "09:00",
        "21:00",
    ),
    (
        "Weekdays 9am–5pm, some evenings",
        SPACE,
        "Every weekday, 9am to 5pm",
        "some evenings",
        WEEKDAYS,
        "09:00",
        "17:00",
    ),
]

# The demo's strings that must stay notes, whole.
UNREAD = [
    ("By arrangement", SPACE),
    ("Home match days", GROUP),
    ("Quarterly, Sunday afternoons", GROUP),
    ("Daily, dawn to dusk", SPACE),
    ("Library opening hours; bookable in advance", SPACE),
    ("Sunday evenings from 8pm", GROUP),
    ("Monthly coffee meet-up, Saturdays 10am", GROUP),
    ("Saturdays 11am, April to October", GROUP),
    ("Committee meets first Monday, 7pm; plot days at weekends", GROUP),
    ("Daily", SPACE),
    ("Mon–Thu evenings", SPACE),
    ("Daily from noon, by arrangement", SPACE),
    ("Always open", SPACE),
    ("Seasonal meet-ups, weekends", GROUP),
    ("Monthly, weekday evenings", GROUP),
    ("Daily check-ins, rota shared monthly", GROUP),
    ("Wednesday and Saturday afternoons, May to September", GROUP),
    ("Weekday evenings, term time", SPACE),
]


def _january(schedule: Schedule) -> list[tuple[int, str, str | None]]:
    sessions = schedule.sessions_between(
        dt.datetime(2027, 1, 1, tzinfo=LONDON), dt.datetime(2027, 2, 1, tzinfo=LONDON)
    )
    return [
        (s.starts.day, f"{s.starts:%H:%M}", f"{s.ends:%H:%M}" if s.ends else None) for s in sessions
    ]


@pytest.mark.parametrize(("text", "kind", "words", "note", "days", "start", "end"), DEMO)
def test_a_demo_pattern_reads_as_its_schedule(
    text: str, kind: Kind, words: str, note: str, days: list[int], start: str, end: str | None
) -> None:
    schedules, kept = parse_pattern(text, kind=kind, today=TODAY)
    assert [schedule.describe() for schedule in schedules] == [words]
    assert kept == note
    assert _january(schedules[0]) == [(day, start, end) for day in days]


@pytest.mark.parametrize(("text", "kind"), UNREAD)
def test_a_pattern_it_cannot_be_sure_of_stays_a_note_whole(text: str, kind: Kind) -> None:
    assert parse_pattern(text, kind=kind, today=TODAY) == ([], text)


@pytest.mark.parametrize(
    "text",
    [
        "Tuesdays 12–2pm",
        "Tuesdays 12-2pm",
        "Tuesdays 12 to 2pm",
        "Tuesdays 12pm–2pm",
        "Tuesdays midday to 2pm",
        "Tuesdays noon – 2pm",
        "tuesdays 12—2PM",
        "Every Tuesday, 12–2pm",
        "Tuesdays at 12–2pm",
        "Meets on Tuesdays 12–2pm",
        "Tuesdays  12–2pm.",
    ],
)
def test_the_ways_people_write_a_time_range_read_alike(text: str) -> None:
    schedules, note = parse_pattern(text, kind=GROUP, today=TODAY)
    assert [s.describe() for s in schedules] == ["Every Tuesday, midday to 2pm"]
    assert note == ""


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Mondays 7.30pm", dt.time(19, 30), None),
        ("Mondays 7:30pm", dt.time(19, 30), None),
        ("Mondays 19:30", dt.time(19, 30), None),
        ("Mondays 19:30–21:00", dt.time(19, 30), dt.time(21)),
        ("Mondays 09:15", dt.time(9, 15), None),
        ("Mondays 11–1pm", dt.time(11), dt.time(13)),
        ("Mondays 8pm–1am", dt.time(20), dt.time(1)),
        ("Mondays 10am–midday", dt.time(10), dt.time(12)),
    ],
)
def test_times_read_as_people_mean_them(text: str, start: dt.time, end: dt.time | None) -> None:
    schedules, _ = parse_pattern(text, kind=GROUP, today=TODAY)
    assert (schedules[0].start_time, schedules[0].end_time) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Mondays 7",  # morning or evening?
        "Mondays 7:30",
        "Mondays 7–9",
        "Fridays 10am–12",
        "Mondays 25pm",
        "Mondays 7.75pm",
        "Mondays 0930",
        "Mondays 21:00–19:00",
        "Mondays 7pm–7pm",
        "Tuesday 7pm",  # one Tuesday, or every one?
        "First Monday, 7pm",  # of the month, or of something else?
        "Every second Tuesday, 7pm",  # fortnightly, or the second of the month?
        "Mondays and Mondays 7pm",
        "Mondays 7pm, except bank holidays",
        "Mondays 7pm term time",
        "Term time: Mondays 7pm",
        "Mondays 7pm, until 1 January 2026",  # ended before today
        "Mondays 7pm, from 30 February 2027",
    ],
)
def test_text_it_is_not_sure_of_stays_a_note(text: str) -> None:
    assert parse_pattern(text, kind=GROUP, today=TODAY) == ([], text)


def test_several_sessions_in_one_text_each_become_a_schedule() -> None:
    schedules, note = parse_pattern(
        "Mon–Fri 9am–5pm, Sat 10am–1pm; other times by arrangement", kind=SPACE, today=TODAY
    )
    assert [s.describe() for s in schedules] == [
        "Every weekday, 9am to 5pm",
        "Every Saturday, 10am to 1pm",
    ]
    assert note == "other times by arrangement"


def test_first_and_third_of_the_month_is_two_schedules() -> None:
    schedules, _ = parse_pattern(
        "First and third Tuesdays of the month, 7pm", kind=GROUP, today=TODAY
    )
    assert [(s.frequency, s.week_of_month) for s in schedules] == [
        (Frequency.MONTHLY_BY_WEEKDAY, 1),
        (Frequency.MONTHLY_BY_WEEKDAY, 3),
    ]
    assert [day for s in schedules for day, _, _ in _january(s)] == [5, 19]


def test_a_monthly_date_reads_as_one() -> None:
    schedules, _ = parse_pattern("The 15th of every month, 7pm", kind=GROUP, today=TODAY)
    assert schedules[0].rule() == "FREQ=MONTHLY;BYMONTHDAY=15"
    assert _january(schedules[0]) == [(15, "19:00", None)]


def test_a_schedule_starts_on_its_first_session_on_or_after_today() -> None:
    first_friday, _ = parse_pattern("First Friday of the month, 7.30pm", kind=GROUP, today=TODAY)
    tuesdays, _ = parse_pattern("Tuesdays 12–2pm", kind=GROUP, today=TODAY)
    assert first_friday[0].starts_on == dt.date(2027, 1, 1)  # 4 December has gone
    assert tuesdays[0].starts_on == dt.date(2026, 12, 8)


def test_every_other_week_counts_from_a_first_date_it_is_given() -> None:
    schedules, _ = parse_pattern(
        "Every other Wednesday, 7.30pm, from 16 December 2026", kind=GROUP, today=TODAY
    )
    assert schedules[0].starts_on == dt.date(2026, 12, 16)
    assert [day for day, _, _ in _january(schedules[0])] == [13, 27]


def test_a_last_date_ends_the_schedule() -> None:
    schedules, _ = parse_pattern("Mondays 7pm, until 11 January 2027", kind=GROUP, today=TODAY)
    assert schedules[0].ends_on == dt.date(2027, 1, 11)
    assert [day for day, _, _ in _january(schedules[0])] == [4, 11]


def test_sessions_stay_at_their_wall_clock_time_when_the_clocks_change() -> None:
    schedules, _ = parse_pattern("Sundays 9–10am", kind=GROUP, today=TODAY)
    march = schedules[0].sessions_between(
        dt.datetime(2027, 3, 21, tzinfo=LONDON), dt.datetime(2027, 4, 1, tzinfo=LONDON)
    )
    assert [(s.starts.day, s.starts.hour, s.starts.utcoffset()) for s in march] == [
        (21, 9, dt.timedelta(0)),
        (28, 9, dt.timedelta(hours=1)),
    ]


def test_a_group_may_say_meets_and_a_space_open() -> None:
    assert parse_pattern("Meets Tuesdays 7pm", kind=GROUP, today=TODAY)[1] == ""
    assert parse_pattern("Open daily 9am–5pm", kind=SPACE, today=TODAY)[1] == ""
    assert parse_pattern("Open daily 9am–5pm", kind=GROUP, today=TODAY)[0] == []


def test_words_written_back_read_as_the_same_schedules() -> None:
    for text, kind, *_ in DEMO:
        schedules, note = parse_pattern(text, kind=kind, today=TODAY)
        again = parse_pattern(pattern_in_words(schedules, note), kind=kind, today=TODAY)
        assert again == (schedules, note), text


def test_words_written_back_put_the_note_last() -> None:
    schedules, note = parse_pattern("Saturdays 10am–1pm, term time", kind=GROUP, today=TODAY)
    assert pattern_in_words(schedules, note) == "Every Saturday, 10am to 1pm; term time"
    assert pattern_in_words([], "By arrangement") == "By arrangement"


def test_empty_text_has_no_schedule_and_no_note() -> None:
    assert parse_pattern("", kind=GROUP, today=TODAY) == ([], "")
    assert parse_pattern(None, kind=GROUP, today=TODAY) == ([], "")
    assert parse_pattern("   ", kind=SPACE, today=TODAY) == ([], "")


def test_a_note_keeps_the_words_as_written_but_with_spaces_tidied() -> None:
    assert parse_pattern("  By   arrangement ", kind=SPACE, today=TODAY) == ([], "By arrangement")


def test_a_skill_has_no_schedule() -> None:
    with pytest.raises(ValueError, match="only a group or a space"):
        parse_pattern("Mondays 7pm", kind=Kind.SKILL, today=TODAY)


def test_more_sessions_than_a_strength_may_have_stay_a_note() -> None:
    text = "; ".join(f"Mondays {hour}pm" for hour in range(1, 10))
    assert parse_pattern(text, kind=GROUP, today=TODAY) == ([], text)


@pytest.mark.parametrize(
    "text",
    [
        "a " * 240 + "by arrangement x",
        "Mondays 7pm, " + "a" * 280,
        "Mondays and " * 40 + "7pm",
        "x" * 100_000,
    ],
)
def test_hostile_text_is_answered_quickly(text: str) -> None:
    started = time.perf_counter()
    parse_pattern(text, kind=GROUP, today=TODAY)
    assert time.perf_counter() - started < 0.5
