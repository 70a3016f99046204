from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import Page, expect

from assetmap.config import area_bbox
from assetmap.domain.checks import validate_decision, validate_proposal
from assetmap.storage import checks as store
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

CORNERS = [(-2.335, 51.222), (-2.305, 51.222), (-2.305, 51.238), (-2.335, 51.238)]


def click_map_at(page: Page, lon: float, lat: float) -> None:
    x, y = page.evaluate(
        """([lat, lon]) => {
            const found = assetmapMap(document.querySelector("[data-catchment-form]"));
            const point = found.map.latLngToContainerPoint([lat, lon]);
            return [point.x, point.y];
        }""",
        [lat, lon],
    )
    page.locator("[data-catchment-form] .folium-map").click(position={"x": x, "y": y})


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_a_planner_draws_a_catchment_decides_and_publishes_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.get_by_role("link", name="Strength checks").click()
    page.get_by_role("link", name="Start a strength check").click()
    assert axe_violations(page) == []
    page.get_by_label("Name of the proposed service").fill("Community kitchen")
    page.get_by_label("What it is for").fill("Cook and eat together on a budget.")
    page.get_by_label("Who it is for").fill("Families in the town centre")
    page.get_by_label("Food", exact=True).check()
    page.get_by_label("Key words").fill("cooking")
    expect(page.get_by_label("Draw an area on the map")).to_be_checked()
    for lon, lat in CORNERS:
        click_map_at(page, lon, lat)
    click_map_at(page, -2.32, 51.245)
    expect(page.get_by_text("5 corners drawn.")).to_be_visible()
    page.get_by_role("button", name="Undo last corner").click()
    expect(page.get_by_text("4 corners drawn.")).to_be_visible()
    drawn = json.loads(page.get_by_label("The area as GeoJSON").input_value())
    assert drawn["type"] == "Polygon"
    ring = [value for point in drawn["coordinates"][0] for value in point]
    expected = [value for point in [*CORNERS, CORNERS[0]] for value in point]
    assert ring == pytest.approx(expected, abs=0.0003)
    page.get_by_role("button", name="Run the check").click()

    expect(page.get_by_role("heading", name="Community kitchen", level=1)).to_be_visible()
    inside = page.locator(".check-counts__inside .counts__number")
    assert int(inside.inner_text()) > 0
    expect(page.locator(".check-layout .leaflet-interactive").first).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Support or fund existing strengths").check()
    page.locator("#strengths").check()
    page.get_by_label("Why this was decided").fill("They already cook together; we will fund them.")
    page.get_by_label("Who decided").fill("Health and wellbeing panel")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("The decision is recorded.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()

    sign_out(page)
    page.get_by_role("link", name="You said, we did").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Community kitchen").click()
    expect(page.get_by_text("Support or fund existing strengths").first).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def published_check(live_server: LiveServer) -> int:
    with live_server.app.app_context(), db.database().session() as session:
        proposal, _ = validate_proposal(
            {
                "name": "Community kitchen",
                "purpose": "Cook and eat together.",
                "audience": "Everyone",
                "themes": ["food"],
                "catchment": "neighbourhoods",
                "neighbourhoods": ["frome-market"],
            },
            area=area_bbox(live_server.app.config),
            neighbourhoods=store.neighbourhood_areas(session),
        )
        check = store.start_check(session, proposal, by=None)
        decision = validate_decision(
            {"kind": "not-proceed", "rationale": "Enough is there.", "decided_by": "Panel"},
            found=set(),
            today=dt.date.today(),
        )
        store.record_decision(session, check.id, decision, by=None)
        store.publish_check(session, check.id, by=None)
        session.commit()
        return check.id


def test_a_resident_answers_back_and_staff_act_on_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    check_id = published_check(live_server)
    live_server.add_user("rosa@example.org")
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "rosa@example.org")
    page.goto(f"{live_server.url}/checks/{check_id}")
    page.get_by_role("link", name="Tell us what we missed").click()
    page.get_by_label("A strength the check missed").fill("The Friday soup run at the chapel")
    page.get_by_label("Yes").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("The Friday soup run at the chapel")).to_be_visible()
    expect(page.get_by_text("Not yet acted upon")).to_be_visible()

    sign_out(page)
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/checks/{check_id}")
    page.get_by_label("What was done about it").fill("Added to the map and invited to co-design.")
    page.get_by_role("button", name="Mark as acted upon").click()
    expect(page.get_by_text("Added to the map and invited to co-design.")).to_be_visible()
    expect(page.locator(".check-response .govuk-tag")).to_have_text("Acted upon")
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []
