"""On a 360 px phone: the menu folds behind its Menu button, the map comes first with the
filter behind a Filters button (with or without JavaScript), the list fits the screen, and no
page scrolls sideways. In Urdu the page runs right to left, and its map left to right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import BLANK_PNG, TILES
from tests.browser.support import LiveServer, Problems
from tests.browser.test_explore import open_map, untroubled

WIDE = """() => ({ scroll: document.documentElement.scrollWidth, screen: window.innerWidth })"""


def fits(page: Page) -> bool:
    width = page.evaluate(WIDE)
    return bool(width["scroll"] <= width["screen"])


@pytest.fixture
def phone_without_script(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        has_touch=True,
        is_mobile=True,
        java_script_enabled=False,
    )
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    yield context.new_page()
    context.close()


def test_the_menu_folds_behind_its_button(
    live_server: LiveServer, phone: Page, problems: Problems
) -> None:
    phone.goto(live_server.url)
    menu = phone.get_by_role("button", name="Menu")
    links = phone.locator(".govuk-service-navigation__list")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(links).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("link", name="Map", exact=True)).to_be_visible()
    assert fits(phone)
    assert problems.errors == []


def test_the_map_comes_first_and_the_filter_waits_behind_a_button(
    live_server: LiveServer, phone: Page, problems: Problems
) -> None:
    open_map(phone, f"{live_server.url}/map")
    the_map = phone.locator(".explore-map")
    expect(the_map).to_be_visible()
    box = the_map.bounding_box()
    # At least 300 px of the map are on the first screen, with only the page's heading and the
    # Filters button above it.
    assert box is not None and box["y"] < 740 - 300, f"the map starts {box} down"
    apply = phone.get_by_role("button", name="Apply filters")
    expect(apply).to_be_hidden()
    phone.locator("summary", has_text="Filters").click()
    expect(apply).to_be_visible()
    expect(phone.get_by_label("Words")).to_be_visible()
    assert fits(phone)
    assert untroubled(problems)


def test_the_filter_button_works_without_javascript(
    live_server: LiveServer, phone_without_script: Page
) -> None:
    page = phone_without_script
    page.goto(f"{live_server.url}/map")
    apply = page.get_by_role("button", name="Apply filters")
    expect(apply).to_be_hidden()
    page.locator("summary", has_text="Filters").click()
    expect(apply).to_be_visible()
    page.get_by_label("Groups").check()
    apply.click()
    expect(page).to_have_url(f"{live_server.url}/map?kind=group&q=")
    assert fits(page)


def test_on_a_wide_screen_the_filter_is_open_beside_the_map(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    open_map(page, f"{live_server.url}/map")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    expect(page.locator("summary", has_text="Filters")).to_be_hidden()
    filters = page.locator(".explore-filters").bounding_box()
    the_map = page.locator(".explore-map").bounding_box()
    assert filters and the_map and filters["x"] < the_map["x"]
    assert untroubled(problems)


def test_the_list_fits_a_phone(live_server: LiveServer, phone: Page, problems: Problems) -> None:
    phone.goto(f"{live_server.url}/list")
    expect(phone.locator(".explore-table tbody tr").first).to_be_visible()
    assert fits(phone), phone.evaluate(WIDE)
    # Still a table to a screen reader, sorted by the column headings' links.
    expect(phone.get_by_role("table")).to_be_visible()
    expect(phone.get_by_role("columnheader", name="Title")).to_be_visible()
    expect(phone.get_by_role("link", name="Last confirmed")).to_be_visible()
    assert problems.errors == []


@pytest.mark.parametrize("path", ["/", "/map", "/list", "/search", "/whats-on", "/sign-in"])
def test_no_page_scrolls_sideways(live_server: LiveServer, phone: Page, path: str) -> None:
    phone.goto(live_server.url + path)
    phone.wait_for_load_state("networkidle")
    assert fits(phone), phone.evaluate(WIDE)


@pytest.mark.parametrize("width", [1280, 360])
def test_in_urdu_the_page_runs_right_to_left_and_the_map_left_to_right(
    live_server: LiveServer, browser: Browser, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    context.add_cookies([{"name": "assetmap_language", "value": "ur", "url": live_server.url}])
    page = context.new_page()
    try:
        open_map(page, f"{live_server.url}/map")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ur")
        name = page.locator(".site-header__name").bounding_box()
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert name and heading
        # The service's name and the page's heading sit at the right.
        assert name["x"] + name["width"] > width - 50, name
        assert heading["x"] + heading["width"] > width - 50, heading
        expect(page.locator("[data-map]")).to_have_attribute("dir", "ltr")
        zoom = page.locator(".leaflet-control-zoom").bounding_box()
        the_map = page.locator("[data-map]").bounding_box()
        assert zoom and the_map and zoom["x"] - the_map["x"] < 30, "the map's controls moved"
        if width == 1280:
            # The filter is the first column, so it sits at the right, beside the map.
            filters = page.locator(".explore-filters").bounding_box()
            assert filters and filters["x"] > the_map["x"] + the_map["width"]
        assert fits(page)
    finally:
        context.close()
