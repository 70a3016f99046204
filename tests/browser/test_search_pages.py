"""A coach pages through every strength a search finds, and the map starts where it should."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from assetmap.storage import assets as store
from assetmap.web import db
from assetmap.web.geocoding import geocoder
from tests.browser.support import LiveServer, Problems, axe_violations

LIST = "els => els.map(e => [Number(e.dataset.rank), Number(e.dataset.assetId)])"
MAP = (
    "els => els.map(e => [Number(e.dataset.rank), Number(e.dataset.assetId)])"
    ".sort((a, b) => a[0] - b[0])"
)
# Whether anything but a result's own marker is on top at the middle of each marker.
COVERED = """els => els.filter(e => {
  const box = e.getBoundingClientRect();
  const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
  return top !== null && top.closest('.search-marker') === null;
}).map(e => Number(e.dataset.rank))"""
SEARCH = "where=place&place=BA11+1BN&radius=1600"


def counted(server: LiveServer, place: str, radius_m: float) -> int:
    with server.app.test_request_context(), db.database().session() as session:
        origin = geocoder().lookup(place)[0]
        return store.count_near(session, origin.lon, origin.lat, radius_m)


def test_a_coach_pages_through_every_strength_the_search_finds(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    total = counted(live_server, "BA11 1BN", 1600)
    page.goto(f"{live_server.url}/search?{SEARCH}")
    expect(page.locator("#results-heading")).to_have_text(
        re.compile(rf"{total:,} strengths within 1,600 m of BA11 1BN")
    )
    seen: list[int] = []
    while True:
        listed = page.locator(".search-result").evaluate_all(LIST)
        expect(page.locator(".search-marker")).to_have_count(len(listed))
        assert page.locator(".search-marker").evaluate_all(MAP) == listed
        seen += [rank for rank, _ in listed]
        after = page.get_by_role("link", name="Next page")
        if after.count() == 0:
            break
        after.click()
        page.wait_for_url(re.compile(rf"page={len(seen) // 50 + 1}"))
    assert seen == list(range(1, total + 1))
    assert total > 300
    assert problems.failed == [] and problems.errors == []


def test_a_later_page_passes_axe_and_fits_the_map_to_its_strengths(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/search?{SEARCH}&page=2")
    expect(page.get_by_text("Showing 51 to 100, nearest first")).to_be_visible()
    frame = page.locator(".search-map .folium-map").bounding_box()
    assert frame
    for marker in page.locator(".search-marker").all():
        box = marker.bounding_box()
        assert box
        assert frame["x"] <= box["x"] + box["width"] / 2 <= frame["x"] + frame["width"]
        assert frame["y"] <= box["y"] + box["height"] / 2 <= frame["y"] + frame["height"]
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_the_print_list_holds_every_strength_the_search_finds(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    total = counted(live_server, "BA11 1BN", 1600)
    page.goto(f"{live_server.url}/search?{SEARCH}&page=3")
    page.get_by_role("link", name="Print-friendly list").click()
    page.wait_for_url(re.compile(r"/search/print"))
    expect(page.locator(".print-list__item")).to_have_count(total)
    assert problems.failed == [] and problems.errors == []


def test_the_origin_is_marked_apart_and_covers_no_result(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/search?where=place&place=Market+Place&radius=400")
    origin = page.locator(".search-map path.map-origin")
    expect(origin).to_have_count(1)
    expect(page.locator(".search-map .leaflet-marker-icon:not(.search-marker)")).to_have_count(0)
    assert page.locator(".search-marker").evaluate_all(COVERED) == []
    assert problems.failed == [] and problems.errors == []
