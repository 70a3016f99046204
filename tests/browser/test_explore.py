from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, Response, expect

from assetmap.domain.assets import validate_asset
from assetmap.domain.query import AssetFilter
from assetmap.storage.assets import add_asset, read_layer
from assetmap.web import db
from tests.browser.conftest import TILES
from tests.browser.support import LiveServer, Problems, axe_violations

MARKERS = ".leaflet-marker-pane"


def untroubled(problems: Problems) -> bool:
    """Return whether the page met no failure other than tiles Leaflet stopped loading."""
    failed = [failure for failure in problems.failed if TILES not in failure]
    return failed == [] and problems.errors == []


def is_features(response: Response) -> bool:
    return "/api/map/features?" in response.url


def open_map(page: Page, url: str) -> Any:
    """Open a map page and return the features answer it drew."""
    with page.expect_response(is_features) as answer:
        page.goto(url)
    expect(page.locator("#explore-status")).not_to_be_empty()
    return answer.value.json()


def a_group(live_server: LiveServer, title: str) -> dict[str, Any]:
    with live_server.app.app_context(), db.database().session() as session:
        layer = read_layer(session, AssetFilter.parse(kinds=["group"]))
    row = layer[layer["title"] == title].iloc[0]
    return {"id": int(row["id"]), "lon": row.geometry.x, "lat": row.geometry.y}


def test_the_map_loads_its_strengths_with_no_failed_request(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    answer = open_map(page, f"{live_server.url}/map")
    assert answer["clustered"] is False and len(answer["features"]) == 340
    expect(page.locator("#explore-status")).to_have_text("Showing 340 strengths in this area.")
    expect(page.locator(f"{MARKERS} .kind-cluster--skill").first).to_be_visible()
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(7)
    assert untroubled(problems)


def test_each_layer_toggles(live_server: LiveServer, page: Page, problems: Problems) -> None:
    open_map(page, f"{live_server.url}/map")
    layers = {
        "Skills": f"{MARKERS} .kind-cluster--skill, {MARKERS} .asset-marker--skill",
        "Groups": f"{MARKERS} .kind-cluster--group, {MARKERS} .asset-marker--group",
        "Spaces": f"{MARKERS} .kind-cluster--space, {MARKERS} .asset-marker--space",
        "Neighbourhoods": ".leaflet-overlay-pane path",
    }
    control = page.locator(".leaflet-control-layers")
    control.hover()
    for name, shown in layers.items():
        checkbox = control.get_by_role("checkbox", name=name)
        expect(page.locator(shown).first).to_be_visible()
        checkbox.uncheck()
        expect(page.locator(shown)).to_have_count(0)
        checkbox.check()
        expect(page.locator(shown).first).to_be_visible()
    assert untroubled(problems)


def test_hiding_a_kind_takes_it_out_of_the_city_views_counts(
    live_server: LiveServer, page: Page
) -> None:
    open_map(page, f"{live_server.url}/map#11/51.2300/-2.3200")
    expect(page.locator("#explore-status")).to_contain_text("340 strengths in and around")
    control = page.locator(".leaflet-control-layers")
    control.hover()
    control.get_by_role("checkbox", name="Skills").uncheck()
    expect(page.locator("#explore-status")).to_contain_text("187 strengths in and around")


def test_a_cluster_of_the_city_view_zooms_in_when_selected(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    answer = open_map(page, f"{live_server.url}/map#11/51.2300/-2.3200")
    assert answer["clustered"] is True
    bubble = page.locator(f"{MARKERS} .map-bubble").first
    expect(bubble).to_contain_text("strengths here")
    with page.expect_response(is_features) as closer:
        bubble.click()
    assert closer.value.json()["clustered"] is False
    expect(page).to_have_url(re.compile(r"#1[2-8]/"))
    expect(page.locator(f"{MARKERS} .map-bubble")).to_have_count(0)
    expect(page.locator(f"{MARKERS} .kind-cluster--group").first).to_be_visible()
    assert untroubled(problems)


def test_skills_sharing_a_point_spread_out_when_selected(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    with live_server.app.app_context(), db.database().session() as session:
        skills = read_layer(session, AssetFilter.parse(kinds=["skill"]))
    sharing = skills.groupby([skills.geometry.y, skills.geometry.x]).size().idxmax()
    count = int(skills.groupby([skills.geometry.y, skills.geometry.x]).size().max())
    open_map(page, f"{live_server.url}/map?kind=skill#18/{sharing[0]:.6f}/{sharing[1]:.6f}")
    markers = page.locator(f"{MARKERS} .asset-marker--skill")
    expect(markers).to_have_count(0)
    page.wait_for_load_state("networkidle")
    page.locator(f"{MARKERS} .kind-cluster--skill").first.click()
    expect(markers).to_have_count(count, timeout=15_000)
    assert untroubled(problems)


def hostile_group(live_server: LiveServer, title: str) -> dict[str, Any]:
    raw = {"kind": "group", "title": title, "themes": ["food"], "lon": -2.3262, "lat": 51.2331}
    with live_server.app.app_context(), db.database().session() as session:
        add_asset(session, validate_asset(raw), owner_id=None, cell_m=400.0)
        session.commit()
    return a_group(live_server, title)


def test_a_popup_opens_with_escaped_text_and_links_to_the_strengths_page(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    title = "Pie & mash <b>quiz</b> <img src=x onerror=alert(1)> night"
    group = hostile_group(live_server, title)
    where = f"#18/{group['lat']:.6f}/{group['lon']:.6f}"
    open_map(page, f"{live_server.url}/map?kind=group&q=pie+mash+quiz{where}")
    page.locator(f'{MARKERS} [title="{title}"]').click()
    link = page.locator(".leaflet-popup-content a")
    expect(link).to_have_text(title)
    expect(page.locator(".leaflet-popup-content b, .leaflet-popup-content img")).to_have_count(0)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Group · ")
    link.click()
    expect(page).to_have_url(f"{live_server.url}/assets/{group['id']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert untroubled(problems)


def test_the_list_shows_the_strengths_the_map_shows_for_the_same_filter(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    answer = open_map(page, f"{live_server.url}/map?kind=space&theme=food")
    on_map = sorted(feature["properties"]["title"] for feature in answer["features"])
    expect(page.locator("#explore-status")).to_have_text(
        f"Showing {len(on_map)} strengths in this area."
    )
    page.get_by_role("link", name="List the strengths in this view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("List of strengths")
    expect(page.locator(".explore-filters").get_by_label("Spaces")).to_be_checked()
    expect(page.locator(".explore-filters").get_by_label("Food")).to_be_checked()
    listed = page.locator(".explore-table tbody tr td:first-child a").all_inner_texts()
    assert 0 < len(on_map) <= 50 and sorted(listed) == on_map
    assert untroubled(problems)


def test_panning_loads_the_strengths_of_the_new_area(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    first = open_map(page, f"{live_server.url}/map#17/51.2240/-2.3400")
    seen = {feature["properties"]["id"] for feature in first["features"]}
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_response(is_features) as later:
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x - 600, y + 250, steps=12)
        page.mouse.up()
    arrived = [f["properties"] for f in later.value.json()["features"]]
    new = [p["title"] for p in arrived if p["id"] not in seen]
    assert new, "the new area holds strengths the first did not"
    expect(
        page.locator(f'{MARKERS} [title="{new[0]}"], {MARKERS} .marker-cluster').first
    ).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"#17/51\.22400/-2\.34000$"))
    assert untroubled(problems)


def test_a_shared_link_opens_on_the_same_view_and_filter(
    live_server: LiveServer, page: Page
) -> None:
    answer = open_map(page, f"{live_server.url}/map?kind=skill&q=garden#16/51.23100/-2.31500")
    assert {f["properties"]["kind"] for f in answer["features"]} <= {"skill"}
    expect(page.locator(".explore-filters").get_by_label("Skills")).to_be_checked()
    expect(page.get_by_label("Words")).to_have_value("garden")
    assert page.url.endswith("#16/51.23100/-2.31500")


def test_the_map_passes_axe(live_server: LiveServer, page: Page) -> None:
    open_map(page, f"{live_server.url}/map")
    expect(page.locator(f"{MARKERS} .kind-cluster").first).to_be_visible()
    assert axe_violations(page) == []


def test_the_list_passes_axe(live_server: LiveServer, page: Page, problems: Problems) -> None:
    page.goto(f"{live_server.url}/list?sort=confirmed")
    expect(page.locator(".govuk-pagination")).to_be_visible()
    assert axe_violations(page) == []
    assert untroubled(problems)


def test_a_strengths_page_shows_it_on_a_small_map(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    group = a_group(live_server, "Trinity Community Choir")
    page.goto(f"{live_server.url}/assets/{group['id']}")
    expect(page.locator(".asset-map .leaflet-marker-icon")).to_be_visible()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert axe_violations(page) == []
    assert untroubled(problems)


def test_the_map_works_on_a_phone(live_server: LiveServer, phone: Page, problems: Problems) -> None:
    open_map(phone, f"{live_server.url}/map")
    expect(phone.locator(".folium-map")).to_be_visible()
    expect(phone.locator(f"{MARKERS} .kind-cluster").first).to_be_visible()
    assert untroubled(problems)
