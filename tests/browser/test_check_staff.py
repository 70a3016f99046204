"""In Chromium, on the seeded demo: a planner runs a published check again and its decision
stays published; filters the decision form's strengths; and staff pages fit a 1280 px screen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from assetmap.storage import assets
from assetmap.storage import checks as store
from assetmap.web import db
from tests.browser.support import RATIONALE, LiveServer, Problems, a_check, axe_violations

EVERY_THEME = ["food", "health", "learning", "arts", "sport", "care", "older-people"]


def withdraw_one_found(live_server: LiveServer, check_id: int) -> str:
    """Withdraw a strength the check found inside its catchment; return its title."""
    with live_server.app.app_context(), db.database().session() as session:
        found: dict[str, Any] = store.current(store.require_check(session, check_id)).findings[0]
        assets.withdraw_asset(session, found["id"], by=None)
        session.commit()
        return str(found["title"])


def counts_inside(page: Page) -> int:
    return int(page.locator(".check-counts__inside .counts__number").inner_text())


def test_a_planner_runs_a_published_check_again_and_its_decision_stays_published(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    check_id = a_check(live_server, themes=["food"], publish=True)
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/checks/{check_id}")
    before = counts_inside(page)
    gone = withdraw_one_found(live_server, check_id)

    page.get_by_role("link", name="Run again on today's map").click()
    expect(page.get_by_role("heading", name="Run the check again on today's map")).to_be_visible()
    expect(page.get_by_text("stays on the “You said, we did” log")).to_be_visible()
    expect(
        page.get_by_role("row", name=f"Inside the catchment {before} {before - 1}")
    ).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Run it again as revision 3").click()
    expect(page.get_by_text("awaiting a decision. Until you record one")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="You said, we did").click()
    entry = page.locator(".check-log__entry", has_text="Community kitchen")
    expect(entry).to_contain_text(f"Not proceed. {RATIONALE}")
    expect(entry).to_contain_text(f"{before} strengths found inside the catchment")
    expect(entry.locator(".govuk-tag")).to_have_text("Awaiting a decision")
    assert axe_violations(page) == []

    entry.get_by_role("link", name="Community kitchen").click()
    expect(page.get_by_text("revision 2 of 3")).to_be_visible()
    assert counts_inside(page) == before
    expect(page.locator("#decision ~ .govuk-summary-list")).to_contain_text(RATIONALE)
    expect(page.get_by_text("as revision 3, which awaits a decision")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="What revision 3 found").click()
    assert counts_inside(page) == before - 1
    expect(page.get_by_text("This revision awaits a decision.")).to_be_visible()
    expect(page.get_by_role("link", name=gone)).to_have_count(0)
    assert problems.failed == [] and problems.errors == []


def visible_choices(page: Page) -> int:
    return page.locator(".check-choices .govuk-checkboxes__item:visible").count()


def test_a_planner_filters_the_strengths_of_a_decision_as_they_type(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    check_id = a_check(live_server, themes=EVERY_THEME, publish=False)
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/checks/{check_id}/decision")
    everything = visible_choices(page)
    assert everything > 20
    page.get_by_label("Why this was decided").fill("Written before filtering.")
    page.get_by_label("Kind", exact=True).select_option("space")
    spaces = visible_choices(page)
    assert 0 < spaces < everything
    expect(page.locator("[data-filter-status]")).to_have_text(
        f"Showing {spaces} of {everything} strengths; chosen ones always show."
    )
    first = page.locator(".check-choices .govuk-checkboxes__item:visible label").first
    title = first.inner_text().rsplit(" (", 1)[0]
    page.get_by_label("Words in the name or themes").fill(title.split()[0].lower())
    assert 0 < visible_choices(page) <= spaces
    assert "kind=space" in page.url
    expect(page.get_by_label("Why this was decided")).to_have_value("Written before filtering.")
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_the_decision_form_filters_without_javascript(
    live_server: LiveServer, browser: Any
) -> None:
    check_id = a_check(live_server, themes=EVERY_THEME, publish=False)
    live_server.add_user("pat@example.org", role="planner")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/checks/{check_id}/decision")
    everything = visible_choices(page)
    page.get_by_label("Kind", exact=True).select_option("group")
    page.get_by_role("button", name="Filter the strengths").click()
    expect(page).to_have_url(f"{live_server.url}/checks/{check_id}/decision?q=&kind=group")
    groups = visible_choices(page)
    assert 0 < groups < everything
    assert page.locator(".check-choices label:visible", has_text="(space").count() == 0
    context.close()


def test_the_staff_menu_fits_on_one_line_at_1280_px(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("ada@example.org", role="admin")
    live_server.sign_in_as(page, "ada@example.org")
    page.goto(f"{live_server.url}/checks")
    items = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert items.count() == 12
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert len({round(box["y"]) for box in boxes if box}) == 1
    account = page.get_by_role("navigation", name="Your account")
    expect(account.get_by_role("link", name="My account")).to_be_visible()
    expect(account.get_by_role("button", name="Sign out")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_the_findings_table_is_not_in_a_small_scroll_box_at_1280_px(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    check_id = a_check(live_server, themes=EVERY_THEME, publish=True)
    page.goto(f"{live_server.url}/checks/{check_id}")
    region = page.get_by_role("region", name="The strengths found")
    sizes = region.evaluate("element => [element.scrollHeight, element.clientHeight]")
    assert sizes[0] > 900
    assert sizes[0] == sizes[1]
    assert page.locator(".check-findings").first.locator("tbody tr").count() > 10
    assert problems.failed == [] and problems.errors == []
