"""In Chromium: a planner downloads the register's export and checks it back in: every strength
is recognised as already here, so nothing would be added or changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import LiveServer, Problems


@pytest.mark.parametrize(
    ("label", "suffix"),
    [("GeoJSON (RFC 7946)", "geojson"), ("CSV with lon and lat columns", "csv")],
)
def test_a_planner_checks_their_own_export_back_in_and_nothing_would_change(
    live_server: LiveServer,
    page: Page,
    problems: Problems,
    tmp_path: Path,
    label: str,
    suffix: str,
) -> None:
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/exchange")
    page.get_by_label(label, exact=True).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    saved = tmp_path / f"register.{suffix}"
    download.value.save_as(saved)
    page.get_by_label("File to import").set_input_files(saved)
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-summary-list")
    expect(summary.get_by_role("definition").nth(1)).to_have_text("0")
    expect(summary.get_by_role("definition").nth(2)).to_have_text("0")
    expect(page.locator("main")).to_contain_text("already here as strength")
    expect(page.get_by_role("button", name="Import: add")).to_have_count(0)
    assert problems.failed == [] and problems.errors == []
