"""In Chromium: a group's page offers its calendar and carries schema.org data the page's
security policy lets through, and its owner sets its times from a calendar file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from icalendar import Calendar, Event, vRecur
from playwright.sync_api import Page, expect

from assetmap.domain.schedules import validate_schedule
from assetmap.storage.schedules import set_schedules
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations
from tests.web.helpers import add_asset


def test_a_group_page_offers_its_calendar_with_no_script_refused(
    page: Page, live_server: LiveServer, problems: Problems
) -> None:
    group = add_asset(live_server.app, None, title="Folk night")
    weekly = validate_schedule(
        {"frequency": "weekly", "weekdays": "TH", "start_time": "20:00"}, today=dt.date.today()
    )
    with live_server.app.app_context(), db.database().session() as session:
        set_schedules(session, group, [weekly], by=None)
        session.commit()
    page.goto(f"{live_server.url}/assets/{group}")
    expect(page.get_by_role("heading", name="Add to calendar")).to_be_visible()
    subscribe = page.get_by_role("link", name="Subscribe in your calendar app to Folk night")
    assert (subscribe.get_attribute("href") or "").startswith("webcal://")
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert data["@type"] == "Organization"
    assert data["event"][0]["eventSchedule"]["byDay"] == "https://schema.org/Thursday"
    assert axe_violations(page) == []
    assert problems.errors == [] and problems.failed == []


def test_an_owner_sets_the_times_from_a_calendar_file(
    page: Page, live_server: LiveServer, problems: Problems, tmp_path: Path
) -> None:
    owner = live_server.add_user("folk@example.org")
    group = add_asset(live_server.app, owner, title="Folk night")
    calendar = Calendar.new(prodid="-//Google Inc//Google Calendar 70.9054//EN")
    calendar.add("X-WR-TIMEZONE", "Europe/London")
    session = Event.new(
        summary="Folk session",
        start=dt.datetime(2099, 1, 1, 20),
        end=dt.datetime(2099, 1, 1, 23),
        uid="folk@example.com",
    )
    session.add("RRULE", vRecur.from_ical("FREQ=MONTHLY;BYDAY=1TH"))
    calendar.add_component(session)
    path = tmp_path / "folk.ics"
    path.write_bytes(calendar.to_ical())
    live_server.sign_in_as(page, "folk@example.org")
    page.goto(f"{live_server.url}/strengths/{group}/schedule")
    page.get_by_role("link", name="Set the times from a calendar file").click()
    page.get_by_label("Calendar file").set_input_files(path)
    page.get_by_role("button", name="Read the calendar").click()
    expect(
        page.get_by_text("Folk session: First Thursday of the month, 8pm to 11pm")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Replace the schedule with these").click()
    expect(
        page.get_by_text("The schedule now has the 1 session from the calendar.")
    ).to_be_visible()
    expect(page.get_by_role("term")).to_contain_text("First Thursday of the month, 8pm to 11pm")
    assert problems.errors == [] and problems.failed == []
