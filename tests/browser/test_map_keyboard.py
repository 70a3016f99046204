"""The explore map by keyboard alone: a link skips it, its outlines are no stops of their own,
its markers come in reading order, and a cluster opened with Enter zooms in (or spreads out)
with focus kept on the map's strengths rather than thrown to the top of the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from assetmap.domain.query import AssetFilter
from assetmap.storage.assets import read_layer
from assetmap.web import db
from tests.browser.support import LiveServer, Problems
from tests.browser.test_explore import MARKERS, is_features, open_map, untroubled

FOCUSED = """() => {
  const node = document.activeElement;
  return {
    tag: node.tagName.toLowerCase(),
    classes: typeof node.className === "string" ? node.className : "",
    inMarkers: Boolean(node.closest(".leaflet-marker-pane")),
    inMap: Boolean(node.closest("[data-map]")),
    text: (node.getAttribute("aria-label") || node.textContent || "").trim().slice(0, 60),
  };
}"""


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUSED)


def test_a_link_before_the_map_skips_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    open_map(page, f"{live_server.url}/map")
    page.get_by_role("link", name="Clear filters").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip the map")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="List the strengths in this view")).to_be_focused()
    assert untroubled(problems)


def test_the_outlines_are_no_stops_and_each_stop_on_the_map_is_named(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    open_map(page, f"{live_server.url}/map")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(7)
    page.get_by_role("link", name="Skip the map").focus()
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        now = focused(page)
        if not now["inMap"]:
            break
        stops.append(now)
    assert stops, "the map has no stops"
    assert [stop for stop in stops if stop["tag"] == "path"] == []
    markers = [stop for stop in stops if stop["inMarkers"]]
    assert markers, "no marker is reached by keyboard"
    # Every marker says what it is: a strength's title, or how many a cluster holds.
    names = page.locator(f"{MARKERS} [tabindex]").evaluate_all(
        "(icons) => icons.map((icon) => icon.getAttribute('title') || icon.textContent.trim())"
    )
    assert all(names), names
    assert untroubled(problems)


def test_markers_are_reached_in_reading_order(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    open_map(page, f"{live_server.url}/map#15/51.2300/-2.3200")
    page.wait_for_load_state("networkidle")
    expect(page.locator(f"{MARKERS} [tabindex]").first).to_be_visible()
    page.wait_for_timeout(300)
    centres = page.locator(f"{MARKERS} [tabindex]").evaluate_all(
        """(icons) => icons.map((icon) => {
          const box = icon.getBoundingClientRect();
          return [Math.round((box.top + box.height / 2) / 32), box.left + box.width / 2];
        })"""
    )
    assert len(centres) > 3
    assert centres == sorted(centres), "markers are not in reading order"
    assert untroubled(problems)


def test_enter_on_a_cluster_zooms_in_and_keeps_focus_on_its_strengths(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    # Groups meet at their own places, so a cluster of them comes apart as the map zooms in.
    open_map(page, f"{live_server.url}/map?kind=group#13/51.2300/-2.3200")
    page.wait_for_load_state("networkidle")
    cluster = page.locator(f"{MARKERS} .kind-cluster--group").first
    expect(cluster).to_be_visible()
    expect(cluster).to_contain_text(re.compile(r"groups here: select to zoom in"))
    cluster.focus()
    with page.expect_response(is_features):
        page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"#13/"))
    page.wait_for_function(
        "() => document.activeElement.closest('.leaflet-marker-pane') !== null", timeout=5_000
    )
    assert focused(page)["inMarkers"]
    assert untroubled(problems)


def test_enter_on_skills_sharing_a_point_spreads_them_and_focuses_the_first(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    with live_server.app.app_context(), db.database().session() as session:
        skills = read_layer(session, AssetFilter.parse(kinds=["skill"]))
    sizes = skills.groupby([skills.geometry.y, skills.geometry.x]).size()
    lat, lon = sizes.idxmax()
    open_map(page, f"{live_server.url}/map?kind=skill#18/{lat:.6f}/{lon:.6f}")
    page.wait_for_load_state("networkidle")
    cluster = page.locator(f"{MARKERS} .kind-cluster--skill").first
    cluster.focus()
    page.keyboard.press("Enter")
    markers = page.locator(f"{MARKERS} .asset-marker--skill")
    expect(markers).to_have_count(int(sizes.max()), timeout=15_000)
    page.wait_for_function(
        "() => document.activeElement.classList.contains('asset-marker')", timeout=5_000
    )
    assert untroubled(problems)


@pytest.mark.parametrize("key", ["Enter", "Space"])
def test_a_city_view_bubble_pressed_zooms_in_and_keeps_focus_on_the_map(
    live_server: LiveServer, page: Page, problems: Problems, key: str
) -> None:
    answer = open_map(page, f"{live_server.url}/map#11/51.2300/-2.3200")
    assert answer["clustered"] is True
    bubble = page.locator(f"{MARKERS} .map-bubble").first
    bubble.focus()
    with page.expect_response(is_features) as closer:
        page.keyboard.press(key)
    assert closer.value.json()["clustered"] is False
    expect(page).to_have_url(re.compile(r"#1[2-8]/"))
    page.wait_for_function(
        "() => document.activeElement.closest('.leaflet-marker-pane') !== null", timeout=5_000
    )
    assert untroubled(problems)
