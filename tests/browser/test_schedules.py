"""A group's owner says when it meets through the form in Chromium, and its page says it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from assetmap.domain.schedules import day_in_words, validate_schedule
from assetmap.web.strengths.schedules import now, session_in_words, today
from tests.browser.support import LiveServer, Problems, axe_violations
from tests.web.helpers import add_asset

FIRST_FRIDAY = {
    "frequency": "monthly-by-weekday",
    "weekdays": "FR",
    "week_of_month": 1,
    "start_time": "19:30",
    "end_time": "21:00",
}


@pytest.fixture
def browser_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    context.route("https://tiles.test/**", lambda route: route.abort())
    yield context.new_page()
    context.close()


def owned_group(server: LiveServer, email: str) -> int:
    owner = server.add_user(email)
    return add_asset(server.app, owner, title="Folk night", meeting_pattern="Not in August")


def fill_first_friday(page: Page, cancelled: str) -> None:
    page.get_by_label("Once a month, on a weekday").check()
    expect(page.get_by_label("Which week of the month?")).to_be_visible()
    expect(page.get_by_role("group", name="Which days?")).to_be_hidden()
    page.get_by_label("Which week of the month?").select_option("1")
    page.get_by_label("Which day of the week?").select_option("FR")
    page.get_by_label("Start time").fill("19:30")
    page.get_by_label("End time (optional)").fill("21:00")
    page.get_by_label("Dates it is not happening (optional)").fill(cancelled)
    page.get_by_role("button", name="Save").click()


def test_a_resident_enters_the_first_friday_and_the_page_says_it(
    page: Page, live_server: LiveServer, problems: Problems
) -> None:
    group = owned_group(live_server, "folk@example.org")
    live_server.sign_in_as(page, "folk@example.org")
    page.goto(f"{live_server.url}/strengths/mine")
    page.get_by_role("link", name="When it meets of Folk night").click()
    expect(page.get_by_role("heading", name="When it meets")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add a session").click()
    expect(page.get_by_role("heading", name="Add a session")).to_be_visible()
    assert axe_violations(page) == []

    plan = validate_schedule(FIRST_FRIDAY, today=today())
    skipped = plan.next_session(now())
    assert skipped is not None
    fill_first_friday(page, skipped.starts.date().isoformat())

    expect(page.get_by_text("Saved: First Friday of the month, 7.30pm to 9pm")).to_be_visible()
    cancelled = f"Not on {day_in_words(skipped.starts.date())}"
    page.goto(f"{live_server.url}/assets/{group}")
    when = page.locator("[data-when]")
    expect(when.get_by_role("heading", name="When it meets")).to_be_visible()
    expect(when.locator("[data-words]")).to_have_text("First Friday of the month, 7.30pm to 9pm")
    expect(when.locator("[data-cancelled]")).to_have_text(cancelled)
    after = plan.next_session(skipped.starts + dt.timedelta(minutes=1))
    assert after is not None
    expect(when.locator("[data-next]")).to_have_text(f"Next: {session_in_words(after)}")
    expect(when.locator("[data-note]")).to_contain_text("Not in August")
    assert axe_violations(page) == []
    assert problems.errors == [] and problems.failed == []


def test_the_form_is_usable_on_a_phone(
    phone: Page, live_server: LiveServer, problems: Problems
) -> None:
    group = owned_group(live_server, "phone@example.org")
    live_server.sign_in_as(phone, "phone@example.org")
    phone.goto(f"{live_server.url}/strengths/{group}/schedule/new")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    fill_first_friday(phone, "")
    expect(phone.get_by_role("heading", name="When it meets")).to_be_visible()
    expect(phone.locator("[data-session]")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("link", name="Change First Friday of the month, 7.30pm to 9pm").click()
    expect(phone.get_by_label("Once a month, on a weekday")).to_be_checked()
    expect(phone.get_by_label("Start time")).to_have_value("19:30")
    assert problems.errors == [] and problems.failed == []


def test_without_javascript_every_question_shows_and_a_mistake_is_named(
    browser_without_js: Page, live_server: LiveServer
) -> None:
    page = browser_without_js
    group = owned_group(live_server, "nojs@example.org")
    live_server.sign_in_as(page, "nojs@example.org")
    page.goto(f"{live_server.url}/strengths/{group}/schedule/new")
    expect(page.get_by_label("Which day of the month?")).to_be_visible()
    expect(page.get_by_label("Which week of the month?")).to_be_visible()
    page.get_by_label("Every week", exact=True).check()
    page.get_by_label("Start time").fill("19:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one day of the week")
    page.get_by_label("Tuesday").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved: Every Tuesday, 7pm")).to_be_visible()
