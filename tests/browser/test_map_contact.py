"""In Chromium: a coach opens a strength's popup on the explore map and reads the contact its
owner agreed coaches may pass on; a resident opening the same popup reads none."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from assetmap.storage.models import Asset
from assetmap.web import db
from tests.browser.support import LiveServer, Problems
from tests.browser.test_explore import MARKERS, open_map, untroubled
from tests.browser.test_way_back import CONTACT, add_skill


def open_popup(live_server: LiveServer, page: Page, asset_id: int) -> None:
    with live_server.app.app_context():
        asset = db.session().get(Asset, asset_id)
        assert asset is not None
        where = f"#18/{asset.public_lat:.6f}/{asset.public_lon:.6f}"
    open_map(page, f"{live_server.url}/map?kind=skill&q=sourdough{where}")
    page.locator(f'{MARKERS} [title="Sourdough baking"]').click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Skill")


def test_a_coach_reads_a_consented_contact_in_the_map_popup(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    asset_id = add_skill(live_server, live_server.add_user("sam@example.org"))
    live_server.add_user("cora@example.org", role="coach")
    live_server.sign_in_as(page, "cora@example.org")
    open_popup(live_server, page, asset_id)
    expect(page.locator(".leaflet-popup-content [data-contact]")).to_contain_text(CONTACT)
    assert untroubled(problems)


def test_a_resident_reads_no_contact_in_the_same_popup(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    asset_id = add_skill(live_server, live_server.add_user("sam@example.org"))
    live_server.add_user("rita@example.org")
    live_server.sign_in_as(page, "rita@example.org")
    with page.expect_response(lambda r: "/contact.json" in r.url) as answer:
        open_popup(live_server, page, asset_id)
    assert answer.value.json() == {"contact": None}
    expect(page.locator(".leaflet-popup-content")).not_to_contain_text(CONTACT)
    assert untroubled(problems)
