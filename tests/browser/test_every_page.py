"""Every page the app has, opened in Chromium by a visitor and by each role, at 1280 px and on a
360 px phone, and in every shipped language for a visitor and an admin: axe-core finds no
serious or critical violation (WCAG 2.2's target size included), and on a phone no page
scrolls sideways.

Pages are found from the app's routes with real ids from the seeded demo (``crawl.py``), so a
new page is checked without anyone adding it here. Each walk collects every problem on every
page before it fails, so one run shows them all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import TILES
from tests.browser.crawl import Served, check_pages, pages_for, prepare, serve_demo, session_cookie

# The page and phone fixtures' screens (conftest.py); no service worker, so each page is
# the server's answer.
WIDTHS: dict[int, dict[str, Any]] = {
    1280: {"viewport": {"width": 1280, "height": 900}, "service_workers": "block"},
    360: {
        "viewport": {"width": 360, "height": 740},
        "has_touch": True,
        "is_mobile": True,
        "service_workers": "block",
    },
}
ROLES = ("visitor", "resident", "coach", "planner", "admin")
WALKS = [(who, width, "en") for who in ROLES for width in WIDTHS] + [
    (who, width, language)
    for language in ("cy", "pl", "ur")
    for who in ("visitor", "admin")
    for width in WIDTHS
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve_demo(tmp_path_factory.mktemp("every-page"), TILES) as served:
        yield served


@pytest.fixture(scope="module")
def pages(served: Served) -> dict[tuple[str, bool], list[str]]:
    """Each person's pages, found once."""
    return {}


def _pages(
    served: Served, pages: dict[tuple[str, bool], list[str]], who: str, *, each_kind: bool = True
) -> list[str]:
    if (who, each_kind) not in pages:
        pages[who, each_kind] = pages_for(served, who, each_kind=each_kind)
    return pages[who, each_kind]


def test_the_walk_finds_the_pages_people_use(
    served: Served, pages: dict[tuple[str, bool], list[str]]
) -> None:
    visitor = _pages(served, pages, "visitor")
    admin = _pages(served, pages, "admin")
    for path in ("/", "/map", "/list", "/search", "/sign-in", "/whats-on"):
        assert path in visitor
    assert any(url.startswith("/search?") for url in visitor), "search is asked with a query"
    assert any(url.startswith("/assets/") for url in visitor)
    assert {"/admin/users", "/moderation", "/checks", "/exchange"} <= set(admin)


@pytest.mark.parametrize(("who", "width", "language"), WALKS)
def test_every_page_passes_axe_and_fits_the_screen(
    browser: Browser,
    served: Served,
    pages: dict[tuple[str, bool], list[str]],
    who: str,
    width: int,
    language: str,
) -> None:
    # In English each role sees a strength's pages for each kind; the other languages read
    # the same templates, so each page is seen once.
    urls = _pages(served, pages, who, each_kind=language == "en")
    context = browser.new_context(**WIDTHS[width])
    # No tiles: axe then sees what a map's words stand on and can judge them (over a tile's
    # picture it cannot, and says nothing).
    context.route(f"{TILES}/**", lambda route: route.abort())
    prepare(context, session_cookie(served, who))
    if language != "en":
        context.add_cookies([{"name": "assetmap_language", "value": language, "url": served.url}])
    tabs = [context.new_page(), context.new_page()]
    started = time.monotonic()
    try:
        found = check_pages(tabs, [served.url + url for url in urls], phone=width < 640)
    finally:
        context.close()
    problems = [
        f"{url.removeprefix(served.url)} ({who}, {width} px, {language}): {problem}"
        for url, said in found.items()
        for problem in said
    ]
    took = time.monotonic() - started
    print(f"{who} at {width} px in {language}: {len(urls)} pages in {took:.1f} s")
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


def test_admins_language_is_the_cookies(served: Served) -> None:
    """The language walks rely on the cookie: an account's own choice would overrule it."""
    from assetmap.storage.models import User
    from assetmap.web import db

    with served.app.app_context():
        admin = db.session().get(User, served.demo.users["admin"])
        assert admin is not None and not admin.language
