from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page, expect

from assetmap.domain.funds import ProposalStatus, TieBreak, VotingMethod
from assetmap.storage import ballots
from assetmap.storage.models import (
    FundProposal,
    FundRound,
    FundRoundArea,
    Neighbourhood,
    User,
    utcnow,
)
from assetmap.storage.neighbourhoods import locate
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

MARKET_PLACE = (-2.3213, 51.2296)
PROJECTS = (("Community fridge", 40_000), ("Bike repair kit", 50_000), ("Bench", 30_000))


def open_round(live_server: LiveServer) -> tuple[int, str]:
    """Open a round voting now, budget £1,000, in the neighbourhood of Market Place; return
    its id and the neighbourhood's name."""
    today = ballots.today()
    with live_server.app.app_context(), db.database().session() as session:
        home = locate(session, [MARKET_PLACE[0]], [MARKET_PLACE[1]])[0]
        assert home is not None
        fund = FundRound(
            title="Town centre small grants",
            budget_pence=100_000,
            method=VotingMethod.BUDGET,
            tie_break=TieBreak.SMALLER_FIRST,
            proposers=["resident"],
            proposals_open=today - dt.timedelta(days=40),
            proposals_close=today - dt.timedelta(days=20),
            voting_open=today - dt.timedelta(days=1),
            voting_close=today + dt.timedelta(days=6),
            results_on=today + dt.timedelta(days=9),
            areas=[FundRoundArea(neighbourhood_id=home)],
        )
        session.add(fund)
        session.flush()
        for title, pence in PROJECTS:
            session.add(
                FundProposal(
                    round_id=fund.id,
                    title=title,
                    amount_pence=pence,
                    status=ProposalStatus.ELIGIBLE,
                )
            )
        session.commit()
        neighbourhood = session.get(Neighbourhood, home)
        assert neighbourhood is not None
        return fund.id, neighbourhood.name


def confirmed(live_server: LiveServer, email: str, role: str = "resident") -> None:
    user_id = live_server.add_user(email, role)
    with live_server.app.app_context(), db.database().session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.confirmed_at = utcnow()
        session.commit()


def test_a_resident_votes_within_the_budget_and_changes_their_vote(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    fund, home = open_round(live_server)
    confirmed(live_server, "voter@example.org")
    live_server.sign_in_as(page, "voter@example.org")
    page.goto(f"{live_server.url}/funds/{fund}/vote")
    expect(page.locator("[data-why-not]")).to_contain_text("Say where you live")
    page.get_by_role("link", name="Go to your account").click()
    page.get_by_label("The neighbourhood you live in").select_option(label=home)
    page.get_by_role("button", name="Save where you live").click()
    expect(page.get_by_role("alert")).to_contain_text("Where you live is saved.")

    page.goto(f"{live_server.url}/funds/{fund}")
    page.get_by_role("button", name="Vote now").click()
    status = page.locator("[data-ballot-status]")
    expect(status).to_contain_text("You have chosen £0 of £1,000: £1,000 is left.")
    page.get_by_label("Community fridge").check()
    page.get_by_label("Bench").check()
    expect(status).to_contain_text("You have chosen £700 of £1,000: £300 is left.")
    page.get_by_label("Bike repair kit").check()
    expect(page.locator("[data-ballot-over]")).to_be_visible()
    expect(status).to_contain_text("which is £200 more than the budget")
    page.get_by_label("Bike repair kit").uncheck()
    expect(page.locator("[data-ballot-over]")).to_be_hidden()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save my vote").click()
    expect(page.get_by_role("alert")).to_contain_text("Your vote is saved. You can change it until")
    expect(page.get_by_label("Community fridge")).to_be_checked()
    expect(page.get_by_label("Bench")).to_be_checked()

    page.get_by_label("Bench").uncheck()
    page.get_by_label("Bike repair kit").check()
    expect(status).to_contain_text("You have chosen £900 of £1,000: £100 is left.")
    page.get_by_role("button", name="Change my vote").click()
    expect(page.get_by_role("alert")).to_contain_text("Your vote is saved.")
    expect(page.get_by_label("Bike repair kit")).to_be_checked()
    expect(page.get_by_label("Bench")).not_to_be_checked()
    page.goto(f"{live_server.url}/funds/{fund}")
    expect(page.locator("[data-voter-count]")).to_contain_text("1 person has voted so far.")
    expect(page.locator("[data-you-voted]")).to_be_visible()
    assert problems.failed == [] and problems.errors == []


def test_a_connector_records_a_vote_for_someone_without_an_account(
    live_server: LiveServer, browser: Browser, problems: Problems
) -> None:
    fund, _home = open_round(live_server)
    confirmed(live_server, "connector@example.org", "coach")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda error: problems.errors.append(str(error)))
    live_server.sign_in_as(page, "connector@example.org")
    page.goto(f"{live_server.url}/funds/{fund}")
    page.get_by_role("link", name="Record a vote for someone without an account").click()
    page.get_by_label("No").check()
    page.get_by_label("Their full name").fill("Dot Smith")
    page.get_by_label("Their postcode").fill("ba11 1jp")
    page.get_by_label("Community fridge").check()
    page.get_by_label("Bike repair kit").check()
    expect(page.locator("[data-ballot-status]")).to_contain_text("£100 is left.")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record their vote").click()
    expect(page.get_by_role("alert")).to_contain_text("Their vote is recorded.")

    page.get_by_label("No").check()
    page.get_by_label("Their full name").fill("DOT SMITH")
    page.get_by_label("Their postcode").fill("BA11 1JP")
    page.get_by_label("Bench").check()
    page.get_by_role("button", name="Record their vote").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("already recorded")
    context.close()
    assert problems.errors == []
