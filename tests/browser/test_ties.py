from __future__ import annotations

from playwright.sync_api import Page, expect

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

GROUP = "Tuesday knitters circle"
SPACE = "Badcox meeting room"


def add(live_server: LiveServer, owner: int | None, kind: str, title: str) -> int:
    raw = {"kind": kind, "title": title, "themes": ["arts"], "lon": -2.3205, "lat": 51.2291}
    with live_server.app.app_context(), db.database().session() as session:
        asset = store.add_asset(session, validate_asset(raw), owner_id=owner, cell_m=400.0)
        session.commit()
        return asset.id


def test_a_groups_owner_says_where_it_meets_and_both_pages_show_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("knitter@example.org")
    group, space = add(live_server, owner, "group", GROUP), add(live_server, None, "space", SPACE)
    live_server.sign_in_as(page, "knitter@example.org")
    page.goto(f"{live_server.url}/assets/{group}")
    page.get_by_role("link", name="Say where it meets").click()
    expect(page.get_by_role("heading", name="Where does it meet?")).to_be_visible()
    page.get_by_label("Name of the space").fill("badcox")
    page.get_by_role("button", name="Search").click()
    page.get_by_label(SPACE).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Say where it meets").click()

    expect(page).to_have_url(f"{live_server.url}/assets/{group}")
    expect(page.get_by_role("alert")).to_contain_text(f"meets at “{SPACE}”")
    ties = page.locator("[data-ties]")
    expect(ties.locator(".govuk-summary-list__row", has_text="Meets at")).to_contain_text(SPACE)

    ties.get_by_role("link", name=SPACE, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/assets/{space}")
    here = page.locator("[data-ties] .govuk-summary-list__row", has_text="Groups that meet here")
    expect(here.get_by_role("link", name=GROUP, exact=True)).to_be_visible()

    page.get_by_role("link", name="Show its ties on the map").click()
    expect(page.locator("[data-ties-shown]")).to_contain_text(f"Groups that meet here: {GROUP}")
    expect(page.locator("path.map-tie")).to_have_count(1)
    assert problems.failed == [] and problems.errors == []
