"""In Chromium: a resident reports a strength, an admin hides it with a reason, the owner sees
the reason, the admin restores it; and the page's CSP blocks an injected inline script."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

SCRIPT = "<script>window.__pwned = 1</script>"


def add_strength(live_server: LiveServer, owner_id: int) -> int:
    raw = {
        "kind": "group",
        "title": "Tuesday knitting circle",
        "description": f"We knit and chat. {SCRIPT}",
        "themes": ["arts"],
        "lon": -2.3213,
        "lat": 51.2300,
    }
    with live_server.app.app_context(), db.database().session() as session:
        asset = store.add_asset(session, validate_asset(raw), owner_id=owner_id, cell_m=400.0)
        session.commit()
        return asset.id


def switch_to(live_server: LiveServer, page: Page, email: str) -> None:
    page.wait_for_load_state("load")
    page.context.clear_cookies()
    live_server.sign_in_as(page, email)


def test_a_report_leads_to_hiding_with_a_reason_the_owner_sees_and_a_restore(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("olive@example.org")
    live_server.add_user("rhys@example.org")
    live_server.add_user("ada@example.org", role="admin")
    asset_id = add_strength(live_server, owner)

    live_server.sign_in_as(page, "rhys@example.org")
    page.goto(f"{live_server.url}/assets/{asset_id}")
    page.get_by_role("link", name="Report it as wrong, out of date or abusive").click()
    page.get_by_label("Out of date").check()
    page.get_by_label("Tell us more").fill("The circle stopped meeting in March")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("A moderator will look at your report")).to_be_visible()

    switch_to(live_server, page, "ada@example.org")
    page.goto(f"{live_server.url}/moderation")
    expect(page.get_by_text("The circle stopped meeting in March")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Hide Tuesday knitting circle").click()
    page.get_by_label("Why is it being hidden?").fill("It no longer meets, as reported")
    page.get_by_role("button", name="Hide it").click()
    expect(page.get_by_text("Its owner has been told why")).to_be_visible()

    switch_to(live_server, page, "olive@example.org")
    page.goto(f"{live_server.url}/strengths/mine")
    card = page.locator(f'[data-strength="{asset_id}"]')
    expect(card.get_by_text("It no longer meets, as reported")).to_be_visible()
    card.get_by_label(re.compile("Answer the moderators")).fill("We restart in June")
    card.get_by_role("button", name=re.compile("Send your answer")).click()

    switch_to(live_server, page, "ada@example.org")
    page.goto(f"{live_server.url}/moderation")
    expect(page.get_by_text("We restart in June")).to_be_visible()
    page.get_by_role("button", name=re.compile("Show it again")).click()
    expect(page.get_by_text("is public again")).to_be_visible()
    response = page.goto(f"{live_server.url}/assets/{asset_id}")
    assert response is not None and response.status == 200
    assert problems.failed == [] and problems.errors == []


def test_the_csp_blocks_an_inline_script_the_app_did_not_write(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("olive@example.org")
    asset_id = add_strength(live_server, owner)
    page.goto(f"{live_server.url}/assets/{asset_id}")
    expect(page.get_by_text(SCRIPT)).to_be_visible()
    assert problems.errors == []
    violated = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation",
                (event) => resolve(event.effectiveDirective));
            const script = document.createElement("script");
            script.textContent = "window.__pwned = 1";
            document.body.appendChild(script);
        })"""
    )
    assert violated.startswith("script-src")
    assert page.evaluate("window.__pwned") is None
