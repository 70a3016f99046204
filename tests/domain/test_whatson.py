from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assetmap.domain.schedules import validate_schedule
from assetmap.domain.vocab import Theme
from assetmap.domain.whatson import (
    Candidate,
    MeetingPlace,
    When,
    Window,
    day_heading,
    whats_on,
)

LONDON = ZoneInfo("Europe/London")
# Wednesday 9 December 2026, 10am.
WEDNESDAY = dt.datetime(2026, 12, 9, 10, 0, tzinfo=LONDON)


def group(asset_id: int, title: str, *schedules: dict[str, Any], **extra: Any) -> Candidate:
    return Candidate(
        asset_id=asset_id,
        title=title,
        themes=(Theme.ARTS,),
        lon=-2.32,
        lat=51.23,
        neighbourhood=extra.pop("neighbourhood", "Market"),
        schedules=tuple(
            validate_schedule({"starts_on": "2026-01-01", **raw}, today=dt.date(2026, 1, 1))
            for raw in schedules
        ),
        **extra,
    )


def weekly(days: str, start: str, end: str | None = None, **more: Any) -> dict[str, Any]:
    return {"frequency": "weekly", "weekdays": days, "start_time": start, "end_time": end, **more}


def listed(found: Any) -> list[tuple[str, str, str]]:
    return [
        (day.label, f"{occasion.starts:%H:%M}", occasion.group.title)
        for day in found.days
        for occasion in day.occasions
    ]


def test_today_keeps_a_session_in_progress_and_drops_one_finished() -> None:
    groups = [
        group(1, "Early swim", weekly("WE", "07:00", "08:00")),
        group(2, "Knit and natter", weekly("WE", "09:30", "11:30")),
        group(3, "Choir", weekly("WE", "19:30", "21:00")),
        group(4, "Quiz night", weekly("TH", "20:00")),
    ]
    found = whats_on(groups, Window.today(WEDNESDAY))
    assert listed(found) == [("Today", "09:30", "Knit and natter"), ("Today", "19:30", "Choir")]


def test_a_session_with_no_end_is_gone_once_it_has_started() -> None:
    found = whats_on([group(1, "Coffee morning", weekly("WE", "09:00"))], Window.today(WEDNESDAY))
    assert found.days == ()


def test_tomorrow_is_the_whole_of_the_next_day() -> None:
    groups = [
        group(1, "Breakfast club", weekly("TH", "07:00")),
        group(2, "Late jam", weekly("TH", "23:30")),
        group(3, "Choir", weekly("WE", "19:30")),
        group(4, "Friday bells", weekly("FR", "00:00")),
    ]
    found = whats_on(groups, Window.tomorrow(WEDNESDAY))
    assert listed(found) == [
        ("Tomorrow", "07:00", "Breakfast club"),
        ("Tomorrow", "23:30", "Late jam"),
    ]


def test_the_week_lists_seven_days_by_start_then_title_under_each_day() -> None:
    groups = [
        group(1, "walking group", weekly("SA", "10:00")),
        group(2, "Allotment society", weekly("SA", "10:00")),
        group(3, "Choir", weekly("WE,FR", "19:30")),
        group(4, "Tuesday lunch", weekly("TU", "12:00")),
    ]
    found = whats_on(groups, Window.this_week(WEDNESDAY))
    assert listed(found) == [
        ("Today", "19:30", "Choir"),
        ("Friday 11 December", "19:30", "Choir"),
        ("Saturday 12 December", "10:00", "Allotment society"),
        ("Saturday 12 December", "10:00", "walking group"),
        ("Tuesday 15 December", "12:00", "Tuesday lunch"),
    ]
    assert found.window.last_day == dt.date(2026, 12, 15)
    assert found.count == 5 and not found.capped


def test_the_weekend_from_a_weekday_is_the_coming_saturday_and_sunday() -> None:
    window = Window.weekend(WEDNESDAY)
    assert (window.first_day, window.last_day) == (dt.date(2026, 12, 12), dt.date(2026, 12, 13))


def test_the_weekend_on_a_saturday_is_this_one() -> None:
    saturday = dt.datetime(2026, 12, 12, 15, 0, tzinfo=LONDON)
    window = Window.weekend(saturday)
    assert (window.first_day, window.last_day) == (dt.date(2026, 12, 12), dt.date(2026, 12, 13))
    found = whats_on(
        [
            group(1, "Parkrun", weekly("SA", "09:00")),
            group(2, "Sunday roast", weekly("SU", "13:00")),
        ],
        window,
    )
    assert listed(found) == [("Tomorrow", "13:00", "Sunday roast")]


def test_the_weekend_on_a_sunday_is_what_is_left_of_it() -> None:
    sunday = dt.datetime(2026, 12, 13, 8, 0, tzinfo=LONDON)
    found = whats_on(
        [
            group(1, "Parkrun", weekly("SA", "09:00")),
            group(2, "Sunday roast", weekly("SU", "13:00")),
        ],
        Window.weekend(sunday),
    )
    assert listed(found) == [("Today", "13:00", "Sunday roast")]


def test_a_cancelled_date_is_left_out() -> None:
    choir = group(1, "Choir", weekly("WE,FR", "19:30", cancelled="2026-12-11"))
    found = whats_on([choir], Window.this_week(WEDNESDAY))
    assert [day.date for day in found.days] == [dt.date(2026, 12, 9)]


def test_the_first_friday_of_the_month_comes_round_once() -> None:
    monthly = {"frequency": "monthly-by-weekday", "weekdays": "FR", "week_of_month": "1"}
    found = whats_on(
        [group(1, "Folk night", {**monthly, "start_time": "19:30"})],
        Window.next_days(dt.datetime(2026, 12, 20, 9, 0, tzinfo=LONDON), 31),
    )
    assert [day.date for day in found.days] == [dt.date(2027, 1, 1)]
    assert found.days[0].label == "Friday 1 January 2027"


def test_sessions_keep_their_wall_clock_time_when_the_clocks_go_forward() -> None:
    # The clocks go forward at 1am on Sunday 28 March 2027.
    friday = dt.datetime(2027, 3, 26, 9, 0, tzinfo=LONDON)
    found = whats_on(
        [group(1, "Choir", weekly("FR,SU", "19:30", "21:00"))], Window.this_week(friday)
    )
    assert [(o.starts.date(), o.time_in_words) for o in found.occasions] == [
        (dt.date(2027, 3, 26), "7.30pm to 9pm"),
        (dt.date(2027, 3, 28), "7.30pm to 9pm"),
    ]
    assert [o.starts.utcoffset() for o in found.occasions] == [
        dt.timedelta(0),
        dt.timedelta(hours=1),
    ]


def test_the_day_the_clocks_change_is_23_hours_long() -> None:
    window = Window.today(dt.datetime(2027, 3, 28, 0, 30, tzinfo=LONDON))
    elapsed = window.end.astimezone(dt.UTC) - window.start.astimezone(dt.UTC)
    assert elapsed == dt.timedelta(hours=23)


def test_a_now_in_another_timezone_is_read_in_the_areas() -> None:
    # 11pm on Wednesday in New York is 4am on Thursday in London.
    new_york = dt.datetime(2026, 12, 9, 23, 0, tzinfo=ZoneInfo("America/New_York"))
    assert Window.today(new_york).first_day == dt.date(2026, 12, 10)


def test_the_list_is_cut_at_the_most_and_says_so() -> None:
    groups = [group(n, f"Group {n:03d}", weekly("TH", "10:00")) for n in range(1, 13)]
    found = whats_on(groups, Window.tomorrow(WEDNESDAY), most=10)
    assert found.count == 10 and found.capped
    assert found.occasions[-1].group.title == "Group 010"
    assert not whats_on(groups, Window.tomorrow(WEDNESDAY), most=12).capped


def test_two_schedules_giving_the_same_session_list_it_once() -> None:
    choir = group(1, "Choir", weekly("TH", "19:30"), weekly("TH,FR", "19:30"))
    assert len(whats_on([choir], Window.tomorrow(WEDNESDAY)).occasions) == 1


def test_each_group_is_counted_once_among_the_groups_listed() -> None:
    choir = group(1, "Choir", weekly("WE,FR", "19:30"))
    lunch = group(2, "Lunch club", weekly("TH", "12:00"))
    found = whats_on([choir, lunch], Window.this_week(WEDNESDAY))
    assert [g.title for g in found.groups] == ["Choir", "Lunch club"]


def test_a_group_meets_at_its_space_or_else_in_its_neighbourhood() -> None:
    hall = MeetingPlace(9, "Cheese and Grain", -2.3180, 51.2310)
    at_hall = group(1, "Choir", weekly("WE", "19:30"), places=(hall,))
    nowhere = group(2, "Walkers", weekly("WE", "19:30"), neighbourhood=None)
    assert (at_hall.where, at_hall.point) == ("Cheese and Grain", (-2.3180, 51.2310))
    assert group(3, "Quiz", weekly("WE", "19:30")).where == "In the Market neighbourhood"
    assert (nowhere.where, nowhere.point) == ("", (-2.32, 51.23))


def test_every_choice_of_when_has_a_window_and_a_label() -> None:
    for when in When:
        window = Window.of(when, WEDNESDAY)
        assert window.label == when.label
        assert window.start < window.end


@pytest.mark.parametrize("days", [0, 32, -1])
def test_a_window_of_too_few_or_too_many_days_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="days must be from 1 to 31"):
        Window.next_days(WEDNESDAY, days)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Window.today(dt.datetime(2026, 12, 9, 10, 0))


def test_day_headings() -> None:
    today = dt.date(2026, 12, 9)
    assert day_heading(today, today) == "Today"
    assert day_heading(dt.date(2026, 12, 10), today) == "Tomorrow"
    assert day_heading(dt.date(2026, 12, 12), today) == "Saturday 12 December"
    assert day_heading(dt.date(2027, 1, 2), today) == "Saturday 2 January 2027"
