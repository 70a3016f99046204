"""A strength check's catchment is given without dragging or clicking the map (WCAG 2.2, 2.5.7
"Dragging movements"), from the keyboard alone: by choosing neighbourhoods, or by a centre and a
radius typed in; then the decision is recorded, all by Tab, the arrow keys, Space and Enter."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.support import LiveServer, Problems, axe_violations

EMAIL = "keys-planner@example.org"
MOST_TABS = 400


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has focus, as a keyboard user reaches it; fail if it never
    does."""
    for _ in range(MOST_TABS):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def type_into(page: Page, target: Locator, words: str) -> None:
    tab_to(page, target)
    page.keyboard.type(words)


def describe(page: Page, name: str) -> None:
    """Fill in the proposal's words from the keyboard, and tick the food theme."""
    page.locator("body").focus()
    type_into(page, page.get_by_label("Name of the proposed service"), name)
    type_into(page, page.get_by_label("What it is for"), "Cook and eat together on a budget.")
    type_into(page, page.get_by_label("Who it is for"), "Families in the town centre")
    tab_to(page, page.get_by_label("Food", exact=True))
    page.keyboard.press("Space")
    expect(page.get_by_label("Food", exact=True)).to_be_checked()


def test_a_check_over_neighbourhoods_is_run_and_decided_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user(EMAIL, role="planner")
    live_server.sign_in_as(page, EMAIL)
    page.goto(f"{live_server.url}/checks/new")
    describe(page, "Keyboard kitchen")

    # The catchment's choices are radios: the arrow keys move from drawing to neighbourhoods.
    drawn = page.get_by_label("Draw an area on the map")
    expect(drawn).to_be_checked()
    tab_to(page, drawn)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Choose neighbourhoods")).to_be_checked()
    first = page.locator("#conditional-neighbourhoods input[type=checkbox]").first
    expect(first).to_be_visible()
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Run the check"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Keyboard kitchen", level=1)).to_be_visible()
    expect(page.get_by_text("Neighbourhoods:")).to_be_visible()
    assert axe_violations(page) == []

    page.locator("body").focus()
    tab_to(page, page.get_by_role("link", name="Record the decision"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Record the decision")).to_be_visible()
    page.locator("body").focus()
    # Tab reaches the first of the radios; the arrow keys choose among them.
    tab_to(page, page.get_by_label("Support or fund existing strengths"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Not proceed")).to_be_checked()
    type_into(page, page.get_by_label("Why this was decided"), "Enough already cook here.")
    type_into(page, page.get_by_label("Who decided"), "Health and wellbeing panel")
    tab_to(page, page.get_by_role("button", name="Record the decision"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("The decision is recorded.")).to_be_visible()
    assert problems.failed == [] and problems.errors == []


def test_a_check_around_a_typed_centre_is_run_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user(EMAIL, role="planner")
    live_server.sign_in_as(page, EMAIL)
    page.goto(f"{live_server.url}/checks/new")
    describe(page, "Radius kitchen")

    tab_to(page, page.get_by_label("Draw an area on the map"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("A point and a radius")).to_be_checked()
    expect(page.get_by_label("Longitude")).to_be_visible()
    type_into(page, page.get_by_label("Longitude"), "-2.3206")
    type_into(page, page.get_by_label("Latitude"), "51.2303")
    radius = page.get_by_label("Radius in metres")
    tab_to(page, radius)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("600")
    # The circle drawn on the map follows what was typed: nothing needs the pointer.
    expect(page.locator("[data-catchment-form] path.leaflet-interactive").first).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Run the check"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Radius kitchen", level=1)).to_be_visible()
    expect(page.get_by_text("Within 600 metres of 51.23030, -2.32060")).to_be_visible()
    assert problems.failed == [] and problems.errors == []
