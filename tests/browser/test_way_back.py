"""In Chromium: a coach reads a consented contact on a strength's page and in the search map's
popup; an owner shows again a strength hidden for being unconfirmed, and brings back one they
withdrew; an owner is mailed when a moderator shows their strength again."""

from __future__ import annotations

import email
import re
import time
from email import policy
from pathlib import Path

from playwright.sync_api import Page, expect

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.storage import moderation
from assetmap.web import db
from tests.browser.support import LiveServer, Problems

CONTACT = "ring Sam on 07700 900456"
POINT = (-2.3213, 51.2300)


def add_skill(live_server: LiveServer, owner_id: int, **extra: object) -> int:
    raw = {
        "kind": "skill",
        "title": "Sourdough baking",
        "themes": ["food"],
        "share_modes": ["teach"],
        "contact": CONTACT,
        "contact_via_coach": True,
        "lon": POINT[0],
        "lat": POINT[1],
        **extra,
    }
    with live_server.app.app_context(), db.database().session() as session:
        asset = store.add_asset(session, validate_asset(raw), owner_id=owner_id, cell_m=400.0)
        session.commit()
        return asset.id


def hide_as_unconfirmed(live_server: LiveServer, asset_id: int) -> None:
    with live_server.app.app_context(), db.database().session() as session:
        moderation.hide_asset(session, asset_id, by=None, reason="Not confirmed for a long while")
        session.commit()


def mail_to(live_server: LiveServer, address: str, subject: str) -> str:
    outbox = Path(live_server.app.config["MAIL_OUTBOX_DIR"])
    deadline = time.monotonic() + 30  # mail leaves after the answer, from a thread of its own
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address and subject in message["Subject"]:
                return message.get_content()  # type: ignore[attr-defined,no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"no mail to {address} about {subject!r}")


def test_a_coach_reads_a_consented_contact_on_the_page_and_in_the_map_popup(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("sam@example.org")
    live_server.add_user("cora@example.org", role="coach")
    asset_id = add_skill(live_server, owner)
    live_server.sign_in_as(page, "cora@example.org")
    page.goto(f"{live_server.url}/assets/{asset_id}")
    expect(page.locator("[data-contact]")).to_contain_text(CONTACT)
    page.goto(f"{live_server.url}/search?where=point&at={POINT[0]},{POINT[1]}")
    page.locator(f'.search-marker[data-asset-id="{asset_id}"]').click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(CONTACT)
    assert problems.failed == [] and problems.errors == []


def test_an_owner_shows_again_a_strength_hidden_for_being_unconfirmed(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("sam@example.org")
    asset_id = add_skill(live_server, owner)
    hide_as_unconfirmed(live_server, asset_id)
    live_server.sign_in_as(page, "sam@example.org")
    page.goto(f"{live_server.url}/strengths/mine")
    card = page.locator(f'[data-strength="{asset_id}"]')
    expect(card.locator("[data-status]")).to_have_text(
        "Hidden until you confirm it is still current"
    )
    expect(card.get_by_text("Answer the moderators")).to_have_count(0)
    card.get_by_role("button", name=re.compile("It is still current: show it again")).click()
    expect(page.get_by_text("It is public again")).to_be_visible()
    expect(card.locator("[data-status]")).to_have_text("Public")
    assert problems.failed == [] and problems.errors == []


def test_an_owner_withdraws_a_strength_and_brings_it_back(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("sam@example.org")
    asset_id = add_skill(live_server, owner)
    live_server.sign_in_as(page, "sam@example.org")
    page.goto(f"{live_server.url}/strengths/mine")
    card = page.locator(f'[data-strength="{asset_id}"]')
    card.get_by_role("link", name=re.compile("Withdraw")).click()
    page.get_by_role("button", name="Withdraw it").click()
    expect(card.locator("[data-status]")).to_have_text("Withdrawn: nobody else sees it")
    card.get_by_role("button", name=re.compile("Bring it back")).click()
    expect(page.get_by_text("Everyone can see it again")).to_be_visible()
    expect(card.locator("[data-status]")).to_have_text("Public")
    page.goto(f"{live_server.url}/assets/{asset_id}/history")
    expect(page.get_by_text("Brought back by its owner")).to_be_visible()
    assert problems.failed == [] and problems.errors == []


def test_an_owner_is_mailed_when_a_moderator_shows_their_strength_again(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    owner = live_server.add_user("sam@example.org")
    live_server.add_user("ada@example.org", role="admin")
    asset_id = add_skill(live_server, owner, title="Bread club")
    live_server.sign_in_as(page, "ada@example.org")
    page.goto(f"{live_server.url}/moderation/assets/{asset_id}/hide")
    page.get_by_label("Why is it being hidden?").fill("Checking the details")
    page.get_by_role("button", name="Hide it").click()
    page.locator(f'[data-hidden="{asset_id}"]').get_by_role(
        "button", name=re.compile("Show it again")
    ).click()
    expect(page.get_by_text("Its owner has been told")).to_be_visible()
    assert "Bread club" in mail_to(live_server, "sam@example.org", "is on the map again")
    assert problems.failed == [] and problems.errors == []
