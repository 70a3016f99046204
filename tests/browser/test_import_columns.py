from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from assetmap.storage.models import Asset
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations
from tests.exchange.lists import council_centres


def test_a_planner_chooses_the_kind_and_a_column_of_a_council_list_then_imports_it(
    live_server: LiveServer, page: Page, problems: Problems, tmp_path: Path
) -> None:
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/exchange")
    page.get_by_label("File to import").set_input_files(council_centres(tmp_path))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nothing can be imported")
    table = page.get_by_role("table", name="Columns and their first 2 rows")
    expect(table.get_by_role("row", name="WARD_NAME")).to_contain_text("Frome College")
    expect(page.get_by_label("Read the column name as")).to_have_value("title")
    expect(page.get_by_label("Read the column WARD_NAME as")).to_have_value("ignore")
    assert axe_violations(page) == []
    page.get_by_label("Kind of every row").select_option("space")
    page.get_by_label("Theme for rows that name none").select_option("care")
    page.get_by_label("Read the column WARD_NAME as").select_option("description")
    page.get_by_role("button", name="Check the file again").click()
    expect(page.locator("main")).to_contain_text("WARD_NAME as description")
    expect(page.get_by_label("Kind of every row")).to_have_value("space")
    page.get_by_role("button", name="Import: add 2, update 0").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("community-centres")
    assert described(live_server, "Packsaddle Hall") == "Frome College"
    # The file as uploaded was refused for its columns: that answer, and only it, was a 400.
    assert problems.failed == [f"400 {live_server.url}/exchange/import"]
    assert [e for e in problems.errors if "status of 400" not in e] == []


def described(live_server: LiveServer, title: str) -> str:
    with live_server.app.app_context(), db.database().session() as session:
        return session.scalars(sa.select(Asset.description).where(Asset.title == title)).one()
