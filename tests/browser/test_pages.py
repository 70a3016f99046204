from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import LiveServer, Problems, axe_violations


def test_front_page_shows_the_demo_and_passes_axe(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Our community's strengths")).to_be_visible()
    expect(page.locator(".counts__item--skill")).to_contain_text("skills")
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_sign_in_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("kim@example.org")
    page.goto(f"{live_server.url}/sign-in")
    page.keyboard.press("Tab")
    expect(page.locator(".govuk-skip-link")).to_be_focused()
    page.get_by_label("Email address").focus()
    page.keyboard.type("kim@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert problems.failed == [] and problems.errors == []


def test_a_wrong_password_is_announced_beside_the_field(
    live_server: LiveServer, page: Page
) -> None:
    live_server.add_user("kim@example.org")
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill("kim@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email address or password is not right")
    expect(page.get_by_label("Email address")).to_have_value("kim@example.org")
    assert axe_violations(page) == []
