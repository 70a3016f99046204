from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar, Event, Timezone, vRecur

from assetmap.domain.schedules import CalendarEntry, Frequency, Schedule, Weekday, validate_schedule
from assetmap.exchange.calendars import (
    MAX_BYTES,
    MAX_EVENTS,
    CalendarError,
    read_calendar,
    write_calendar,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 9, 1)
YEAR = (dt.datetime(2026, 9, 1, tzinfo=dt.UTC), dt.datetime(2027, 9, 1, tzinfo=dt.UTC))


def schedule(**raw: Any) -> Schedule:
    return validate_schedule(raw, today=TODAY)


FIRST_FRIDAY = schedule(
    frequency="monthly-by-weekday",
    weekdays="FR",
    week_of_month=1,
    start_time="19:30",
    end_time="21:30",
    starts_on="2026-09-01",
)
FORTNIGHTLY = schedule(
    frequency="fortnightly", weekdays="TU", start_time="10:00", starts_on="2026-09-08"
)
# Every Monday evening, across both clock changes, but not on the Monday after Christmas.
MONDAYS = schedule(
    frequency="weekly",
    weekdays="MO",
    start_time="20:00",
    end_time="22:00",
    starts_on="2026-09-07",
    cancelled="2026-12-28",
)
LAST_SATURDAY_LATE = schedule(
    frequency="monthly-by-weekday",
    weekdays="SA",
    week_of_month=-1,
    start_time="21:00",
    end_time="01:00",
    starts_on="2026-09-01",
    ends_on="2027-06-30",
)
FIFTEENTH = schedule(
    frequency="monthly-by-date", day_of_month=15, start_time="14:00", starts_on="2026-09-01"
)
EVERY_KIND = [FIRST_FRIDAY, FORTNIGHTLY, MONDAYS, LAST_SATURDAY_LATE, FIFTEENTH]


def entry(item: Schedule, number: int = 0, **values: Any) -> CalendarEntry:
    fields: dict[str, Any] = {
        "uid": f"asset-7-session-{number}@assetmap.example",
        "title": "Frome community choir",
        "description": "Everyone welcome.",
        "url": "https://assetmap.example/assets/7",
        "schedule": item,
        "location": "St John's church hall",
        "lon": -2.3213,
        "lat": 51.2296,
        "updated": dt.datetime(2026, 8, 1, 9, 30),
    }
    return CalendarEntry(**(fields | values))


def written(*items: Schedule, **values: Any) -> Calendar:
    data = write_calendar([entry(item, n, **values) for n, item in enumerate(items)], name="Choir")
    return Calendar.from_ical(data)


def expanded(calendar: Calendar) -> list[tuple[str, dt.datetime, dt.datetime]]:
    occurrences = recurring_ical_events.of(calendar).between(*YEAR)
    return sorted((str(event["UID"]), event.start, event.end) for event in occurrences)


def expected(items: Iterable[Schedule]) -> list[tuple[str, dt.datetime, dt.datetime]]:
    # An event with no end ends as it starts (RFC 5545 3.6.1).
    return sorted(
        (f"asset-7-session-{n}@assetmap.example", session.starts, session.ends or session.starts)
        for n, item in enumerate(items)
        for session in item.sessions_between(*YEAR)
    )


# -- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("item", EVERY_KIND, ids=lambda item: item.describe())
def test_each_kind_of_schedule_expands_to_the_same_sessions_as_the_schedule(
    item: Schedule,
) -> None:
    calendar = written(item)
    assert expanded(calendar) == expected([item])
    assert expanded(calendar)


def test_a_calendar_of_several_schedules_expands_to_all_their_sessions() -> None:
    assert expanded(written(*EVERY_KIND)) == expected(EVERY_KIND)


def test_the_first_friday_falls_on_the_first_friday_of_each_month() -> None:
    starts = [start for _uid, start, _end in expanded(written(FIRST_FRIDAY))]
    assert [start.date() for start in starts[:4]] == [
        dt.date(2026, 9, 4),
        dt.date(2026, 10, 2),
        dt.date(2026, 11, 6),
        dt.date(2026, 12, 4),
    ]


def test_fortnightly_sessions_are_two_weeks_apart_from_the_first_date() -> None:
    starts = [start.date() for _uid, start, _end in expanded(written(FORTNIGHTLY))]
    assert starts[:3] == [dt.date(2026, 9, 8), dt.date(2026, 9, 22), dt.date(2026, 10, 6)]
    assert {(b - a).days for a, b in zip(starts, starts[1:], strict=False)} == {14}


def test_a_cancelled_date_is_left_out_of_the_calendar() -> None:
    days = {start.date() for _uid, start, _end in expanded(written(MONDAYS))}
    assert dt.date(2026, 12, 21) in days
    assert dt.date(2026, 12, 28) not in days
    assert dt.date(2027, 1, 4) in days


def test_sessions_keep_their_clock_time_when_the_clocks_change() -> None:
    sessions = expanded(written(MONDAYS))
    by_day = {start.date(): start for _uid, start, _end in sessions}
    summer, winter = by_day[dt.date(2026, 10, 19)], by_day[dt.date(2026, 11, 2)]
    assert summer.astimezone(LONDON).time() == winter.astimezone(LONDON).time() == dt.time(20)
    assert summer.utcoffset() == dt.timedelta(hours=1)
    assert winter.utcoffset() == dt.timedelta(0)
    spring = by_day[dt.date(2027, 3, 29)]
    assert spring.astimezone(dt.UTC).time() == dt.time(19)


def test_a_session_past_midnight_ends_the_next_day() -> None:
    _uid, start, end = expanded(written(LAST_SATURDAY_LATE))[0]
    assert start == dt.datetime(2026, 9, 26, 21, tzinfo=LONDON)
    assert end == dt.datetime(2026, 9, 27, 1, tzinfo=LONDON)


def test_the_calendar_names_itself_and_says_how_often_to_fetch_it() -> None:
    calendar = written(MONDAYS)
    assert str(calendar["PRODID"]) == "-//assetmap//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == "Choir"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(days=1)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(calendar["X-PUBLISHED-TTL"]) == "P1D"


def test_every_timezone_the_events_use_is_described() -> None:
    paris = schedule(
        frequency="weekly",
        weekdays="WE",
        start_time="18:00",
        starts_on="2026-09-02",
        timezone="Europe/Paris",
    )
    calendar = written(MONDAYS, paris)
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/London", "Europe/Paris"}
    assert calendar.get_missing_tzids() == set()


def test_an_event_carries_its_link_place_and_public_point() -> None:
    (event,) = written(MONDAYS).walk("VEVENT")
    assert str(event["UID"]) == "asset-7-session-0@assetmap.example"
    assert str(event["URL"]) == "https://assetmap.example/assets/7"
    assert str(event["LOCATION"]) == "St John's church hall"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (51.2296, -2.3213)
    assert "https://assetmap.example/assets/7" in str(event["DESCRIPTION"])
    assert "Every Monday, 8pm to 10pm" in str(event["DESCRIPTION"])
    assert event["LAST-MODIFIED"].dt == dt.datetime(2026, 8, 1, 9, 30, tzinfo=dt.UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["RRULE"] == vRecur.from_ical("FREQ=WEEKLY;BYDAY=MO")
    assert [when.dt for when in event["EXDATE"].dts] == [
        dt.datetime(2026, 12, 28, 20, tzinfo=LONDON)
    ]


def test_text_with_commas_semicolons_new_lines_and_markup_reads_back_unchanged() -> None:
    title = 'Knit, natter; "sew"\n</script><b>&amp;'
    (event,) = written(MONDAYS, title=title, location="Hall; room 2, upstairs").walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "Hall; room 2, upstairs"


def test_the_same_entries_give_the_same_bytes() -> None:
    entries = [entry(MONDAYS), entry(FIRST_FRIDAY, 1)]
    assert write_calendar(entries, name="Choir") == write_calendar(entries, name="Choir")


def test_a_schedule_with_no_session_left_gives_no_event() -> None:
    over = schedule(
        frequency="monthly-by-date",
        day_of_month=31,
        start_time="10:00",
        starts_on="2026-09-01",
        ends_on="2026-09-29",
    )
    assert written(over, MONDAYS).walk("VEVENT")[0]["UID"] == "asset-7-session-1@assetmap.example"
    assert len(written(over).walk("VEVENT")) == 0


# -- reading ----------------------------------------------------------------------------------


def test_a_calendar_written_here_reads_back_as_the_same_schedules() -> None:
    data = write_calendar([entry(item, n) for n, item in enumerate(EVERY_KIND)], name="Choir")
    reading = read_calendar(data, today=TODAY)
    assert reading.skipped == ()
    assert [found.summary for found in reading.found] == ["Frome community choir"] * 5
    for found, item in zip(reading.schedules, EVERY_KIND, strict=True):
        assert found.sessions_between(*YEAR) == item.sessions_between(*YEAR)
        assert found.rule() == item.rule()


def calendar_file(*events: Event, timezones: Iterable[Timezone] = (), **properties: str) -> bytes:
    calendar = Calendar.new(prodid="-//Google Inc//Google Calendar 70.9054//EN")
    for name, value in properties.items():
        calendar.add(name.replace("_", "-"), value)
    for timezone in timezones:
        calendar.add_component(timezone)
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def event(
    summary: str,
    start: dt.datetime | dt.date,
    rule: str | None = None,
    *,
    end: dt.datetime | None = None,
    uid: str | None = None,
    **more: Any,
) -> Event:
    made = Event.new(summary=summary, start=start, end=end, uid=uid or f"{summary}@example.com")
    if rule:
        made.add("RRULE", vRecur.from_ical(rule))
    for name, value in more.items():
        made.add(name.replace("_", "-"), value)
    return made


def london(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=LONDON)  # type: ignore[misc]


def test_a_google_calendar_gives_its_repeating_events_and_says_what_it_left_out() -> None:
    data = calendar_file(
        event(
            "Choir practice",
            london(2026, 9, 7, 20),
            "FREQ=WEEKLY;WKST=SU;BYDAY=MO",
            end=london(2026, 9, 7, 22),
            exdate=[london(2026, 12, 28, 20)],
        ),
        event("Summer fair", london(2027, 3, 3, 11), end=london(2027, 3, 3, 16)),
        event("Bank holiday outing", dt.date(2026, 9, 12), "FREQ=WEEKLY"),
        event("Annual general meeting", london(2026, 10, 1, 19), "FREQ=YEARLY"),
        event("Six-week course", london(2026, 9, 9, 18), "FREQ=WEEKLY;COUNT=6"),
        event(
            "Last weekday", london(2026, 9, 30, 9), "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        ),
        X_WR_TIMEZONE="Europe/London",
        X_WR_CALNAME="Frome choir",
    )
    reading = read_calendar(data, today=TODAY)
    assert reading.name == "Frome choir"
    ((summary, found),) = [(item.summary, item.schedule) for item in reading.found]
    assert summary == "Choir practice"
    assert found.describe() == "Every Monday, 8pm to 10pm"
    assert found.cancelled == (dt.date(2026, 12, 28),)
    assert {item.summary: item.reason for item in reading.skipped} == {
        "Summer fair": "a one-off on 3 March 2027",
        "Bank holiday outing": "it lasts all day, and a schedule needs a start time",
        "Annual general meeting": "it repeats once a year",
        "Six-week course": "it stops after 6 sessions, and a schedule stops on a date",
        "Last weekday": "it picks sessions by their place in a list, which a schedule can't say",
    }


def test_times_in_utc_are_read_on_the_calendars_own_clock() -> None:
    # Google writes some events in UTC beside X-WR-TIMEZONE: 19:00 UTC in September is 8pm.
    data = calendar_file(
        event(
            "Quiz",
            dt.datetime(2026, 9, 3, 19, tzinfo=dt.UTC),
            "FREQ=WEEKLY;BYDAY=TH",
            end=dt.datetime(2026, 9, 3, 21, tzinfo=dt.UTC),
        ),
        X_WR_TIMEZONE="Europe/London",
    )
    (found,) = read_calendar(data, today=TODAY).schedules
    assert (found.start_time, found.end_time, found.timezone) == (
        dt.time(20),
        dt.time(22),
        "Europe/London",
    )


def test_an_outlook_calendar_in_a_windows_timezone_reads_as_london() -> None:
    data = b"\r\n".join(
        [
            b"BEGIN:VCALENDAR",
            b"PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
            b"VERSION:2.0",
            b"METHOD:PUBLISH",
            b"BEGIN:VTIMEZONE",
            b"TZID:GMT Standard Time",
            b"BEGIN:STANDARD",
            b"DTSTART:16011028T020000",
            b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            b"TZOFFSETFROM:+0100",
            b"TZOFFSETTO:-0000",
            b"END:STANDARD",
            b"BEGIN:DAYLIGHT",
            b"DTSTART:16010325T010000",
            b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            b"TZOFFSETFROM:-0000",
            b"TZOFFSETTO:+0100",
            b"END:DAYLIGHT",
            b"END:VTIMEZONE",
            b"BEGIN:VEVENT",
            b"CLASS:PUBLIC",
            b"DESCRIPTION:Bring your own mug\\, please.\\n",
            b"RRULE:FREQ=WEEKLY;UNTIL=20270630T180000Z;INTERVAL=2;BYDAY=WE;WKST=SU",
            b"DTSTART;TZID=GMT Standard Time:20260909T190000",
            b"DTEND;TZID=GMT Standard Time:20260909T203000",
            b"DTSTAMP:20260801T090000Z",
            b"SUMMARY;LANGUAGE=en-gb:Repair caf\xc3\xa9",
            b"UID:040000008200E00074C5B7101A82E00800000000",
            b"END:VEVENT",
            b"END:VCALENDAR",
            b"",
        ]
    )
    ((summary, found),) = [(f.summary, f.schedule) for f in read_calendar(data, today=TODAY).found]
    assert summary == "Repair café"
    assert found.frequency is Frequency.FORTNIGHTLY
    assert found.timezone == "Europe/London"
    assert (found.start_time, found.end_time) == (dt.time(19), dt.time(20, 30))
    assert (found.starts_on, found.ends_on) == (dt.date(2026, 9, 9), dt.date(2027, 6, 30))


def test_a_meetup_group_on_the_first_thursday_reads_as_a_monthly_weekday() -> None:
    data = calendar_file(
        event(
            "Frome coders",
            london(2026, 9, 3, 18, 30),
            "FREQ=MONTHLY;BYDAY=1TH",
            end=london(2026, 9, 3, 20, 30),
            location="The Cheese and Grain",
        ),
    )
    (found,) = read_calendar(data, today=TODAY).schedules
    assert found.describe() == "First Thursday of the month, 6.30pm to 8.30pm"
    assert found.weekdays == (Weekday.TH,)


def test_a_schedule_that_began_long_ago_is_read_from_its_next_session() -> None:
    data = calendar_file(
        event(
            "Bell ringing",
            london(2015, 1, 6, 19, 30),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            exdate=[london(2016, 1, 5, 19, 30), london(2026, 9, 15, 19, 30)],
        )
    )
    (found,) = read_calendar(data, today=TODAY).schedules
    assert found.starts_on == dt.date(2026, 9, 1)
    assert found.cancelled == (dt.date(2026, 9, 15),)
    assert [s.starts.date() for s in found.sessions_between(*YEAR)][:2] == [
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 29),
    ]


def test_events_already_over_are_counted_not_listed() -> None:
    data = calendar_file(
        event("Old fair", london(2025, 6, 1, 11)),
        event("Old club", london(2024, 1, 1, 19), "FREQ=WEEKLY;UNTIL=20250101T000000Z"),
        event("Darts", london(2026, 9, 2, 20), "FREQ=WEEKLY"),
    )
    reading = read_calendar(data, today=TODAY)
    assert (len(reading.found), reading.skipped, reading.past) == (1, (), 2)


def test_a_cancelled_or_moved_session_is_taken_out_and_the_moved_one_listed() -> None:
    series = event("Yoga", london(2026, 9, 1, 9), "FREQ=WEEKLY;BYDAY=TU", uid="yoga@example.com")
    cancelled = event("Yoga", london(2026, 9, 8, 9), uid="yoga@example.com", status="CANCELLED")
    cancelled.add("RECURRENCE-ID", london(2026, 9, 8, 9))
    moved = event("Yoga in the park", london(2026, 9, 16, 10), uid="yoga@example.com")
    moved.add("RECURRENCE-ID", london(2026, 9, 15, 9))
    reading = read_calendar(calendar_file(series, cancelled, moved), today=TODAY)
    (found,) = reading.schedules
    assert found.cancelled == (dt.date(2026, 9, 8), dt.date(2026, 9, 15))
    assert [(item.summary, item.reason) for item in reading.skipped] == [
        (
            "Yoga in the park",
            "a one-off on 16 September 2026 (a session moved from 15 September 2026)",
        )
    ]


def test_a_fortnight_whose_weeks_start_on_sunday_is_skipped_when_that_changes_its_days() -> None:
    data = calendar_file(
        event("Walks", london(2026, 9, 6, 10), "FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=SU,MO")
    )
    reading = read_calendar(data, today=TODAY)
    assert reading.found == ()
    assert reading.skipped[0].reason == "its dates could not be matched exactly by a schedule"


def test_an_unknown_timezone_is_skipped_with_its_name() -> None:
    made = event("Choir", dt.datetime(2026, 9, 7, 20), "FREQ=WEEKLY")
    made["DTSTART"].params["TZID"] = "Mars/Olympus"
    data = calendar_file(made)
    assert b"DTSTART;TZID=Mars/Olympus:20260907T200000" in data
    (skipped,) = read_calendar(data, today=TODAY).skipped
    assert skipped.reason == "its timezone, Mars/Olympus, is not one this app knows"


def test_more_repeating_events_than_a_strength_holds_are_skipped_after_the_seventh() -> None:
    data = calendar_file(
        *(event(f"Session {n}", london(2026, 9, 1 + n, 19), "FREQ=WEEKLY") for n in range(9))
    )
    reading = read_calendar(data, today=TODAY)
    assert len(reading.found) == 7
    assert [item.summary for item in reading.skipped] == ["Session 7", "Session 8"]
    assert reading.skipped[0].reason == "a strength holds at most 7 repeating sessions"


@pytest.mark.parametrize(
    "data",
    [
        b"<!doctype html><html><body>Sign in to Google</body></html>",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2026",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        b"",
        b"name,date\nChoir,2026-09-07\n",
    ],
    ids=["a web page", "cut short", "an image", "empty", "a spreadsheet"],
)
def test_a_file_that_is_not_a_calendar_is_refused_with_a_reason(data: bytes) -> None:
    with pytest.raises(CalendarError) as refused:
        read_calendar(data, today=TODAY)
    assert "calendar" in str(refused.value)
    assert "Traceback" not in str(refused.value)


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read() -> None:
    data = b"BEGIN:VCALENDAR\r\n" + b"X" * MAX_BYTES
    with pytest.raises(CalendarError, match="smaller than 1 MB"):
        read_calendar(data, today=TODAY)


def test_a_file_of_too_many_events_is_refused() -> None:
    one = event("Tiny", london(2026, 9, 7, 20))
    data = calendar_file(*([one] * (MAX_EVENTS + 1)))
    assert len(data) < MAX_BYTES
    with pytest.raises(CalendarError, match="more than 5,000 events"):
        read_calendar(data, today=TODAY)


def test_an_event_without_a_start_is_skipped_and_the_rest_still_read() -> None:
    broken = Event.new(summary="No start", uid="broken@example.com")
    broken.add("RRULE", vRecur.from_ical("FREQ=WEEKLY"))
    data = calendar_file(broken, event("Darts", london(2026, 9, 2, 20), "FREQ=WEEKLY"))
    reading = read_calendar(data, today=TODAY)
    assert [item.summary for item in reading.found] == ["Darts"]
    assert reading.skipped[0].summary == "No start"
