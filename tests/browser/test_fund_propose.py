from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from assetmap.domain.funds import TieBreak, VotingMethod
from assetmap.domain.provenance import local_day
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import Asset, FundRound, FundRoundArea, User, utcnow
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations


def _open_round(live_server: LiveServer) -> tuple[int, str]:
    """Open a round over a demo group's neighbourhood; return its id and the group's title."""
    today = local_day(utcnow())
    with live_server.app.app_context(), db.database().session() as session:
        group = session.scalars(
            sa.select(Asset)
            .where(
                Asset.kind == Kind.GROUP,
                Asset.status == Status.PUBLISHED,
                Asset.neighbourhood_id.is_not(None),
            )
            .order_by(Asset.id)
        ).first()
        assert group is not None
        fund = FundRound(
            title="Spring small grants",
            purpose="Small projects that bring people together.",
            budget_pence=3_000_00,
            method=VotingMethod.BUDGET,
            tie_break=TieBreak.SMALLER_FIRST,
            proposers=["resident", "group-owner", "coach"],
            proposals_open=today - dt.timedelta(days=2),
            proposals_close=today + dt.timedelta(days=10),
            voting_open=today + dt.timedelta(days=14),
            voting_close=today + dt.timedelta(days=21),
            results_on=today + dt.timedelta(days=22),
        )
        fund.areas.append(FundRoundArea(neighbourhood_id=group.neighbourhood_id))
        session.add(fund)
        resident = session.scalars(sa.select(User).where(User.email == "mo@example.org")).one()
        resident.home_neighbourhood_id = group.neighbourhood_id
        session.commit()
        return fund.id, group.title


@pytest.fixture
def planner_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_a_resident_proposes_with_the_picker_and_a_planner_checks_it(
    live_server: LiveServer, page: Page, planner_page: Page, problems: Problems
) -> None:
    live_server.add_user("mo@example.org")
    live_server.add_user("pat@example.org", "planner")
    round_id, group = _open_round(live_server)
    live_server.sign_in_as(page, "mo@example.org")
    page.goto(f"{live_server.url}/funds/{round_id}")
    page.get_by_role("link", name="Propose an idea").click()
    expect(page.get_by_role("heading", name="Propose an idea", level=1)).to_be_visible()

    page.get_by_label("Name of your idea").fill("Tea after the session")
    page.get_by_label("What will it do?").fill("Tea and cake for newcomers after each meeting.")
    page.get_by_label("Who will do it?").fill("The group's volunteers")
    page.get_by_label("How much money does it need?").fill("4,000")
    page.get_by_label("Name of a group, space or skill").fill(group.split()[0])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Name of your idea")).to_have_value("Tea after the session")
    page.get_by_label(group, exact=True).check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Send your idea").click()

    expect(page.locator("#amount-error")).to_contain_text("£3,000")
    expect(page.get_by_label(group, exact=True)).to_be_checked()
    page.get_by_label("How much money does it need?").fill("250")
    page.get_by_role("button", name="Send your idea").click()
    expect(page.get_by_role("heading", name="Tea after the session")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Waiting to be checked")
    expect(page.locator("[data-proposed-by]")).to_contain_text("Proposed by a resident")
    idea_url = page.url

    live_server.sign_in_as(planner_page, "pat@example.org")
    planner_page.goto(idea_url)
    planner_page.get_by_role("link", name="Check this idea").click()
    planner_page.get_by_label("No, it is not eligible").check()
    planner_page.get_by_role("button", name="Save the check").click()
    expect(planner_page.locator("#reason-error")).to_contain_text("Say why")
    planner_page.get_by_label("Yes, it is eligible").check()
    assert axe_violations(planner_page) == []
    planner_page.get_by_role("button", name="Save the check").click()

    expect(planner_page).to_have_url(f"{live_server.url}/funds/{round_id}#ideas")
    idea = planner_page.locator("[data-fund-proposals] li", has_text="Tea after the session")
    expect(idea.locator("[data-status]")).to_have_text("Can be voted on")
    expect(idea.get_by_role("link", name=group, exact=True)).to_be_visible()
    expect(idea).to_contain_text("£250")
    # The idea first asked for more than the budget: that answer, and only it, was a 400.
    assert problems.failed == [f"400 {live_server.url}/funds/{round_id}/propose"]
    assert [e for e in problems.errors if "status of 400" not in e] == []
