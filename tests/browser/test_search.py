from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.support import LiveServer, Problems, axe_violations

LIST_IDS = "els => els.map(e => e.dataset.assetId)"
MAP_IDS = (
    "els => els.map(e => [Number(e.dataset.rank), e.dataset.assetId])"
    ".sort((a, b) => a[0] - b[0]).map(pair => pair[1])"
)


def test_a_coach_types_a_place_and_the_map_and_list_agree(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("cleo@example.org", role="coach")
    live_server.sign_in_as(page, "cleo@example.org")
    page.goto(f"{live_server.url}/search")
    page.get_by_label("Postcode, street or place", exact=True).focus()
    page.keyboard.type("Market Place")
    page.keyboard.press("Enter")
    heading = page.get_by_role(
        "heading", name=re.compile(r"strengths within 800 m of Market Place")
    )
    expect(heading).to_be_visible()
    listed = page.locator(".search-result").evaluate_all(LIST_IDS)
    expect(page.locator(".search-marker")).to_have_count(len(listed))
    assert page.locator(".search-marker").evaluate_all(MAP_IDS) == listed
    assert len(listed) == 50
    assert "where=place" in page.url and "place=Market+Place" in page.url
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_the_search_page_passes_axe_before_a_search(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/search")
    expect(page.get_by_role("heading", name="Find strengths nearby")).to_be_visible()
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_clicking_the_map_searches_from_that_point(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/search")
    page.locator(".search-map .folium-map").click(position={"x": 300, "y": 260})
    page.wait_for_url(re.compile(r"where=point"))
    expect(page.get_by_role("heading", name=re.compile(r"of the point"))).to_be_visible()
    listed = page.locator(".search-result").evaluate_all(LIST_IDS)
    assert page.locator(".search-marker").evaluate_all(MAP_IDS) == listed
    assert problems.failed == [] and problems.errors == []


def test_on_a_phone_the_list_follows_the_map(
    live_server: LiveServer, phone: Page, problems: Problems
) -> None:
    phone.goto(f"{live_server.url}/search?where=place&place=Market+Place&radius=400")
    the_map = phone.locator(".search-map").bounding_box()
    the_list = phone.locator(".search-results").bounding_box()
    assert the_map and the_list
    assert the_map["y"] + the_map["height"] <= the_list["y"]
    assert the_list["width"] <= 360
    assert axe_violations(phone) == []
    assert problems.failed == [] and problems.errors == []


def test_a_results_popup_links_to_its_page_and_says_how_far_it_is(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/search?where=place&place=Market+Place")
    first = page.locator(".search-result").first
    asset_id = first.get_attribute("data-asset-id")
    away = re.search(r"[\d,]+ m away", first.inner_text())
    assert asset_id and away, "the first result says nothing of how far it is"
    page.locator(f'.search-marker[data-asset-id="{asset_id}"]').dispatch_event("click")
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup.locator("a.map-popup__title")).to_have_attribute("href", f"/assets/{asset_id}")
    expect(popup.locator(".map-popup__meta")).to_contain_text(away.group(0))
    assert problems.failed == [] and problems.errors == []
