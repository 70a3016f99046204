from __future__ import annotations

import datetime as dt
import secrets

from playwright.sync_api import Page, expect

from assetmap.domain.funds import ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.provenance import local_day
from assetmap.storage.models import FundRound, utcnow
from assetmap.storage.models.funds import FundBallot, FundProposal
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations


def closed_round(live_server: LiveServer) -> int:
    today = local_day(utcnow())
    with live_server.app.app_context(), db.database().session() as session:
        fund = FundRound(
            title="Riverside small grants",
            budget_pence=1000_00,
            method=VotingMethod.APPROVAL,
            tie_break=TieBreak.EARLIER_FIRST,
            proposers=["resident"],
            proposals_open=today - dt.timedelta(days=40),
            proposals_close=today - dt.timedelta(days=20),
            voting_open=today - dt.timedelta(days=10),
            voting_close=today - dt.timedelta(days=1),
            results_on=today + dt.timedelta(days=6),
        )
        session.add(fund)
        session.flush()
        ideas = [
            FundProposal(
                round_id=fund.id, title=title, amount_pence=amount, status=ProposalStatus.ELIGIBLE
            )
            for title, amount in (("Boat club kit", 700_00), ("River clean-up", 400_00))
        ]
        session.add_all(ideas)
        session.flush()
        kit, clean = (idea.id for idea in ideas)
        for chosen in ([kit, clean], [kit], [kit], [clean]):
            session.add(FundBallot(round_id=fund.id, holder=secrets.token_hex(32), chosen=chosen))
        session.commit()
        return fund.id


def test_a_planner_counts_publishes_and_adds_news_that_the_log_shows(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    round_id = closed_round(live_server)
    live_server.add_user("pat@example.org", role="planner")
    live_server.sign_in_as(page, "pat@example.org")
    page.goto(f"{live_server.url}/funds/{round_id}")
    page.get_by_role("link", name="Count the votes").click()

    expect(page.get_by_role("heading", name="Count the votes", level=1)).to_be_visible()
    table = page.locator("[data-count]")
    expect(table.locator("tbody tr").first).to_contain_text("Boat club kit")
    expect(table.locator("tbody tr").nth(1)).to_contain_text("No longer fits")
    expect(page.get_by_text("4 ballots were cast.")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish the result").click()

    expect(page.get_by_text("The result is published.")).to_be_visible()
    expect(page.get_by_role("heading", name="The result", level=2)).to_be_visible()
    expect(page.locator("[data-funded]")).to_have_text("1 project funded, £700")
    expect(page.locator("[data-result-rule]")).to_contain_text(
        "the project proposed first comes first"
    )
    assert axe_violations(page) == []

    page.locator(".fund-project").first.get_by_role("link", name="Add news of this project").click()
    page.get_by_label("What has happened").fill("The new oars & life jackets <arrived>.")
    page.get_by_label("This is a milestone").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add the news").click()
    expect(page.locator("[data-updates]")).to_contain_text("The new oars & life jackets <arrived>.")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="You said, we did").click()
    entry = page.locator("[data-fund-round]").first
    expect(entry).to_contain_text("Community fund: Riverside small grants: 1 project funded, £700")
    news = page.locator("[data-fund-update]").first
    expect(news).to_contain_text("Boat club kit")
    expect(news).to_contain_text("The new oars & life jackets <arrived>.")
    assert axe_violations(page) == []
    news.get_by_role("link", name="Boat club kit").click()
    expect(page.locator("[data-result]")).to_be_visible()
    assert problems.errors == [] and problems.failed == []
