from __future__ import annotations

import datetime as dt
import secrets
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.provenance import local_day
from assetmap.storage import fund_results, roles
from assetmap.storage.models import FundRound, Neighbourhood, utcnow
from assetmap.storage.models.funds import (
    FundBallot,
    FundProposal,
    FundProposalStrength,
    FundRoundArea,
    FundUpdate,
)
from assetmap.web import db
from tests.web.helpers import (
    add_asset,
    add_user,
    count,
    csrf,
    sign_in_as,
    signed_in,
    statements,
    text,
)

ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = local_day(utcnow())


def add_round(app: Flask, *, closed: bool = True, title: str = "Spring fund") -> int:
    shift = dt.timedelta(days=0 if closed else 10)
    with app.app_context(), db.database().session() as session:
        fund = FundRound(
            title=title,
            budget_pence=1000_00,
            method=VotingMethod.APPROVAL,
            tie_break=TieBreak.SMALLER_FIRST,
            proposers=["resident"],
            proposals_open=TODAY - dt.timedelta(days=40) + shift,
            proposals_close=TODAY - dt.timedelta(days=20) + shift,
            voting_open=TODAY - dt.timedelta(days=10) + shift,
            voting_close=TODAY - dt.timedelta(days=2) + shift,
            results_on=TODAY + dt.timedelta(days=5) + shift,
        )
        session.add(fund)
        session.commit()
        return fund.id


def add_proposals(
    app: Flask, round_id: int, ideas: list[tuple[str, int]], by: int | None = None
) -> list[int]:
    with app.app_context(), db.database().session() as session:
        made = [
            FundProposal(
                round_id=round_id,
                title=title,
                amount_pence=amount,
                proposed_by=by,
                status=ProposalStatus.ELIGIBLE,
            )
            for title, amount in ideas
        ]
        session.add_all(made)
        session.commit()
        return [proposal.id for proposal in made]


def add_ballots(app: Flask, round_id: int, *ballots: list[int]) -> list[str]:
    holders = [secrets.token_hex(32) for _ballot in ballots]
    with app.app_context(), db.database().session() as session:
        for holder, chosen in zip(holders, ballots, strict=True):
            session.add(FundBallot(round_id=round_id, holder=holder, chosen=chosen))
        session.commit()
    return holders


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    proposer = add_user(app, "pip@example.org")
    round_id = add_round(app)
    roof, benches, seeds = add_proposals(
        app,
        round_id,
        [("Hall roof", 700_00), ("Park benches", 400_00), ("Seed library", 250_00)],
        by=proposer,
    )
    holders = add_ballots(app, round_id, [roof, benches, seeds], [roof, benches], [roof])
    return {
        "round": round_id,
        "roof": roof,
        "benches": benches,
        "seeds": seeds,
        "holders": holders,
        "proposer": proposer,
    }


def published(app: Flask, world: dict[str, Any]) -> FlaskClient:
    planner = signed_in(app, "planner")
    page = planner.get(f"/funds/{world['round']}/count").get_data(as_text=True)
    response = planner.post(
        f"/funds/{world['round']}/count",
        data={"csrf_token": csrf(page), "digest": _digest(page)},
    )
    assert response.status_code == 302
    return planner


def _digest(page: str) -> str:
    marker = 'name="digest" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def statuses(app: Flask, round_id: int) -> dict[str, ProposalStatus]:
    with app.app_context(), db.database().session() as session:
        fund = session.get_one(FundRound, round_id)
        return {p.title: p.status for p in fund.proposals}


def test_a_planner_sees_the_count_before_publishing_it(app: Flask, world: dict[str, Any]) -> None:
    planner = signed_in(app, "planner")
    page = text(planner.get(f"/funds/{world['round']}/count").get_data(as_text=True))
    assert "1 Hall roof 3 £700 Funded £300" in page
    assert "2 Park benches 2 £400 No longer fits £300" in page
    assert "3 Seed library 1 £250 Funded £50" in page
    assert "the project asking for less money comes first" in page
    assert "3 ballots were cast" in page
    assert statuses(app, world["round"])["Hall roof"] is ProposalStatus.ELIGIBLE


@pytest.mark.parametrize("role", ["resident", "coach"])
def test_only_staff_may_count(app: Flask, world: dict[str, Any], role: str) -> None:
    client = signed_in(app, role)
    assert client.get(f"/funds/{world['round']}/count").status_code == 403
    token = csrf(client.get("/").get_data(as_text=True))
    refused = client.post(f"/funds/{world['round']}/count", data={"csrf_token": token})
    assert refused.status_code == 403
    assert statuses(app, world["round"])["Hall roof"] is ProposalStatus.ELIGIBLE


def test_a_visitor_is_asked_to_sign_in_to_count(client: FlaskClient, world: dict[str, Any]) -> None:
    response = client.get(f"/funds/{world['round']}/count")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_publishing_marks_each_project_and_goes_to_the_result(
    app: Flask, world: dict[str, Any]
) -> None:
    planner = signed_in(app, "planner")
    page = planner.get(f"/funds/{world['round']}/count").get_data(as_text=True)
    response = planner.post(
        f"/funds/{world['round']}/count", data={"csrf_token": csrf(page), "digest": _digest(page)}
    )
    assert response.location == f"/funds/{world['round']}#result"
    assert statuses(app, world["round"]) == {
        "Hall roof": ProposalStatus.FUNDED,
        "Park benches": ProposalStatus.NOT_FUNDED,
        "Seed library": ProposalStatus.FUNDED,
    }
    again = planner.post(
        f"/funds/{world['round']}/count", data={"csrf_token": csrf(page), "digest": _digest(page)}
    )
    assert again.status_code == 400
    assert "The result is already published." in text(again.get_data(as_text=True))


def test_a_count_that_changed_since_the_planner_looked_is_not_published(
    app: Flask, world: dict[str, Any]
) -> None:
    planner = signed_in(app, "planner")
    page = planner.get(f"/funds/{world['round']}/count").get_data(as_text=True)
    with app.app_context(), db.database().session() as session:
        session.get_one(FundProposal, world["roof"]).status = ProposalStatus.NOT_ELIGIBLE
        session.commit()
    response = planner.post(
        f"/funds/{world['round']}/count", data={"csrf_token": csrf(page), "digest": _digest(page)}
    )
    assert response.status_code == 409
    assert "The count has changed since you looked" in text(response.get_data(as_text=True))
    assert statuses(app, world["round"])["Seed library"] is ProposalStatus.ELIGIBLE


def test_publishing_without_the_forms_token_is_refused(app: Flask, world: dict[str, Any]) -> None:
    planner = signed_in(app, "planner")
    page = planner.get(f"/funds/{world['round']}/count").get_data(as_text=True)
    response = planner.post(f"/funds/{world['round']}/count", data={"digest": _digest(page)})
    assert response.status_code == 400
    assert statuses(app, world["round"])["Hall roof"] is ProposalStatus.ELIGIBLE


def test_votes_are_not_counted_while_voting(app: Flask) -> None:
    round_id = add_round(app, closed=False)
    add_proposals(app, round_id, [("Hall roof", 700_00)])
    planner = signed_in(app, "planner")
    page = planner.get(f"/funds/{round_id}/count").get_data(as_text=True)
    assert "Votes can be counted once voting has closed." in text(page)
    assert "Publish the result" not in page
    response = planner.post(
        f"/funds/{round_id}/count", data={"csrf_token": csrf(page), "digest": "x"}
    )
    assert response.status_code == 400
    assert statuses(app, round_id)["Hall roof"] is ProposalStatus.ELIGIBLE


def test_the_totals_are_json_once_published_enough_to_count_again(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    assert client.get(f"/funds/{world['round']}/result.json").status_code == 404
    published(app, world)
    response = client.get(f"/funds/{world['round']}/result.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["round"] == {"id": world["round"], "title": "Spring fund"}
    assert body["rule"]["code"] == fund_results.RULE_CODE
    again = fund_results.recount(body)
    assert [c.proposal_id for c in again if c.funded] == [world["roof"], world["seeds"]]
    assert [line["votes"] for line in body["proposals"]] == [3, 2, 1]
    raw = response.get_data(as_text=True)
    assert not any(holder in raw for holder in world["holders"])
    assert "chosen" not in raw and "holder" not in raw


def test_the_round_page_shows_the_result_the_rule_and_what_each_project_builds_on(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    owner = add_user(app, "sam@example.org")
    group = add_asset(app, owner, title="Tuesday gardeners")
    skill = add_asset(app, owner, kind="skill", title="Hedge laying", contact="07700 900111")
    with app.app_context(), db.database().session() as session:
        session.add_all(
            [
                FundProposalStrength(proposal_id=world["seeds"], asset_id=group),
                FundProposalStrength(
                    proposal_id=world["seeds"], asset_id=skill, consent=Consent.ASKED
                ),
            ]
        )
        session.commit()
    published(app, world)
    html = client.get(f"/funds/{world['round']}").get_data(as_text=True)
    page = text(html)
    assert "2 projects funded, £950" in page
    assert "1 Hall roof 3 £700 Funded £300" in page
    assert "Park benches 2 £400 No longer fits £300" in page
    assert "Down that ranking, each project is funded if the money left still covers it" in page
    assert f'href="/assets/{group}"' in html and f'href="/assets/{skill}"' not in html
    assert "Tuesday gardeners" in page
    assert "Hedge laying" not in page and "07700 900111" not in html
    assert f'href="/funds/{world["round"]}/result.json"' in html
    assert "Add news of this project" not in page


def test_the_proposer_adds_news_of_a_funded_project(app: Flask, world: dict[str, Any]) -> None:
    published(app, world)
    proposer = app.test_client()
    sign_in_as(proposer, "pip@example.org")
    path = f"/funds/{world['round']}/proposals/{world['roof']}/updates/new"
    page = proposer.get(path).get_data(as_text=True)
    response = proposer.post(
        path,
        data={"csrf_token": csrf(page), "body": "The roofers start on Monday.", "milestone": "yes"},
    )
    assert response.location == f"/funds/{world['round']}#project-{world['roof']}"
    round_page = text(proposer.get(f"/funds/{world['round']}").get_data(as_text=True))
    assert "Milestone" in round_page and "The roofers start on Monday." in round_page
    assert "Add news of this project" in round_page


def test_a_planner_adds_news_of_a_funded_project(app: Flask, world: dict[str, Any]) -> None:
    planner = published(app, world)
    path = f"/funds/{world['round']}/proposals/{world['seeds']}/updates/new"
    page = planner.get(path).get_data(as_text=True)
    response = planner.post(path, data={"csrf_token": csrf(page), "body": "Seeds sorted."})
    assert response.status_code == 302
    assert count(app, FundUpdate) == 1


def test_someone_else_cannot_add_news(app: Flask, world: dict[str, Any]) -> None:
    published(app, world)
    other = signed_in(app, "resident", "eve@example.org")
    path = f"/funds/{world['round']}/proposals/{world['roof']}/updates/new"
    assert other.get(path).status_code == 403
    token = csrf(other.get("/").get_data(as_text=True))
    assert other.post(path, data={"csrf_token": token, "body": "Fake news"}).status_code == 403
    assert app.test_client().get(path).status_code == 302
    assert count(app, FundUpdate) == 0


def test_a_project_not_funded_has_no_news(app: Flask, world: dict[str, Any]) -> None:
    planner = published(app, world)
    path = f"/funds/{world['round']}/proposals/{world['benches']}/updates/new"
    assert planner.get(path).status_code == 404
    other_round = add_round(app, title="Other")
    wrong = f"/funds/{other_round}/proposals/{world['roof']}/updates/new"
    assert planner.get(wrong).status_code == 404


def test_empty_news_is_refused_beside_its_field(app: Flask, world: dict[str, Any]) -> None:
    planner = published(app, world)
    path = f"/funds/{world['round']}/proposals/{world['roof']}/updates/new"
    page = planner.get(path).get_data(as_text=True)
    response = planner.post(path, data={"csrf_token": csrf(page), "body": "   "})
    assert response.status_code == 400
    assert "Say what has happened" in text(response.get_data(as_text=True))
    assert count(app, FundUpdate) == 0


def _with_news(app: Flask, world: dict[str, Any], body: str, *, milestone: bool) -> None:
    with app.app_context(), db.database().session() as session:
        proposal = session.get_one(FundProposal, world["roof"])
        fund_results.add_update(session, proposal, body, milestone=milestone, by=None)
        session.commit()


def test_the_log_shows_the_result_and_the_news_newest_first(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    published(app, world)
    _with_news(app, world, "Scaffolding is up.", milestone=False)
    _with_news(app, world, "The roof is on!", milestone=True)
    html = client.get("/you-said-we-did").get_data(as_text=True)
    page = text(html)
    assert "Community fund: Spring fund: 2 projects funded, £950" in page
    assert page.index("The roof is on!") < page.index("Scaffolding is up.")
    assert page.index("Scaffolding is up.") < page.index("Community fund: Spring fund")
    assert f'href="/funds/{world["round"]}#result"' in html
    assert "pip@example.org" not in html


def test_the_feed_has_the_result_and_the_news(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    published(app, world)
    _with_news(app, world, "The roof is on!", milestone=True)
    response = client.get("/you-said-we-did/feed.atom")
    feed = ET.fromstring(response.data)
    found = [
        (entry.findtext(f"{ATOM}title"), entry.find(f"{ATOM}link").get("href"))  # type: ignore[union-attr]
        for entry in feed.iter(f"{ATOM}entry")
    ]
    base = f"http://127.0.0.1:5000/funds/{world['round']}"
    update_id = 1
    assert found == [
        ("Milestone: Hall roof (Spring fund)", f"{base}#update-{update_id}"),
        ("Community fund: Spring fund: 2 projects funded, £950", f"{base}#result"),
    ]
    summaries = [entry.findtext(f"{ATOM}summary") for entry in feed.iter(f"{ATOM}entry")]
    assert summaries[0] == "The roof is on!"


def test_what_people_wrote_is_escaped_everywhere(app: Flask, client: FlaskClient) -> None:
    round_id = add_round(app, title="<b>Fund</b>")
    (idea,) = add_proposals(app, round_id, [("<script>alert(1)</script>", 100_00)])
    add_ballots(app, round_id, [idea])
    published(app, {"round": round_id})
    with app.app_context(), db.database().session() as session:
        proposal = session.get_one(FundProposal, idea)
        fund_results.add_update(
            session, proposal, "<img src=x onerror=alert(2)>", milestone=False, by=None
        )
        session.commit()
    for path in (f"/funds/{round_id}", "/you-said-we-did"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "<b>Fund</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    feed = client.get("/you-said-we-did/feed.atom")
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(feed.data).iter(f"{ATOM}entry")]
    assert "News of <script>alert(1)</script> (<b>Fund</b>)" in titles


def test_a_planner_outside_the_rounds_area_may_not_count_it(demo_register: Flask) -> None:
    app = demo_register
    round_id = add_round(app)
    add_proposals(app, round_id, [("Hall roof", 700_00)])
    with app.app_context(), db.database().session() as session:
        codes = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
        session.add(FundRoundArea(round_id=round_id, neighbourhood_id=codes["frome-market"]))
        session.commit()
    outside = add_user(app, "keyford-planner@example.org", "planner")
    with app.app_context(), db.database().session() as session:
        roles.change_role(
            session, outside, role="planner", neighbourhoods=[codes["frome-keyford"]], by=None
        )
        session.commit()
    client = app.test_client()
    sign_in_as(client, "keyford-planner@example.org")
    assert client.get(f"/funds/{round_id}/count").status_code == 403
    token = csrf(client.get("/").get_data(as_text=True))
    assert client.post(f"/funds/{round_id}/count", data={"csrf_token": token}).status_code == 403
    assert statuses(app, round_id)["Hall roof"] is ProposalStatus.ELIGIBLE
    assert signed_in(app, "planner").get(f"/funds/{round_id}/count").status_code == 200


def test_the_result_reads_every_projects_news_at_once(app: Flask, client: FlaskClient) -> None:
    round_id = add_round(app)
    ideas = add_proposals(app, round_id, [(f"Idea {n}", 100_00) for n in range(6)])
    add_ballots(app, round_id, ideas)
    published(app, {"round": round_id})
    with app.app_context(), db.database().session() as session:
        for idea in ideas:
            fund_results.add_update(
                session, session.get_one(FundProposal, idea), "Begun.", milestone=False, by=None
            )
        session.commit()

    def ours(statement: str) -> bool:
        return "FROM fund_update" in statement

    with statements(app, ours) as seen:
        page = text(client.get(f"/funds/{round_id}").get_data(as_text=True))
    assert page.count("Begun.") == 6
    assert len(seen) == 1
