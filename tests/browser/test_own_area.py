"""A place that is not the demo town set up from nothing, the way its council would do it.

A new empty database; its wards imported from a projected Shapefile and its streets from an
OpenStreetMap extract; its first admin made at the command line with a password; then, in a real
browser, the admin signs in, adds a strength by typing a street name the way people type it, and
is told plainly that a point outside the area cannot be used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from assetmap import create_app
from assetmap.storage.models import Asset
from assetmap.web import db
from tests import own_place
from tests.browser.conftest import TILES
from tests.browser.support import LiveServer, Problems, axe_violations
from tests.browser.test_residents import describe_skill

ADMIN = "clerk@llandeilo.example"
PASSWORD = "tea at the town hall"


def _run(app: Flask, *args: str, given: str | None = None) -> str:
    result = app.test_cli_runner().invoke(args=list(args), input=given)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def own_area(tmp_path: Path) -> Iterator[LiveServer]:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'llandeilo.db'}",
            "SECRET_KEY": "browser",
            "MAP_TILES_URL": f"{TILES}/{{z}}/{{x}}/{{y}}.png",
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
    )
    assert app.config["AREA_BBOX"] == "", "the area must come from the wards, not a setting"
    _run(app, "init-db")
    said = _run(app, "area", "import-neighbourhoods", str(own_place.wards_zip(tmp_path)))
    assert "Ffairfach" in said
    said = _run(app, "area", "import-places", str(own_place.osm_extract(tmp_path)))
    assert "street" in said
    said = _run(
        app, "create-user", ADMIN, "--role", "admin", "--password", given=f"{PASSWORD}\n" * 2
    )
    assert PASSWORD not in said
    shown = _run(app, "area", "show")
    for _, ward in own_place.WARDS:
        assert ward in shown
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    db.database(app).dispose()


def test_a_new_area_is_set_up_and_its_admin_adds_a_strength_by_typing_a_street(
    own_area: LiveServer, page: Page, problems: Problems
) -> None:
    own_area.sign_in_as(page, ADMIN, PASSWORD)
    describe_skill(page, title="Welsh conversation")
    page.get_by_label("Postcode, street or place name").fill(own_place.STREET_TYPED)
    page.get_by_role("button", name="Find this place").click()

    expect(page.get_by_text(f"You placed it at {own_place.STREET}.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("“Welsh conversation” is published")).to_be_visible()
    page.goto(own_area.url)
    expect(page.locator(".asset-list")).to_contain_text("Welsh conversation")
    assert problems.failed == [] and problems.errors == []


def test_a_strength_outside_the_new_area_is_refused_in_plain_words(
    own_area: LiveServer, page: Page, problems: Problems
) -> None:
    own_area.sign_in_as(page, ADMIN, PASSWORD)
    describe_skill(page, title="Bread making")
    # Twenty kilometres east of the town: well beyond its wards and their margin.
    lon, lat = own_place.lon_lat(20_000.0, 0.0)
    page.get_by_text("Give the point as coordinates").click()
    page.get_by_label("Longitude").fill(f"{lon:.6f}")
    page.get_by_label("Latitude").fill(f"{lat:.6f}")
    page.get_by_role("button", name="Continue with this point").click()

    summary = page.get_by_role("link", name="The place is outside the area this assetmap covers")
    expect(summary).to_be_visible()
    expect(page.locator("#lon-error")).to_contain_text("outside the area")
    expect(page.get_by_role("heading", name="Where is your skill?")).to_be_visible()
    assert axe_violations(page) == []
    with own_area.app.app_context(), db.database().session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0
    # The refused form comes back as 400 Bad Request, as every form with errors does.
    assert [failure.split()[0] for failure in problems.failed] == ["400"]
