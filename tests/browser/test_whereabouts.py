"""Where a strength is, in words, as people see it; and the pin picker opening on the area."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from shapely.geometry import MultiLineString

from assetmap.domain.privacy import public_point
from assetmap.domain.vocab import Kind
from assetmap.storage.area import stored_area
from assetmap.storage.models import Asset
from assetmap.web import db
from assetmap.web.geocoding import whereabouts
from tests.browser.support import LiveServer, Problems, axe_violations
from tests.browser.test_residents import describe_skill, pinned, sign_up


def in_words(server: LiveServer, lon: float, lat: float) -> str:
    with server.app.test_request_context(), db.database().session() as session:
        words = whereabouts(session, lon, lat)
        assert words
        return words


def test_a_strength_page_says_where_it_is_in_words(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    with live_server.app.app_context(), db.database().session() as session:
        space = session.scalars(sa.select(Asset).where(Asset.kind == Kind.SPACE).limit(1)).one()
        asset_id, lon, lat = space.id, space.public_lon, space.public_lat
    page.goto(f"{live_server.url}/assets/{asset_id}")
    expect(page.locator("[data-where]")).to_have_text(in_words(live_server, lon, lat))
    expect(page.locator("[data-where]")).to_contain_text(" neighbourhood")
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_a_skills_preview_says_where_its_public_point_is_in_words(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "robin@example.org")
    describe_skill(page)
    page.locator(".strength-map--picker .folium-map").click()
    lon, lat = pinned(page)
    page.get_by_role("button", name="Continue with this point").click()
    expect(page.get_by_role("heading", name="Check it before you publish")).to_be_visible()
    public = public_point("skill", lon, lat, 400.0)
    expect(page.locator("[data-where]")).to_have_text(in_words(live_server, *public))
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_the_pin_picker_opens_on_the_whole_area_with_its_outline(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "robin@example.org")
    describe_skill(page)
    shown = page.evaluate(
        "() => { const b = assetmapMap(document.querySelector('[data-place-picker]')).map"
        ".getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }"
    )
    with live_server.app.app_context(), db.database().session() as session:
        area = stored_area(session)
    assert area is not None, "the demo's neighbourhoods give no area"
    west, south, east, north = area.bbox.as_tuple()
    assert shown[0] <= west and shown[1] <= south and shown[2] >= east and shown[3] >= north
    outline = page.locator(".strength-map--picker path.map-area")
    expect(outline).to_be_visible()
    frame = page.locator(".strength-map--picker .folium-map").bounding_box()
    drawn = outline.bounding_box()
    assert frame and drawn
    # Fitted to the frame, the outline fills it across or down, whichever its shape allows.
    assert max(drawn["width"] / frame["width"], drawn["height"] / frame["height"]) > 0.5
    assert drawn_outline(page).hausdorff_distance(area.outline.boundary) < 0.0001
    page.locator(".strength-map--picker .folium-map").click()
    expect(page.get_by_text("Pin placed at latitude")).to_be_visible()
    assert problems.failed == [] and problems.errors == []


def drawn_outline(page: Page) -> MultiLineString:
    """Return the line the picker's map draws round the area, as lon, lat rings."""
    rings = page.evaluate(
        "() => { const found = []; assetmapMap(document.querySelector('[data-place-picker]'))"
        ".map.eachLayer((layer) => { if (layer.options.className === 'map-area') {"
        " found.push(...layer.getLatLngs().map((ring) => ring.map((p) => [p.lng, p.lat]))); }"
        " }); return found; }"
    )
    assert rings, "the area is not outlined"
    return MultiLineString([[*ring, ring[0]] for ring in rings])
