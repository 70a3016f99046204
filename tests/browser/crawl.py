"""Walking every page in the browser: the pages each person can open, found from the app's
routes with real ids from the seeded demo (the same walk ``tests/web/test_every_route.py``
makes), and what each page is checked for.

A page is every GET route that answers HTML, asked with each set of real arguments that gives
a different page (a strength of each kind), and, for a page that reads its query, with each
query the route walk asks it with too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import BrowserContext, Page
from werkzeug.serving import make_server

from assetmap import create_app
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.browser.support import AXE
from tests.trust.world import config
from tests.web.helpers import sign_in_by_cookie
from tests.web.test_every_route import VISITOR, Demo, addresses, build, routes

# Where the app serves no page for a person to read.
NOT_PAGES = ("/api/", "/static/", "/healthz")


@dataclass
class Served:
    """The demo, served on a free port of 127.0.0.1 in a thread."""

    app: Flask
    demo: Demo
    url: str


@contextmanager
def serve_demo(folder: Path, tiles: str) -> Iterator[Served]:
    """Seed the route walk's demo into a SQLite file and serve it."""
    demo = build(f"sqlite:///{folder / 'demo.db'}", folder)
    app = create_app(
        config(
            folder / "demo.db",
            DATABASE_URL=demo.url,
            TESTING=False,
            MAP_TILES_URL=f"{tiles}/{{z}}/{{x}}/{{y}}.png",
        )
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(app, demo, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        db.database(app).dispose()


def session_cookie(served: Served, who: str) -> dict[str, Any] | None:
    """Return the session cookie that signs ``who`` in (None for a visitor), made once."""
    if who == VISITOR:
        return None
    client = served.app.test_client()
    sign_in_by_cookie(served.app, client, served.demo.users[who])
    name = served.app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie for {who}"
    return {"name": name, "value": cookie.value, "url": served.url}


# Pages that show a strength differently by its kind: walked for a strength of each kind.
BY_KIND = frozenset({"pages.asset", "strengths.edit", "strengths.location"})


def pages_for(served: Served, who: str, *, each_kind: bool = True) -> list[str]:
    """Return the address of every page ``who`` can open: each route that answers HTML, and
    each query it is asked with; with ``each_kind``, a strength's own pages once for a
    strength of each kind."""
    app, demo = served.app, served.demo
    with app.app_context():
        kinds = {n: kind for n, kind in db.session().execute(sa.select(Asset.id, Asset.kind))}
    client = app.test_client()
    if who != VISITOR:
        sign_in_by_cookie(app, client, demo.users[who])
    found: list[str] = []
    for rule, method in routes(app):
        if method != "GET" or rule.rule.startswith(NOT_PAGES):
            continue
        seen: set[tuple[Any, str]] = set()
        for url in addresses(app, demo, rule, method):
            path, _, query = url.partition("?")
            number = re.search(r"/(\d+)", path)
            kind = kinds.get(int(number.group(1))) if number else None
            # One page for each shape of query, not for each strength it names.
            key = (
                kind if each_kind and rule.endpoint in BY_KIND else None,
                re.sub(r"\d+", "#", query),
            )
            if key in seen:
                continue
            answer = client.get(url)
            if answer.status_code == 200 and answer.mimetype == "text/html":
                seen.add(key)
                found.append(url)
    return found


# What a page is checked for besides axe: at 360 px, whether it scrolls sideways.
WIDTH_CHECK = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  widest: [...document.querySelectorAll("body *")]
    .filter((node) => node.getBoundingClientRect().right > window.innerWidth + 1)
    .filter((node) => !node.closest(".govuk-visually-hidden, .govuk-skip-link, .leaflet-container"))
    .slice(-3)
    .map((node) => node.tagName.toLowerCase() + (node.id ? "#" + node.id : "")
      + (node.className && typeof node.className === "string"
         ? "." + node.className.trim().split(/\\s+/).join(".") : "")),
})"""

# axe-core with WCAG 2.2's target size (24 by 24 px, or spaced so) switched on: axe leaves it
# off by default. It passes links in running text, as WCAG exempts them; a map's pins are
# passed here, as WCAG's understanding of 2.5.8 exempts them too (their place is the point).
AXE_RUN = """() => axe.run(document, {
  resultTypes: ["violations"],
  rules: { "target-size": { enabled: true } },
}).then((result) => result.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.filter((n) => !(
    // A map's pins sit where their places are: WCAG 2.5.8 counts that position essential.
    v.id === "target-size" && n.target.length === 1
    && document.querySelector(n.target[0])?.closest(".leaflet-marker-pane")
  )) }))
  .filter((v) => v.nodes.length)
  .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) })))"""


# Start axe and keep what it finds in the page, so the next page can open meanwhile.
START_AXE = f"""() => {{
  window.axeFound = null;
  ({AXE_RUN})().then((found) => {{ window.axeFound = found; }});
}}"""


def _open(page: Page, url: str) -> str | None:
    """Open a page and start axe on it, without waiting for its answer; say if it failed."""
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        return f"answered {response.status if response else 'nothing'}"
    if page.locator("[data-explore]").count():
        # The explore map's markers arrive after the page loads: check them too.
        page.wait_for_function(
            "() => document.getElementById('explore-status').textContent !== ''"
            " && !document.querySelector('[data-explore][aria-busy]')",
            polling=50,
        )
    page.evaluate(START_AXE)
    return None


def _finish(page: Page, *, phone: bool) -> list[str]:
    """Wait for axe on an opened page and return what is wrong with it."""
    page.wait_for_function("() => window.axeFound !== null", polling=50, timeout=60_000)
    found: list[str] = []
    for violation in page.evaluate("() => window.axeFound"):
        targets = ", ".join(violation["targets"][:4])
        more = len(violation["targets"]) - 4
        found.append(
            f"{violation['id']} ({violation['impact']}) at {targets}"
            + (f" and {more} more" if more > 0 else "")
        )
    if phone:
        width = page.evaluate(WIDTH_CHECK)
        if width["scrollWidth"] > width["innerWidth"]:
            found.append(
                f"scrolls sideways: {width['scrollWidth']} px wide in {width['innerWidth']} px,"
                f" past the edge: {', '.join(width['widest'])}"
            )
    return found


def check_pages(pages: list[Page], urls: list[str], *, phone: bool) -> dict[str, list[str]]:
    """Check each address and return what is wrong with each page.

    Two tabs take turns: while axe reads one page, the next opens in the other, so the
    browser and the server work at once.
    """
    found: dict[str, list[str]] = {}
    waiting: list[tuple[Page, str]] = []
    for n, url in enumerate(urls):
        page = pages[n % len(pages)]
        if waiting and waiting[0][0] is page:
            done, done_url = waiting.pop(0)
            found[done_url] = _finish(done, phone=phone)
        failed = _open(page, url)
        if failed:
            found[url] = [failed]
        else:
            waiting.append((page, url))
        if len(waiting) >= len(pages):
            done, done_url = waiting.pop(0)
            found[done_url] = _finish(done, phone=phone)
    for done, done_url in waiting:
        found[done_url] = _finish(done, phone=phone)
    return {url: problems for url, problems in found.items() if problems}


def prepare(context: BrowserContext, cookie: dict[str, Any] | None) -> None:
    """Give every page the context opens axe-core, and sign the context in."""
    context.add_init_script(path=AXE)
    if cookie:
        context.add_cookies([cookie])  # type: ignore[list-item]
