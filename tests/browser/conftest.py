"""Browser tests: Debian's Chromium driven by Playwright, against the app served on 127.0.0.1.

Chromium comes from ``scripts/setup-browser.sh`` (``make test`` runs it). Where it is missing,
these tests skip and say why, unless ``ASSETMAP_REQUIRE_BROWSER=1`` (as in CI).
Map tiles are answered with a blank image, so no test reaches outside the machine.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

from assetmap import create_app
from assetmap.web import db
from tests.browser.support import LiveServer, Problems

CHROMIUM = os.environ.get("ASSETMAP_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("ASSETMAP_REQUIRE_BROWSER") == "1"
TILES = "https://tiles.test"
BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "browser"})
    runner = app.test_cli_runner()
    for command in (["init-db"], ["seed-demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    db.database(app).dispose()
    return folder / "demo.db"


@pytest.fixture
def live_server(tmp_path: Path, demo_template: Path) -> Iterator[LiveServer]:
    path = tmp_path / "live.db"
    shutil.copy(demo_template, path)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "SECRET_KEY": "browser",
            "MAP_TILES_URL": f"{TILES}/{{z}}/{{x}}/{{y}}.png",
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    db.database(app).dispose()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}; run scripts/setup-browser.sh"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture
def problems() -> Problems:
    return Problems()


def _watch(page: Page, problems: Problems) -> None:
    def on_response(response: Any) -> None:
        if response.status >= 400 and not response.url.startswith(TILES):
            problems.failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)

    def on_failure(request: Any) -> None:
        # A request the browser itself abandoned, because the page moved on, is no failure.
        if request.failure != "net::ERR_ABORTED" and not request.url.startswith(TILES):
            problems.failed.append(f"failed {request.url}: {request.failure}")

    page.on("requestfailed", on_failure)
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    page.on(
        "console",
        lambda message: problems.errors.append(message.text) if message.type == "error" else None,
    )


@pytest.fixture
def page(browser: Browser, problems: Problems) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    page = context.new_page()
    _watch(page, problems)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Browser, problems: Problems) -> Iterator[Page]:
    """A page on a 360 px wide phone screen, with touch."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    )
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    page = context.new_page()
    _watch(page, problems)
    yield page
    context.close()
