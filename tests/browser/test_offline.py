"""Installable and tolerant of poor signal, in Chromium: the manifest, the service worker that
keeps the shell and the pages visited, and a strength added with the network off that waits on
the device, survives the tab being closed, and arrives exactly once when the network returns.

127.0.0.1 is a secure context, so the worker runs over plain HTTP here.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, BrowserContext, Page, expect

from assetmap.storage.models import Asset
from assetmap.web import db
from tests.browser.conftest import BLANK_PNG, TILES
from tests.browser.support import LiveServer, axe_violations

TITLE = "Soup on Saturdays"
# A point in the demo town, typed rather than dragged.
POINT = ("-2.3213", "51.2296")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A browser profile of its own (its own worker, caches and IndexedDB)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    yield context
    context.close()


def until(page: Page, expression: str, timeout_s: float = 10) -> None:
    """Wait until ``expression`` is true in the page (asking again and again, as the page's
    Content-Security-Policy forbids the eval that ``wait_for_function`` uses)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still not true: {expression}"
        time.sleep(0.1)


def controlled(page: Page) -> None:
    """Wait until the service worker is active and looks after this page.

    The worker claims the pages open when it starts, but not one whose navigation was under way
    at that moment (here, the redirect after signing in); that one is looked after from its
    next load, as a person's next page would be.
    """
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    try:
        until(page, "navigator.serviceWorker.controller !== null", timeout_s=3)
    except AssertionError:
        page.reload()
        until(page, "navigator.serviceWorker.controller !== null")


def count_titled(server: LiveServer, title: str) -> int:
    with server.app.app_context(), db.database().session() as session:
        found = session.scalar(
            sa.select(sa.func.count()).select_from(Asset).where(Asset.title == title)
        )
        return found or 0


def test_the_app_is_installable_and_opens_pages_visited_with_no_connection(
    live_server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    page.goto(live_server.url)
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href == "/manifest.webmanifest"
    manifest = page.request.get(live_server.url + href)
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] and body["short_name"]
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    assert body["theme_color"].startswith("#") and body["background_color"].startswith("#")
    sizes = {icon["sizes"] for icon in body["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        answer = page.request.get(live_server.url + icon["src"])
        assert answer.ok and answer.headers["content-type"].startswith(icon["type"])
    assert page.locator('meta[name="theme-color"]').count() == 1

    controlled(page)
    # The worker's own script comes from the root, so it looks after every page.
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"

    page.goto(f"{live_server.url}/list")
    heading = page.get_by_role("heading", level=1).inner_text()
    context.set_offline(True)
    try:
        answer = page.goto(f"{live_server.url}/list")
        assert answer is not None and answer.from_service_worker
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        # The shell was kept too: the page is styled by the kept GOV.UK styles.
        assert page.evaluate("document.styleSheets.length") >= 2
        # A page never visited: the offline page, in place of the browser's error.
        page.goto(f"{live_server.url}/whats-on")
        expect(page.get_by_role("heading", name="No connection")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.set_offline(False)


def add_until_preview(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/strengths/new")
    page.get_by_label("A group").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is the group called?").fill(TITLE)
    page.get_by_label("Food").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Give the point as coordinates").click()
    page.get_by_label("Longitude").fill(POINT[0])
    page.get_by_label("Latitude").fill(POINT[1])
    page.get_by_role("button", name="Continue with this point").click()
    expect(page.get_by_role("heading", name="Check it before you publish")).to_be_visible()
    page.wait_for_load_state()


def test_a_strength_added_offline_waits_and_arrives_once_when_back_online(
    live_server: LiveServer, context: BrowserContext
) -> None:
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    page.goto(f"{live_server.url}/strengths/mine")
    controlled(page)
    page.goto(f"{live_server.url}/strengths/mine")  # now kept by the worker

    add_until_preview(page, live_server)
    context.set_offline(True)
    page.get_by_role("button", name="Publish").click()
    waiting = page.locator("[data-outbox]")
    expect(waiting).to_contain_text("Waiting to send")
    expect(waiting).to_contain_text(TITLE)
    assert page.locator("[data-outbox] [translate=no]").inner_text() == TITLE
    assert count_titled(live_server, TITLE) == 0

    # Closing the tab loses nothing: a new tab, still offline, shows it waiting.
    page.close()
    page = context.new_page()
    answer = page.goto(f"{live_server.url}/strengths/mine")
    assert answer is not None and answer.from_service_worker
    expect(page.locator("[data-outbox]")).to_contain_text(TITLE)
    assert count_titled(live_server, TITLE) == 0

    context.set_offline(False)
    expect(page.locator("[data-outbox]")).not_to_contain_text("Waiting to send", timeout=10_000)
    assert count_titled(live_server, TITLE) == 1

    # However often the pages load now, nothing is sent again.
    page.reload()
    expect(page.locator(".strength-cards")).to_contain_text(TITLE)
    page.wait_for_load_state()
    second = context.new_page()
    second.goto(f"{live_server.url}/strengths/mine")
    second.wait_for_load_state("networkidle")
    assert count_titled(live_server, TITLE) == 1
    assert page.evaluate("assetmapOutbox.all().then(entries => entries.length)") == 0


def test_a_form_sent_online_is_not_kept_twice(
    live_server: LiveServer, context: BrowserContext
) -> None:
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    controlled(page)
    add_until_preview(page, live_server)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"“{TITLE}” is published")).to_be_visible()
    page.wait_for_load_state("networkidle")
    until(page, "assetmapOutbox.all().then(entries => entries.length === 0)")
    page.reload()
    assert count_titled(live_server, TITLE) == 1


def test_a_form_on_its_way_is_never_sent_beside_itself(
    live_server: LiveServer, context: BrowserContext
) -> None:
    """A flush that began before the person pressed Publish (the page's own, or the worker's)
    leaves the form the page is sending alone: sent twice at once, the second answer would
    tell its author it had been sent before."""
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    add_until_preview(page, live_server)
    key = page.locator('input[name="submission_key"]').input_value()
    flushed = page.evaluate(
        """async (key) => {
          const settings = JSON.parse(document.getElementById("assetmap-offline").textContent);
          const form = document.querySelector("form[data-offline-form]");
          const fields = [...new FormData(form).entries()];
          const base = { user: settings.user, action: form.action, title: "", language: "",
                         reopen: "", fields, keptAt: new Date().toISOString() };
          const options = { user: settings.user, check: settings.check, signIn: settings.signIn };
          await assetmapOutbox.keep({ ...base, key, status: "submitted" });
          const page = await assetmapOutbox.flush({ ...options, skip: new Set([key]) });
          const worker = await assetmapOutbox.flush({ ...options, user: "*", waitingOnly: true });
          const left = (await assetmapOutbox.all()).map((entry) => entry.key);
          return { sent: page.results.length + worker.results.length, left };
        }""",
        key,
    )
    assert flushed == {"sent": 0, "left": [key]}
    assert count_titled(live_server, TITLE) == 0

    # The form itself goes once, and says so.
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(f"“{TITLE}” is published")).to_be_visible()
    until(page, "assetmapOutbox.all().then(entries => entries.length === 0)")
    assert count_titled(live_server, TITLE) == 1


def test_a_kept_strength_waits_for_its_author_to_sign_in_again(
    live_server: LiveServer, context: BrowserContext
) -> None:
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    controlled(page)
    add_until_preview(page, live_server)
    context.set_offline(True)
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-outbox]")).to_contain_text("Waiting to send")

    context.clear_cookies()  # the session ends while the phone is offline
    context.set_offline(False)
    outbox = page.locator("[data-outbox]")
    expect(outbox).to_contain_text("you were signed out. Sign in again and it will be sent.")
    assert count_titled(live_server, TITLE) == 0

    live_server.sign_in_as(page, "sam@example.org")
    expect(page.locator("[data-outbox]")).to_contain_text(f"Sent: {TITLE} is published.")
    assert count_titled(live_server, TITLE) == 1
    assert axe_violations(page) == []


def test_a_refused_form_says_so_and_can_be_opened_again_or_discarded(
    live_server: LiveServer, context: BrowserContext
) -> None:
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    controlled(page)
    for _ in range(2):
        add_until_preview(page, live_server)
        context.set_offline(True)
        page.get_by_role("button", name="Publish").click()
        expect(page.locator("[data-outbox]")).to_contain_text("Waiting to send")
        context.set_offline(False)
        # The area shrinks meanwhile, so the server refuses the strength's point.
        live_server.app.config["AREA_BBOX"] = "-2.30,51.19,-2.24,51.27"
        page.goto(f"{live_server.url}/strengths/mine")
        expect(page.locator("[data-outbox]")).to_contain_text("Not sent: the form was refused.")
        live_server.app.config["AREA_BBOX"] = ""
    assert count_titled(live_server, TITLE) == 0
    assert axe_violations(page) == []

    items = page.locator("[data-outbox] li")
    expect(items).to_have_count(2)
    items.first.get_by_role("button", name="Discard").click()
    expect(items).to_have_count(1)
    items.first.get_by_role("button", name="Open it again").click()
    expect(page.get_by_label("What is the group called?")).to_have_value(TITLE)
    page.wait_for_load_state()
    assert page.evaluate("assetmapOutbox.all().then(entries => entries.length)") == 0
    assert count_titled(live_server, TITLE) == 0


def test_signing_out_forgets_the_pages_kept_while_signed_in(
    live_server: LiveServer, context: BrowserContext
) -> None:
    live_server.add_user("sam@example.org")
    page = context.new_page()
    live_server.sign_in_as(page, "sam@example.org")
    controlled(page)
    page.goto(f"{live_server.url}/strengths/mine")
    page.wait_for_load_state()
    kept = "caches.open('assetmap-pages').then(c => c.keys()).then(k => k.map(r => r.url))"
    assert f"{live_server.url}/strengths/mine" in page.evaluate(kept)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/strengths/mine" not in url)
    page.wait_for_load_state()
    assert f"{live_server.url}/strengths/mine" not in page.evaluate(kept)
    context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/strengths/mine")
        expect(page.get_by_role("heading", name="No connection")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text("sam")
    finally:
        context.set_offline(False)
