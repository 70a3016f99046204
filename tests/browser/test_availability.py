from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import LiveServer, Problems
from tests.browser.test_residents import sign_up


def test_a_resident_says_when_their_skill_is_available_and_changes_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "sam@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add a strength").click()
    page.get_by_label("A skill").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is your skill?").fill("Knitting")
    page.get_by_label("Arts").check()
    page.get_by_label("Teach it").check()
    page.get_by_label("When are you available? (optional)").fill("Saturday mornings")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Postcode, street or place name").fill("Catherine Street")
    page.get_by_role("button", name="Find this place").click()
    expect(page.locator(".strength-preview")).to_contain_text("Saturday mornings")
    page.get_by_role("button", name="Publish").click()
    card = page.locator(".strength-cards > li", has_text="Knitting")
    card.get_by_role("link", name="Change details of Knitting").click()
    expect(page.get_by_label("When are you available? (optional)")).to_have_value(
        "Saturday mornings"
    )
    page.get_by_label("When are you available? (optional)").fill("Sunday afternoons")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".strength-cards > li", has_text="Knitting").get_by_role(
        "link", name="Knitting", exact=True
    ).click()
    expect(page.locator("main")).to_contain_text("Sunday afternoons")
    assert problems.failed == [] and problems.errors == []
