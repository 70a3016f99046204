"""A strength is placed and moved without dragging (WCAG 2.2, 2.5.7 "Dragging movements"), from
the keyboard alone: the pin is put in the middle of the map with a button, then moved with the
arrow keys while it has focus, on adding a strength and on moving it later."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from assetmap.storage.models import Asset
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

EMAIL = "keys@example.org"


def pinned(page: Page) -> tuple[float, float]:
    return float(page.get_by_label("Longitude").input_value()), float(
        page.get_by_label("Latitude").input_value()
    )


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def describe_by_keyboard(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/strengths/new")
    page.get_by_label("A group").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    page.get_by_label("What is the group called?").focus()
    page.keyboard.type("Keyboard choir")
    page.get_by_label("Arts").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Continue").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Where is the group?")).to_be_visible()
    page.wait_for_load_state()


def test_a_strength_is_placed_and_moved_with_the_keyboard_alone(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user(EMAIL)
    live_server.sign_in_as(page, EMAIL)
    describe_by_keyboard(page, live_server)

    # Put the pin where the map is, by a button rather than a click on the map.
    page.get_by_role("button", name="Put the pin in the middle of the map").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Pin placed at latitude")).to_be_visible()
    placed_lon, placed_lat = pinned(page)

    # The pin takes focus, and the arrow keys move it: right and up, east and north.
    pin = page.locator("[data-pin]")
    expect(pin).to_have_attribute("tabindex", "0")
    pin.focus()
    centre = page.evaluate(
        """() => {
          const name = document.querySelector(".strength-map--picker").dataset.map;
          const centre = window.assetmapMaps[name].map.getCenter();
          return [centre.lng, centre.lat];
        }"""
    )
    press(page, "ArrowRight", 3)
    press(page, "ArrowUp", 2)
    expect(page.get_by_text("Pin moved to latitude")).to_be_visible()
    moved_lon, moved_lat = pinned(page)
    assert moved_lon > placed_lon and moved_lat > placed_lat
    # The keys moved the pin, not the map under it.
    after = page.evaluate(
        """() => {
          const name = document.querySelector(".strength-map--picker").dataset.map;
          const centre = window.assetmapMaps[name].map.getCenter();
          return [centre.lng, centre.lat];
        }"""
    )
    assert after == centre
    assert axe_violations(page) == []

    page.get_by_role("button", name="Continue with this point").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check it before you publish")).to_be_visible()
    expect(page.get_by_text(f"{moved_lat:.5f}, {moved_lon:.5f}")).to_be_visible()
    page.get_by_role("button", name="Publish").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("“Keyboard choir” is published")).to_be_visible()

    # Later, moving it: the pin starts where it is, and Shift with an arrow moves it further.
    page.get_by_role("link", name="Move Keyboard choir").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Where is the group?")).to_be_visible()
    page.wait_for_load_state()
    assert pinned(page) == (moved_lon, moved_lat)
    page.locator("[data-pin]").focus()
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_text("Pin moved to latitude")).to_be_visible()
    again_lon, again_lat = pinned(page)
    assert again_lon < moved_lon and again_lat < moved_lat
    page.get_by_role("button", name="Continue with this point").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your changes to “Keyboard choir” are saved.")).to_be_visible()
    with live_server.app.app_context(), db.database().session() as session:
        asset = session.scalars(sa.select(Asset).where(Asset.title == "Keyboard choir")).one()
        stored = (round(asset.public_lon, 6), round(asset.public_lat, 6))
    assert stored == (again_lon, again_lat)
    assert problems.failed == [] and problems.errors == []
