"""A whole community fund round in Chromium, as people walk it: a planner opens it, residents
and a connector propose ideas, a planner checks them, people vote, the planner counts and
publishes, and news of the funded project reaches the round's page, the "you said, we did" log
and the page of the strength it builds on.

The database is touched only to move the calendar between stages (the round's dates) and to
read what must be checked; everything else goes through the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from assetmap.domain.provenance import local_day
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import fund_results
from assetmap.storage.models import Asset, FundRound, Neighbourhood, StrengthCheck, utcnow
from assetmap.storage.neighbourhoods import locate
from assetmap.web import db
from tests.browser.conftest import BLANK_PNG, TILES, _watch
from tests.browser.support import LiveServer, Problems, a_check, axe_violations

MARKET_PLACE = (-2.3213, 51.2296)  # in the demo's neighbourhood the connector's postcode is in
PASSWORD = "a long enough passphrase"
TITLE = "Market small grants 2027"
# Two ideas ask for more than the budget together, and tie on votes: the smaller comes first.
RESIDENTS_IDEA, RESIDENTS_AMOUNT = "Cycle repair mornings", "400"
CONNECTORS_IDEA, CONNECTORS_AMOUNT = "Lunch club in the hall", "500"
NOT_ELIGIBLE, WHY_NOT = "Fireworks night", "The round does not pay for one-off fireworks."
SERIOUS = ("(serious)", "(critical)")

NewPage = Callable[[], Page]


@pytest.fixture
def people(browser: Browser, problems: Problems) -> Iterator[NewPage]:
    """Give each person their own browser, watched for failures like the ``page`` fixture."""
    contexts = []

    def new() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            f"{TILES}/**",
            lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
        )
        contexts.append(context)
        page = context.new_page()
        _watch(page, problems)
        return page

    yield new
    for context in contexts:
        context.close()


def accessible(page: Page) -> None:
    """Assert that axe finds nothing serious or critical on the page as it is now."""
    page.wait_for_load_state()
    found = [line for line in axe_violations(page) if any(word in line for word in SERIOUS)]
    assert found == [], f"{page.url}: {found}"


def today() -> dt.date:
    return local_day(utcnow())


def move_calendar(server: LiveServer, round_id: int, **days: int) -> None:
    """Set the round's dates to so many days from today: the only way time passes here."""
    with server.app.app_context(), db.database().session() as session:
        fund = session.get(FundRound, round_id)
        assert fund is not None
        for name, offset in days.items():
            setattr(fund, name, today() + dt.timedelta(days=offset))
        session.commit()


def the_area(server: LiveServer) -> tuple[str, str, str, int]:
    """Read the demo's neighbourhood around Market Place: its name, a group and a space in it
    (titles), and the group's id."""
    with server.app.app_context(), db.database().session() as session:
        home = locate(session, [MARKET_PLACE[0]], [MARKET_PLACE[1]])[0]
        assert home is not None
        neighbourhood = session.get(Neighbourhood, home)
        assert neighbourhood is not None

        def first(kind: Kind) -> Asset:
            found = session.scalars(
                sa.select(Asset)
                .where(
                    Asset.kind == kind,
                    Asset.status == Status.PUBLISHED,
                    Asset.neighbourhood_id == home,
                )
                .order_by(Asset.id)
            ).first()
            assert found is not None
            return found

        group, space = first(Kind.GROUP), first(Kind.SPACE)
        return neighbourhood.name, group.title, space.title, group.id


def a_published_check(server: LiveServer) -> int:
    """Return a published strength check of the market: the demo's first, or one made as a
    planner's finished check leaves it (the demo holds none)."""
    with server.app.app_context(), db.database().session() as session:
        found = session.scalar(sa.select(StrengthCheck.id).order_by(StrengthCheck.id).limit(1))
    return found if found is not None else a_check(server, themes=["food"], publish=True)


def fill_dates(page: Page, **days: int) -> None:
    """Type each date into its day, month and year boxes, as so many days from today."""
    for name, offset in days.items():
        day = today() + dt.timedelta(days=offset)
        page.locator(f"#{name}-day").fill(str(day.day))
        page.locator(f"#{name}-month").fill(str(day.month))
        page.locator(f"#{name}-year").fill(str(day.year))


DATES_TAKING_IDEAS = {
    "proposals_open": 0,
    "proposals_close": 7,
    "voting_open": 9,
    "voting_close": 16,
    "results_on": 18,
}


def open_round(page: Page, server: LiveServer, area: str) -> int:
    """As a planner, open the round from "Start a round"; return its id."""
    page.goto(server.url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Community funds").click()
    accessible(page)
    page.get_by_role("link", name="Start a round").click()
    expect(page.get_by_role("heading", name="Start a community fund round")).to_be_visible()
    accessible(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("What the money is for").fill(
        "Small projects that bring neighbours together."
    )
    page.get_by_label("Budget", exact=True).fill("800")
    page.get_by_label(area, exact=True).check()
    page.get_by_label("Choose projects that fit within the budget").check()
    page.get_by_label(re.compile("the one asking for less money comes first")).check()
    fill_dates(page, **DATES_TAKING_IDEAS)
    page.get_by_role("button", name="Open the round").click()

    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("The round is open.")).to_be_visible()
    expect(page.locator("[data-stage]")).to_have_text("Taking ideas")
    expect(page.locator("[data-budget]")).to_have_text("£800")
    expect(page.locator("[data-tie-break]")).to_contain_text("the one asking for less money")
    accessible(page)
    found = re.search(r"/funds/(\d+)$", page.url)
    assert found is not None
    return int(found.group(1))


def open_round_from_check(page: Page, server: LiveServer, check_id: int) -> None:
    """As a planner, open a round from a strength check's "Fund what we found" link."""
    page.goto(f"{server.url}/checks/{check_id}")
    accessible(page)
    page.get_by_role("link", name=re.compile("Fund what we found")).click()
    expect(page.get_by_role("heading", name="Start a community fund round")).to_be_visible()
    expect(page.get_by_text("This round starts from a strength check")).to_be_visible()
    accessible(page)
    page.get_by_label("Title", exact=True).fill("What we found, funded")
    page.get_by_label("What the money is for").fill("Projects built on what the check found.")
    page.get_by_label("Budget", exact=True).fill("1,000")
    fill_dates(page, **DATES_TAKING_IDEAS)
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("heading", name="What we found, funded", level=1)).to_be_visible()
    expect(page.get_by_text("It backs what a strength check found already there")).to_be_visible()
    accessible(page)


def propose(page: Page, round_url: str, title: str, amount: str, strength: str) -> str:
    """Propose an idea built on ``strength``, found with the strengths search; return the
    idea's address."""
    page.goto(round_url)
    page.get_by_role("link", name="Propose an idea").click()
    expect(page.get_by_role("heading", name="Propose an idea", level=1)).to_be_visible()
    accessible(page)
    page.get_by_label("Name of your idea").fill(title)
    page.get_by_label("What will it do?").fill(f"{title}, open to everyone in the neighbourhood.")
    page.get_by_label("Who will do it?").fill("The volunteers who run it now")
    page.get_by_label("How much money does it need?").fill(amount)
    page.get_by_label("Name of a group, space or skill").fill(strength)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label("Name of your idea")).to_have_value(title)
    page.get_by_label(strength, exact=True).check()
    accessible(page)
    page.get_by_role("button", name="Send your idea").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Waiting to be checked")
    expect(page.locator("[data-strength]")).to_contain_text(strength)
    accessible(page)
    return page.url


def check_idea(page: Page, idea_url: str, eligible: bool, reason: str = "") -> None:
    """As a planner, check an idea against the round's rules."""
    page.goto(idea_url)
    page.get_by_role("link", name="Check this idea").click()
    expect(page.get_by_role("heading", name="Check the idea", level=1)).to_be_visible()
    accessible(page)
    if eligible:
        page.get_by_label("Yes, it is eligible").check()
    else:
        page.get_by_label("No, it is not eligible").check()
        page.get_by_label("If not, why not?").fill(reason)
    page.get_by_role("button", name="Save the check").click()
    expect(page).to_have_url(re.compile(r"/funds/\d+#ideas$"))
    accessible(page)


def sign_up_in(page: Page, server: LiveServer, email: str, area: str) -> None:
    """Sign up, confirm the address by mail, and say where one lives on the account page."""
    page.goto(server.url)
    page.get_by_role("link", name="Sign up").click()
    accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name (optional)").fill("Robin")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    accessible(page)
    server.confirm_by_mail(page, email, PASSWORD)
    page.goto(f"{server.url}/account")
    accessible(page)
    page.get_by_label("The neighbourhood you live in").select_option(label=area)
    page.get_by_role("button", name="Save where you live").click()
    expect(page.get_by_role("alert")).to_contain_text("Where you live is saved.")
    accessible(page)


def test_a_whole_round_from_opening_to_news_of_what_was_funded(
    live_server: LiveServer, people: NewPage, problems: Problems
) -> None:
    server = live_server
    area, group, space, group_id = the_area(server)
    server.add_user("pat@example.org", "planner")
    server.add_user("ruth@example.org", "coach")
    planner, resident, connector, visitor = people(), people(), people(), people()

    # 1. A planner opens the round, and another from a strength check's page.
    server.sign_in_as(planner, "pat@example.org")
    round_id = open_round(planner, server, area)
    round_url = f"{server.url}/funds/{round_id}"
    open_round_from_check(planner, server, a_published_check(server))

    # 2. A connector proposes for someone without an account; a resident of the area proposes
    # two ideas; the planner checks them, one not eligible, with the reason on the round page.
    server.sign_in_as(connector, "ruth@example.org")
    connectors_url = propose(connector, round_url, CONNECTORS_IDEA, CONNECTORS_AMOUNT, space)
    expect(connector.locator("[data-proposed-by]")).to_contain_text("connector")
    sign_up_in(resident, server, "robin@example.org", area)
    residents_url = propose(resident, round_url, RESIDENTS_IDEA, RESIDENTS_AMOUNT, group)
    expect(resident.locator("[data-proposed-by]")).to_contain_text("(you)")
    not_eligible_url = propose(resident, round_url, NOT_ELIGIBLE, "300", group)

    check_idea(planner, connectors_url, eligible=True)
    check_idea(planner, residents_url, eligible=True)
    check_idea(planner, not_eligible_url, eligible=False, reason=WHY_NOT)
    ideas = planner.locator("[data-fund-proposals]")
    for title in (CONNECTORS_IDEA, RESIDENTS_IDEA):
        idea = ideas.locator("li", has_text=title)
        expect(idea.locator("[data-status]")).to_have_text("Can be voted on")
    refused = ideas.locator("li", has_text=NOT_ELIGIBLE)
    expect(refused.locator("[data-status]")).to_have_text("Not eligible")
    expect(refused.locator("[data-reason]")).to_contain_text(WHY_NOT)
    expect(refused.get_by_role("link", name=group, exact=True)).to_be_visible()

    # 3. Voting opens: the resident votes within the budget, then changes their vote; the
    # connector records a vote for someone without an account, and twice is refused.
    move_calendar(
        server,
        round_id,
        proposals_open=-10,
        proposals_close=-3,
        voting_open=-1,
        voting_close=6,
        results_on=8,
    )
    resident.goto(round_url)
    expect(resident.locator("[data-stage]")).to_have_text("Voting")
    accessible(resident)
    resident.get_by_role("button", name="Vote now").click()
    expect(resident.get_by_role("heading", name="Vote", level=1)).to_be_visible()
    expect(resident.get_by_label(NOT_ELIGIBLE)).to_have_count(0)
    status = resident.locator("[data-ballot-status]")
    expect(status).to_contain_text("You have chosen £0 of £800: £800 is left.")
    resident.get_by_label(RESIDENTS_IDEA).check()
    expect(status).to_contain_text("You have chosen £400 of £800: £400 is left.")
    resident.get_by_label(CONNECTORS_IDEA).check()
    expect(resident.locator("[data-ballot-over]")).to_be_visible()
    expect(status).to_contain_text("which is £100 more than the budget")
    accessible(resident)
    resident.get_by_label(RESIDENTS_IDEA).uncheck()
    expect(resident.locator("[data-ballot-over]")).to_be_hidden()
    expect(status).to_contain_text("You have chosen £500 of £800: £300 is left.")
    resident.get_by_role("button", name="Save my vote").click()
    expect(resident.get_by_role("alert")).to_contain_text("Your vote is saved.")
    expect(resident.get_by_label(CONNECTORS_IDEA)).to_be_checked()
    accessible(resident)
    resident.get_by_label(CONNECTORS_IDEA).uncheck()
    resident.get_by_label(RESIDENTS_IDEA).check()
    expect(status).to_contain_text("You have chosen £400 of £800: £400 is left.")
    resident.get_by_role("button", name="Change my vote").click()
    expect(resident.get_by_role("alert")).to_contain_text("Your vote is saved.")
    expect(resident.get_by_label(RESIDENTS_IDEA)).to_be_checked()
    expect(resident.get_by_label(CONNECTORS_IDEA)).not_to_be_checked()

    connector.goto(round_url)
    accessible(connector)
    connector.get_by_role("link", name="Record a vote for someone without an account").click()
    accessible(connector)
    connector.get_by_label("No", exact=True).check()
    connector.get_by_label("Their full name").fill("Dot Smith")
    connector.get_by_label("Their postcode").fill("ba11 1jp")
    connector.get_by_label(CONNECTORS_IDEA).check()
    expect(connector.locator("[data-ballot-status]")).to_contain_text("£300 is left.")
    connector.get_by_role("button", name="Record their vote").click()
    expect(connector.get_by_role("alert")).to_contain_text("Their vote is recorded.")
    accessible(connector)
    connector.get_by_label("No", exact=True).check()
    connector.get_by_label("Their full name").fill("DOT SMITH")
    connector.get_by_label("Their postcode").fill("BA11 1JP")
    connector.get_by_label(RESIDENTS_IDEA).check()
    connector.get_by_role("button", name="Record their vote").click()
    expect(connector.locator(".govuk-error-summary")).to_contain_text("already recorded")
    accessible(connector)

    resident.goto(round_url)
    expect(resident.locator("[data-voter-count]")).to_contain_text("2 people have voted so far.")
    expect(resident.locator("[data-you-voted]")).to_be_visible()
    accessible(resident)

    # 4. Voting closes: the planner counts, checks the preview with its rule, and publishes.
    # One vote each: the smaller idea comes first, and the other no longer fits.
    move_calendar(
        server,
        round_id,
        proposals_open=-14,
        proposals_close=-7,
        voting_open=-5,
        voting_close=-1,
        results_on=1,
    )
    planner.goto(round_url)
    expect(planner.locator("[data-stage]")).to_have_text("Counting votes")
    accessible(planner)
    planner.get_by_role("link", name="Count the votes").click()
    expect(planner.get_by_role("heading", name="Count the votes", level=1)).to_be_visible()
    expect(planner.locator("[data-rule]")).to_contain_text(
        "the project asking for less money comes first"
    )
    expect(planner.get_by_text("2 ballots were cast.")).to_be_visible()
    rows = planner.locator("[data-count] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(RESIDENTS_IDEA)
    expect(rows.nth(0)).to_contain_text("Funded")
    expect(rows.nth(1)).to_contain_text(CONNECTORS_IDEA)
    expect(rows.nth(1)).to_contain_text("No longer fits")
    accessible(planner)
    planner.get_by_role("button", name="Publish the result").click()
    expect(planner.get_by_text("The result is published.")).to_be_visible()
    accessible(planner)

    visitor.goto(round_url)
    expect(visitor.locator("[data-stage]")).to_have_text("Decided")
    expect(visitor.locator("[data-funded]")).to_have_text("1 project funded, £400")
    result = visitor.locator("[data-result] tbody tr")
    expect(result).to_have_count(2)
    expect(result.nth(0)).to_contain_text(RESIDENTS_IDEA)
    expect(result.nth(0)).to_contain_text("£400")
    expect(result.nth(1)).to_contain_text(CONNECTORS_IDEA)
    expect(result.nth(1)).to_contain_text("No longer fits")
    expect(visitor.locator("[data-result-rule]")).to_contain_text(
        "the project asking for less money comes first"
    )
    funded = visitor.locator(".fund-project")
    expect(funded).to_have_count(1)
    expect(funded.get_by_role("heading", name=RESIDENTS_IDEA)).to_be_visible()
    expect(funded.locator("[data-builds-on]").get_by_role("link", name=group)).to_have_attribute(
        "href", f"/assets/{group_id}"
    )
    accessible(visitor)

    answer = visitor.request.get(f"{round_url}/result.json")
    assert answer.ok
    published = answer.json()
    with server.app.app_context(), db.database().session() as session:
        fund = session.get(FundRound, round_id)
        assert fund is not None and fund.result is not None
        stored = fund.result
    assert {key: published[key] for key in stored} == stored
    again = fund_results.recount(published)
    assert [
        (c.proposal_id, c.rank, c.votes, c.amount_pence, c.funded, c.left_pence) for c in again
    ] == [
        (p["proposal_id"], p["rank"], p["votes"], p["amount_pence"], p["funded"], p["left_pence"])
        for p in sorted(published["proposals"], key=lambda line: line["rank"])
    ]
    assert [(c.votes, c.funded) for c in again] == [(1, True), (1, False)]

    # 5. The planner adds news, the proposer a milestone; both reach the round's page and the
    # log, and the strength's page says what it was funded for.
    planner.goto(round_url)
    project = planner.locator(".fund-project")
    project.get_by_role("link", name="Add news of this project").click()
    accessible(planner)
    planner.get_by_label("What has happened").fill("The first morning mended twelve bikes.")
    planner.get_by_role("button", name="Add the news").click()
    expect(planner.locator("[data-updates]")).to_contain_text("mended twelve bikes")
    resident.goto(round_url)
    resident.locator(".fund-project").get_by_role("link", name="Add news of this project").click()
    resident.get_by_label("What has happened").fill("The tool kit is bought & in use.")
    resident.get_by_label("This is a milestone").check()
    accessible(resident)
    resident.get_by_role("button", name="Add the news").click()
    news = resident.locator("[data-updates] li")
    expect(news).to_have_count(2)
    expect(resident.locator("[data-updates]")).to_contain_text("The tool kit is bought & in use.")
    expect(news.filter(has_text="tool kit").locator(".govuk-tag")).to_have_text("Milestone")

    visitor.goto(round_url)
    expect(visitor.locator("[data-updates]")).to_contain_text("mended twelve bikes")
    expect(visitor.locator("[data-updates]")).to_contain_text("The tool kit is bought & in use.")
    visitor.get_by_role("link", name="You said, we did").click()
    expect(visitor.locator(f"[data-fund-round='{round_id}']")).to_contain_text(
        f"Community fund: {TITLE}: 1 project funded, £400"
    )
    logged = visitor.locator("[data-fund-update]")
    milestone = logged.filter(has_text="The tool kit is bought & in use.")
    expect(milestone).to_contain_text(RESIDENTS_IDEA)
    expect(milestone.locator(".govuk-tag")).to_have_text("Milestone")
    expect(logged.filter(has_text="mended twelve bikes")).to_contain_text(RESIDENTS_IDEA)
    accessible(visitor)

    visitor.goto(round_url)
    visitor.locator(".fund-project [data-builds-on]").get_by_role("link", name=group).click()
    expect(visitor.get_by_role("heading", name=group, level=1)).to_be_visible()
    grant = visitor.locator("[data-grant]", has_text=TITLE)
    expect(grant).to_contain_text(f"Funded: £400 from {TITLE} for {RESIDENTS_IDEA}")
    expect(grant.get_by_role("link", name=TITLE)).to_have_attribute("href", f"/funds/{round_id}")
    accessible(visitor)

    # 6. Nothing failed along the way but the second recorded vote, refused as it should be.
    record = f"{round_url}/vote/record"
    assert problems.failed == [f"400 {record}"]
    assert [e for e in problems.errors if "status of 400" not in e] == []
