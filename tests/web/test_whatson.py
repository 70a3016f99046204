from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from shapely.geometry import box

from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as store
from assetmap.storage import moderation
from assetmap.storage.models import AssetSchedule
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from assetmap.web.explore import whatson
from tests.web.helpers import add_asset, error_beside, statements, text

LONDON = ZoneInfo("Europe/London")
# Wednesday 9 December 2026, 10am.
NOW = dt.datetime(2026, 12, 9, 10, 0, tzinfo=LONDON)
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
ESCAPED_TITLE = "Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt; quiz"


def weekly(days: str, start: str, end: str | None = None, **more: Any) -> Any:
    raw = {"frequency": "weekly", "weekdays": days, "start_time": start, "end_time": end}
    return validate_schedule({"starts_on": "2026-11-02", **raw, **more}, today=NOW.date())


def scheduled(app: Flask, asset_id: int, *schedules: Any) -> int:
    with app.app_context(), db.database().session() as session:
        set_schedules(session, asset_id, list(schedules), by=None)
        session.commit()
    return asset_id


@pytest.fixture
def town(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Two neighbourhoods, three groups that meet, and strengths what's on must never list."""
    monkeypatch.setattr(whatson, "now", lambda: NOW)
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, [WEST, EAST])
        session.commit()
    ids = {
        "choir": add_asset(app, title="Town choir", themes=["arts"], lon=-2.33, lat=51.23),
        "lunch": add_asset(
            app, title="Lunch club", themes=["food", "older-people"], lon=-2.305, lat=51.23
        ),
        "parkrun": add_asset(
            app,
            title="Parkrun",
            themes=["sport"],
            description="Five kilometres round the park.",
            lon=-2.335,
            lat=51.235,
        ),
        "hall": add_asset(app, kind="space", title="Market hall", lon=-2.331, lat=51.231),
        "hidden": add_asset(app, title="Closed choir", lon=-2.33, lat=51.23),
        "withdrawn": add_asset(app, title="Old club", lon=-2.33, lat=51.23),
        "skill": add_asset(app, kind="skill", title="Guitar lessons", lon=-2.33, lat=51.23),
    }
    scheduled(app, ids["choir"], weekly("WE,FR", "19:30", "21:00"))
    scheduled(app, ids["lunch"], weekly("TH", "12:00", "14:00"))
    scheduled(app, ids["parkrun"], weekly("SA", "09:00"))
    scheduled(app, ids["hall"], weekly("MO,TU,WE,TH,FR", "09:00", "17:00"))
    scheduled(app, ids["hidden"], weekly("WE", "19:30"))
    scheduled(app, ids["withdrawn"], weekly("TH", "12:00"))
    with app.app_context(), db.database().session() as session:
        add_tie(session, TieKind.MEETS_AT, ids["choir"], ids["hall"], by=None)
        moderation.hide_asset(session, ids["hidden"], by=None, reason="Reported as closed")
        store.withdraw_asset(session, ids["withdrawn"], by=None)
        _schedule_a_skill(session, ids["skill"])
        session.commit()
    return ids


def _schedule_a_skill(session: Any, skill_id: int) -> None:
    # Storage refuses a skill a schedule; a row put there some other way must still not show.
    rule = weekly("SA", "10:00")
    session.add(
        AssetSchedule(
            asset_id=skill_id,
            position=0,
            rule=rule.rule(),
            starts_on=rule.starts_on,
            start_time=rule.start_time,
            cancelled=[],
            timezone=rule.timezone,
        )
    )


def listed(page: str) -> list[tuple[str, str, str]]:
    """Return each session listed as (day heading, time in words, group title)."""
    found = []
    for day in re.findall(r'<section class="whatson-day".*?</section>', page, re.S):
        heading = text(re.search(r"<h3[^>]*>(.*?)</h3>", day, re.S).group(1))  # type: ignore[union-attr]
        for item in re.findall(r'<li class="whatson-session".*?</li>', day, re.S):
            time = text(re.search(r"<time[^>]*>(.*?)</time>", item, re.S).group(1))  # type: ignore[union-attr]
            title = text(re.search(r"<h4[^>]*>(.*?)</h4>", item, re.S).group(1))  # type: ignore[union-attr]
            found.append((heading, time, title))
    return found


def get(client: FlaskClient, query: str = "") -> tuple[int, str]:
    response = client.get(f"/whats-on{query}")
    return response.status_code, response.get_data(as_text=True)


def test_the_next_seven_days_are_listed_by_day_with_times_in_words(
    client: FlaskClient, town: dict[str, int]
) -> None:
    status, page = get(client)
    assert status == 200
    assert listed(page) == [
        ("Today", "7.30pm to 9pm", "Town choir"),
        ("Tomorrow", "midday to 2pm", "Lunch club"),
        ("Friday 11 December", "7.30pm to 9pm", "Town choir"),
        ("Saturday 12 December", "9am", "Parkrun"),
    ]
    assert "4 sessions in the next 7 days" in text(page)


def test_each_session_links_its_group_and_says_where_and_its_themes(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = get(client, "?when=tomorrow")[1]
    [item] = re.findall(r'<li class="whatson-session".*?</li>', page, re.S)
    assert f'href="/assets/{town["lunch"]}"' in item
    assert "In the East Side neighbourhood · Food, Older people" in text(item)
    choir = get(client, "?when=today")[1]
    assert "Market hall · Arts" in text(choir)


def test_today_and_the_weekend_choose_their_days(client: FlaskClient, town: dict[str, int]) -> None:
    assert [title for _, _, title in listed(get(client, "?when=today")[1])] == ["Town choir"]
    weekend = get(client, "?when=weekend")[1]
    assert listed(weekend) == [("Saturday 12 December", "9am", "Parkrun")]
    assert "1 session at the weekend" in text(weekend)


def test_a_neighbourhood_keeps_its_own_groups(client: FlaskClient, town: dict[str, int]) -> None:
    page = get(client, "?where=neighbourhood&neighbourhood=east")[1]
    assert [title for _, _, title in listed(page)] == ["Lunch club"]
    assert "1 session in the next 7 days in the East Side neighbourhood" in text(page)
    west = get(client, "?where=neighbourhood&neighbourhood=west")[1]
    assert {title for _, _, title in listed(west)} == {"Town choir", "Parkrun"}


def test_near_a_place_keeps_the_groups_within_the_distance(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = get(client, "?where=place&place=Market+Place&radius=800")[1]
    assert {title for _, _, title in listed(page)} == {"Town choir"}
    assert "within 800 m of Market Place" in text(page)
    wider = get(client, "?where=place&place=Market+Place&radius=3000")[1]
    assert {title for _, _, title in listed(wider)} == {"Town choir", "Lunch club", "Parkrun"}


def test_themes_and_words_filter_the_groups(client: FlaskClient, town: dict[str, int]) -> None:
    food = get(client, "?theme=food&theme=sport")[1]
    assert {title for _, _, title in listed(food)} == {"Lunch club", "Parkrun"}
    words = get(client, "?q=kilometres+park")[1]
    assert {title for _, _, title in listed(words)} == {"Parkrun"}


def test_nothing_on_is_said_in_plain_words(client: FlaskClient, town: dict[str, int]) -> None:
    status, page = get(client, "?when=today&q=bellringing")
    assert status == 200 and listed(page) == []
    assert "Nothing is on today that matches your themes and words." in text(page)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?when=yesterday", "when", "Choose today, tomorrow, the next 7 days or the weekend"),
        ("?where=moon", "where", "Choose anywhere, a neighbourhood, or near a place"),
        ("?where=neighbourhood&neighbourhood=", "neighbourhood", "Choose a neighbourhood"),
        ("?where=neighbourhood&neighbourhood=north", "neighbourhood", "Choose a neighbourhood"),
        ("?where=place&place=", "place", "Enter a postcode, street or place"),
        ("?where=place&place=Nowhere+Lane+Zzz", "place", "No postcode, street or place called"),
        ("?where=place&place=Market+Place&radius=99999999", "radius", "Choose how far"),
        ("?theme=astrology", "theme", "Choose themes from the list"),
        ("?q=" + "word+" * 60, "q", "Words must be at most 200 characters"),
    ],
)
def test_a_bad_parameter_is_answered_beside_its_field(
    client: FlaskClient, town: dict[str, int], query: str, field: str, message: str
) -> None:
    status, page = get(client, query)
    assert status == 400
    assert error_beside(page, field).startswith(f"Error: {message}")
    assert f'href="#{field}"' in page
    assert listed(page) == []


def test_a_typed_place_is_shown_back_escaped(client: FlaskClient, town: dict[str, int]) -> None:
    page = get(client, '?where=place&place="><script>alert(1)</script>')[1]
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_groups_title_is_escaped_in_the_list_and_on_the_map(
    app: Flask, client: FlaskClient, town: dict[str, int]
) -> None:
    quiz = add_asset(app, title="Fish & chips <script>alert(1)</script> quiz")
    scheduled(app, quiz, weekly("TH", "19:00"))
    page = get(client)[1]
    assert "<script>alert(1)</script>" not in page
    assert ESCAPED_TITLE in page


def test_skills_spaces_hidden_and_withdrawn_strengths_are_never_listed(
    client: FlaskClient, town: dict[str, int]
) -> None:
    for query in ("", "?when=weekend", "?q=guitar", "?where=neighbourhood&neighbourhood=west"):
        page = get(client, query)[1]
        for title in ("Guitar lessons", "Closed choir", "Old club"):
            assert title not in page
        assert f'/assets/{town["skill"]}"' not in page
        assert f'/assets/{town["hall"]}"' not in page  # as a listed session; it is a place
    feed = Calendar.from_ical(client.get("/whats-on.ics").data)
    summaries = {str(event["SUMMARY"]) for event in feed.walk("VEVENT")}
    assert summaries == {"Town choir", "Lunch club", "Parkrun"}


def test_the_map_marks_where_each_group_listed_meets(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = get(client, "?where=neighbourhood&neighbourhood=west")[1]
    markers = re.findall(r'"className": "map-dot map-dot--group"', page)
    assert len(markers) == 2
    # The choir is drawn at the hall it meets at, not at its own point.
    assert "[51.231, -2.331]" in page


def test_a_long_list_is_cut_short_and_says_so(
    client: FlaskClient, town: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatson, "SESSIONS_LISTED", 2)
    page = get(client)[1]
    assert len(listed(page)) == 2
    assert "Only the first 2 are listed." in text(page)


def test_the_page_links_its_search_as_a_calendar_to_subscribe_to(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = get(client, "?when=today&where=neighbourhood&neighbourhood=east&theme=food")[1]
    webcal = re.search(r'href="(webcal://[^"]+)">Subscribe to these in your calendar', page)
    assert webcal is not None
    link = webcal.group(1).replace("&amp;", "&")
    assert link.startswith("webcal://127.0.0.1:5000/whats-on.ics?")
    assert "when=" not in link
    assert "neighbourhood=east" in link and "theme=food" in link
    assert f'href="{link.replace("webcal://", "http://").replace("&", "&amp;")}"' in page


def feed_sessions(client: FlaskClient, query: str = "") -> list[tuple[str, dt.datetime]]:
    response = client.get(f"/whats-on.ics{query}")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    end = dt.datetime(2026, 12, 16, 0, 0, tzinfo=LONDON)
    events = recurring_ical_events.of(calendar).between(NOW, end)
    return sorted((str(event["SUMMARY"]), event["DTSTART"].dt) for event in events)


def page_sessions(client: FlaskClient, query: str = "") -> list[tuple[str, dt.datetime]]:
    page = get(client, query)[1]
    items = re.findall(
        r'<time[^>]*datetime="([^"]+)".*?<h4[^>]*>(.*?)</h4>', page.split('id="results"')[1], re.S
    )
    return sorted((text(title), dt.datetime.fromisoformat(when)) for when, title in items)


@pytest.mark.parametrize(
    "query", ["", "?where=neighbourhood&neighbourhood=west", "?theme=food", "?q=choir"]
)
def test_the_feed_expands_to_the_sessions_the_page_lists(
    client: FlaskClient, town: dict[str, int], query: str
) -> None:
    assert feed_sessions(client, query) == page_sessions(client, query)
    assert page_sessions(client, query)


def test_the_feed_is_a_public_calendar_with_places_and_links_back(
    client: FlaskClient, town: dict[str, int]
) -> None:
    response = client.get("/whats-on.ics?where=neighbourhood&neighbourhood=west")
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "What's on in the West End neighbourhood"
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {"Town choir", "Parkrun"}
    choir = events["Town choir"]
    assert str(choir["LOCATION"]) == "Market hall"
    assert (choir["GEO"].latitude, choir["GEO"].longitude) == (51.231, -2.331)
    assert str(choir["URL"]) == f"http://127.0.0.1:5000/assets/{town['choir']}"
    assert str(choir["UID"]) == f"asset-{town['choir']}-session-0@127.0.0.1"
    parkrun = events["Parkrun"]
    assert str(parkrun["LOCATION"]) == "Parkrun"
    assert (parkrun["GEO"].latitude, parkrun["GEO"].longitude) == (51.235, -2.335)


def test_the_feed_refuses_a_bad_parameter_saying_why(
    client: FlaskClient, town: dict[str, int]
) -> None:
    response = client.get("/whats-on.ics?where=neighbourhood&neighbourhood=north")
    assert response.status_code == 400
    assert "Choose a neighbourhood from the list" in response.get_data(as_text=True)


def test_whats_on_is_in_the_main_navigation(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/whats-on"' in page and ">What&#39;s on<" in page


def test_the_front_page_lists_what_is_on_today(app: Flask, client: FlaskClient) -> None:
    # Midnight to midnight, every day: on whenever the test runs.
    every_day = validate_schedule(
        {
            "frequency": "weekly",
            "weekdays": "MO,TU,WE,TH,FR,SA,SU",
            "start_time": "00:00",
            "end_time": "00:00",
            "starts_on": "2020-01-06",
        },
        today=dt.date(2020, 1, 6),
    )
    for number in range(8):
        scheduled(app, add_asset(app, title=f"Open house {number}"), every_day)
    skill = add_asset(app, kind="skill", title="Guitar lessons")
    with app.app_context(), db.database().session() as session:
        _schedule_a_skill(session, skill)
        session.commit()
    with statements(app, lambda statement: "asset_schedule" in statement) as seen:
        page = client.get("/").get_data(as_text=True)
    on_today = page.split('id="on-today"')[1].split("</ul>")[0]
    assert len(re.findall(r"<li", on_today)) == 6
    assert "Open house 0" in on_today and "midnight to midnight" in on_today
    assert "Guitar lessons" not in on_today
    assert 'href="/whats-on?when=today"' in page
    assert len(seen) == 1


def test_the_front_page_says_when_nothing_is_on_today(client: FlaskClient) -> None:
    page = text(client.get("/").get_data(as_text=True))
    assert "No group meets again today. See what's on in the next 7 days" in page
