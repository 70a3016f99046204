"""schema.org linked data on group and space pages, read back as a search engine would."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.schedules import Schedule, validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from tests.web.helpers import add_asset, add_user

TODAY = dt.date(2026, 9, 1)
BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def schedule(**raw: Any) -> Schedule:
    return validate_schedule(raw, today=TODAY)


FIRST_FRIDAY = schedule(
    frequency="monthly-by-weekday",
    weekdays="FR",
    week_of_month=1,
    start_time="19:30",
    end_time="21:00",
    starts_on="2026-09-01",
    ends_on="2027-07-31",
    cancelled="2027-01-01",
)
FORTNIGHTLY = schedule(
    frequency="fortnightly", weekdays="TU,TH", start_time="10:00", starts_on="2026-09-08"
)
FIFTEENTH = schedule(
    frequency="monthly-by-date", day_of_month=15, start_time="14:00", starts_on="2026-09-01"
)
WEEKDAYS = schedule(
    frequency="weekly",
    weekdays="MO,TU,WE,TH,FR",
    start_time="09:00",
    end_time="17:00",
    starts_on="2026-09-01",
    cancelled="2099-12-25",
)


def set_times(app: Flask, asset_id: int, *schedules: Schedule) -> None:
    with app.app_context(), db.database().session() as session:
        set_schedules(session, asset_id, schedules, by=None)
        session.commit()


def linked_data(client: FlaskClient, asset_id: int) -> list[dict[str, Any]]:
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    return [json.loads(block) for block in BLOCK.findall(page)]


@pytest.fixture
def owner(app: Flask) -> int:
    return add_user(app, "gail@example.org")


def test_a_group_is_an_organization_with_an_event_for_each_schedule(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    choir = add_asset(app, owner, title="Frome community choir", description="All voices.")
    set_times(app, choir, FIRST_FRIDAY, FORTNIGHTLY, FIFTEENTH)
    (data,) = linked_data(client, choir)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Frome community choir"
    assert data["description"] == "All voices."
    assert data["url"] == f"http://127.0.0.1:5000/assets/{choir}"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 51.23,
        "longitude": -2.32,
    }
    events = data["event"]
    assert [event["@type"] for event in events] == ["Event"] * 3
    assert {event["eventAttendanceMode"] for event in events} == {
        "https://schema.org/OfflineEventAttendanceMode"
    }
    first_friday, fortnightly, fifteenth = (event["eventSchedule"] for event in events)
    assert first_friday == {
        "@type": "Schedule",
        "name": "First Friday of the month, 7.30pm to 9pm, until 31 July 2027",
        "repeatFrequency": "P1M",
        "byDay": "https://schema.org/Friday",
        "byMonthWeek": 1,
        "startDate": "2026-09-01",
        "endDate": "2027-07-31",
        "startTime": "19:30",
        "endTime": "21:00",
        "exceptDate": ["2027-01-01"],
        "scheduleTimezone": "Europe/London",
    }
    assert fortnightly["repeatFrequency"] == "P2W"
    assert fortnightly["byDay"] == ["https://schema.org/Tuesday", "https://schema.org/Thursday"]
    assert fifteenth["repeatFrequency"] == "P1M"
    assert fifteenth["byMonthDay"] == 15
    assert "byDay" not in fifteenth


def test_a_group_meeting_at_a_space_is_located_at_the_space(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    choir = add_asset(app, owner, title="Frome community choir")
    hall = add_asset(app, None, kind="space", title="St John's hall", lon=-2.325, lat=51.228)
    set_times(app, choir, FIRST_FRIDAY)
    with app.app_context(), db.database().session() as session:
        add_tie(session, TieKind.MEETS_AT, choir, hall, by=None)
        session.commit()
    (data,) = linked_data(client, choir)
    assert data["location"]["name"] == "St John's hall"
    assert data["location"]["url"] == f"http://127.0.0.1:5000/assets/{hall}"
    assert data["location"]["geo"]["latitude"] == 51.228
    assert data["event"][0]["location"] == data["location"]


def test_a_space_is_a_place_with_its_weekly_opening_hours(app: Flask, client: FlaskClient) -> None:
    library = add_asset(app, None, kind="space", title="Frome library", description="Books.")
    set_times(app, library, WEEKDAYS, FIRST_FRIDAY)
    (data,) = linked_data(client, library)
    assert data["@type"] == "Place"
    assert data["geo"]["@type"] == "GeoCoordinates"
    (hours,) = data["openingHoursSpecification"]
    assert hours["dayOfWeek"] == [
        f"https://schema.org/{day}"
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
    ]
    assert (hours["opens"], hours["closes"]) == ("09:00", "17:00")
    assert data["specialOpeningHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "opens": "00:00",
            "closes": "00:00",
            "validFrom": "2099-12-25",
            "validThrough": "2099-12-25",
        }
    ]
    assert [event["eventSchedule"]["byMonthWeek"] for event in data["event"]] == [1]


def test_a_group_without_times_is_still_described_without_events(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    choir = add_asset(app, owner, title="Frome community choir")
    (data,) = linked_data(client, choir)
    assert data["@type"] == "Organization"
    assert "event" not in data


def test_a_skill_page_carries_no_linked_data(app: Flask, client: FlaskClient, owner: int) -> None:
    skill = add_asset(app, owner, kind="skill", title="Guitar lessons", lon=-2.3212, lat=51.2311)
    assert linked_data(client, skill) == []
    page = client.get(f"/assets/{skill}").get_data(as_text=True)
    assert "application/ld+json" not in page


def test_a_title_cannot_end_the_block_it_is_written_in(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    title = '</script><script>alert("x")</script> & <!--'
    choir = add_asset(app, owner, title=title)
    page = client.get(f"/assets/{choir}").get_data(as_text=True)
    (block,) = BLOCK.findall(page)
    assert "<" not in block and ">" not in block and "&" not in block
    assert json.loads(block)["name"] == title
    assert '<script>alert("x")' not in page
