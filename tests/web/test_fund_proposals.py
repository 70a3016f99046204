from __future__ import annotations

import dataclasses
import datetime as dt
import email.message
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box
from werkzeug.test import TestResponse

from assetmap import create_app
from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.provenance import local_day
from assetmap.storage.models import (
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    Neighbourhood,
    User,
    UserScope,
    utcnow,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import (
    add_asset,
    add_user,
    count,
    csrf,
    error_beside,
    sign_in_by_cookie,
    statements,
    text,
)

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
IN_WEST = {"lon": -2.33, "lat": 51.23}
IN_EAST = {"lon": -2.31, "lat": 51.23}
OWNER_EMAIL = "skill-owner-4k7p@example.org"
OWNER_NAME = "Ownername Qwxyz"
CONTACT = "07700 900456"


@dataclasses.dataclass
class Town:
    app: Flask
    round_id: int
    users: dict[str, int]
    assets: dict[str, int]

    def client(self, who: str) -> FlaskClient:
        client = self.app.test_client()
        if who != "visitor":
            sign_in_by_cookie(self.app, client, self.users[who])
        return client


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def app(sqlite_url: str, outbox: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test",
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX_DIR": str(outbox),
        }
    )
    yield app
    db.database(app).dispose()


def mails(outbox: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def _today() -> dt.date:
    return local_day(utcnow())


def _set(app: Flask, model: Any, key: Any, **values: Any) -> None:
    with app.app_context():
        session = db.session()
        row = session.get(model, key)
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def add_round(app: Flask, west: int, *, opened: int = -3, **values: Any) -> int:
    start = _today() + dt.timedelta(days=opened)
    fields: dict[str, Any] = {
        "title": "Town centre fund",
        "purpose": "Small projects in the town centre.",
        "budget_pence": 5_000_00,
        "method": VotingMethod.BUDGET,
        "tie_break": TieBreak.SMALLER_FIRST,
        "proposers": ["resident", "group-owner", "coach"],
        "proposals_open": start,
        "proposals_close": start + dt.timedelta(days=10),
        "voting_open": start + dt.timedelta(days=15),
        "voting_close": start + dt.timedelta(days=25),
        "results_on": start + dt.timedelta(days=30),
    }
    with app.app_context():
        session = db.session()
        fund = FundRound(**(fields | values))
        fund.areas.append(FundRoundArea(neighbourhood_id=west))
        session.add(fund)
        session.commit()
        return fund.id


@pytest.fixture
def town(app: Flask) -> Town:
    with app.app_context():
        session = db.session()
        replace_neighbourhoods(session, [WEST, EAST])
        session.commit()
        codes = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
    users = {
        "resident": add_user(app, "res@example.org"),
        "outsider": add_user(app, "out@example.org"),
        "owner": add_user(app, OWNER_EMAIL, name=OWNER_NAME),
        "coach": add_user(app, "coach@example.org", "coach"),
        "planner": add_user(app, "planner@example.org", "planner"),
        "admin": add_user(app, "admin@example.org", "admin"),
    }
    _set(app, User, users["resident"], home_neighbourhood_id=codes["west"])
    _set(app, User, users["outsider"], home_neighbourhood_id=codes["east"])
    assets = {
        "group": add_asset(app, None, title="Allotment society", **IN_WEST),
        "space": add_asset(app, None, kind="space", title="Church hall", **IN_WEST),
        "skill": add_asset(
            app,
            users["owner"],
            kind="skill",
            title="Bike mending",
            contact=CONTACT,
            lon=-2.331234,
            lat=51.230987,
        ),
        "east": add_asset(app, None, title="East choir", **IN_EAST),
    }
    return Town(app, add_round(app, codes["west"]), users, assets)


def form_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf(response.get_data(as_text=True))


def idea(town: Town, *names: str, **values: Any) -> dict[str, Any]:
    return {
        "title": "Soup on Saturdays",
        "summary": "Cook soup for anyone who comes.",
        "who_will_do_it": "The allotment society's volunteers",
        "amount": "£400",
        "strengths": [town.assets[n] for n in names or ("group",)],
        "action": "send",
        **values,
    }


def propose(town: Town, who: str = "resident", *names: str, **values: Any) -> TestResponse:
    client = town.client(who)
    path = f"/funds/{town.round_id}/propose"
    token = form_of(client, path)
    return client.post(path, data={"csrf_token": token, **idea(town, *names, **values)})


def proposal_id(town: Town) -> int:
    with town.app.app_context():
        found = db.session().scalar(sa.select(sa.func.max(FundProposal.id)))
        assert found is not None
        return int(found)


def test_a_resident_sees_the_propose_button_on_the_rounds_page(town: Town) -> None:
    page = town.client("resident").get(f"/funds/{town.round_id}").get_data(as_text=True)
    assert "data-propose-button" in page
    assert "No ideas have been proposed yet." in text(page)


@pytest.mark.parametrize("who", ["visitor", "outsider"])
def test_someone_who_may_not_propose_sees_no_button(town: Town, who: str) -> None:
    page = town.client(who).get(f"/funds/{town.round_id}").get_data(as_text=True)
    assert "data-propose-button" not in page


def test_a_visitor_is_sent_to_sign_in_to_propose(town: Town) -> None:
    response = town.client("visitor").get(f"/funds/{town.round_id}/propose")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_someone_living_elsewhere_is_refused_the_form(town: Town) -> None:
    assert town.client("outsider").get(f"/funds/{town.round_id}/propose").status_code == 403
    response = town.client("outsider").post(
        f"/funds/{town.round_id}/propose", data=idea(town) | {"csrf_token": "x"}
    )
    assert response.status_code in (400, 403)
    assert count(town.app, FundProposal) == 0


def test_a_round_not_taking_ideas_says_so(town: Town) -> None:
    _set(town.app, FundRound, town.round_id, proposals_close=_today() - dt.timedelta(days=1))
    response = town.client("resident").get(f"/funds/{town.round_id}/propose")
    assert response.status_code == 409
    assert "not taking ideas" in text(response.get_data(as_text=True))


def test_a_missing_round_is_not_found(town: Town) -> None:
    assert town.client("resident").get("/funds/9999/propose").status_code == 404
    assert town.client("visitor").get(f"/funds/{town.round_id}/proposals/9999").status_code == 404


def test_the_picker_lists_matching_strengths_in_the_area_and_keeps_what_was_typed(
    town: Town,
) -> None:
    client = town.client("resident")
    path = f"/funds/{town.round_id}/propose"
    data = {"csrf_token": form_of(client, path), "title": "Soup <b>now</b>", "action": "search"}
    page = client.post(path, data=data | {"q": "choir"}).get_data(as_text=True)
    assert "Nothing in the round" in text(page)
    page = client.post(path, data=data | {"q": "hall"}).get_data(as_text=True)
    assert f'value="{town.assets["space"]}"' in page
    assert "Church hall" in page
    assert 'value="Soup &lt;b&gt;now&lt;/b&gt;"' in page
    assert count(town.app, FundProposal) == 0


def test_the_picker_shows_a_skill_by_title_and_kind_only(town: Town) -> None:
    client = town.client("resident")
    path = f"/funds/{town.round_id}/propose"
    data = {"csrf_token": form_of(client, path), "action": "search", "q": "bike"}
    page = client.post(path, data=data).get_data(as_text=True)
    assert "Bike mending" in page
    for secret in (OWNER_NAME, OWNER_EMAIL, CONTACT, "2.33123", "51.23098"):
        assert secret not in page


def test_a_resident_proposes_an_idea(town: Town) -> None:
    response = propose(town, "resident", "group", "space")
    assert response.status_code == 302
    pid = proposal_id(town)
    assert response.headers["Location"].endswith(f"/funds/{town.round_id}/proposals/{pid}")
    page = town.client("visitor").get(f"/funds/{town.round_id}/proposals/{pid}")
    shown = text(page.get_data(as_text=True))
    assert "Soup on Saturdays" in shown
    assert "£400" in shown
    assert "Waiting to be checked" in shown
    assert "Allotment society (group)" in shown and "Church hall (space)" in shown
    assert "Proposed by a resident" in shown
    assert "res@example.org" not in page.get_data(as_text=True)


def test_naming_a_skill_mails_its_owner_without_naming_the_proposer(
    town: Town, outbox: Path
) -> None:
    _set(town.app, User, town.users["resident"], display_name="Proposername Abcde")
    assert propose(town, "resident", "skill").status_code == 302
    [message] = mails(outbox)
    assert message["To"] == OWNER_EMAIL
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Bike mending" in message["Subject"] + body
    assert "/funds/consent" in body
    assert "Someone" in body
    for secret in ("res@example.org", "Proposername"):
        assert secret not in body and secret not in message["Subject"]


def test_naming_a_skill_never_shows_the_proposer_its_owner(town: Town) -> None:
    response = propose(town, "resident", "skill")
    client = town.client("resident")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bike mending" in page
    for secret in (OWNER_NAME, OWNER_EMAIL, CONTACT):
        assert secret not in page


def test_a_skill_not_agreed_is_not_shown_publicly(town: Town) -> None:
    propose(town, "resident", "group", "skill")
    for path in (f"/funds/{town.round_id}", f"/funds/{town.round_id}/proposals/1"):
        page = town.client("visitor").get(path).get_data(as_text=True)
        assert "Allotment society" in page
        assert "Bike mending" not in page


def test_bad_input_is_named_beside_each_field_and_kept(town: Town) -> None:
    response = propose(
        town, "resident", title="", amount="lots", summary="<script>x</script>", strengths=[]
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_beside(page, "title") == "Error: Enter a name for the idea"
    assert error_beside(page, "amount").startswith("Error: Enter the amount in pounds")
    assert "Choose at least one strength" in error_beside(page, "strengths")
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert 'value="lots"' in page
    assert count(town.app, FundProposal) == 0


def test_an_amount_over_the_budget_is_refused(town: Town) -> None:
    response = propose(town, "resident", amount="5,000.01")
    assert response.status_code == 400
    assert "£5,000" in error_beside(response.get_data(as_text=True), "amount")
    assert count(town.app, FundProposal) == 0


def test_a_strength_outside_the_area_is_refused_and_the_choice_kept(town: Town) -> None:
    response = propose(town, "resident", "group", "east")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "this round's area" in error_beside(page, "strengths")
    assert f'value="{town.assets["group"]}" checked' in page
    assert count(town.app, FundProposal) == 0


def test_a_form_without_its_csrf_token_is_refused(town: Town) -> None:
    client = town.client("resident")
    response = client.post(f"/funds/{town.round_id}/propose", data=idea(town))
    assert response.status_code == 400
    assert count(town.app, FundProposal) == 0


def test_a_connector_proposes_for_someone_without_an_account(town: Town) -> None:
    page = town.client("coach").get(f"/funds/{town.round_id}/propose").get_data(as_text=True)
    assert "for someone without an account" in text(page)
    assert propose(town, "coach").status_code == 302
    shown = text(town.client("visitor").get(f"/funds/{town.round_id}").get_data(as_text=True))
    assert "Proposed by a community connector for someone without an account" in shown


def test_the_owner_agrees_on_the_consent_page(town: Town) -> None:
    propose(town, "resident", "skill")
    client = town.client("owner")
    page = client.get("/funds/consent").get_data(as_text=True)
    assert "Soup on Saturdays" in page and "Bike mending" in page
    assert "res@example.org" not in page
    data = {"csrf_token": csrf(page), "proposal": 1, "skill": town.assets["skill"]}
    assert client.post("/funds/consent", data=data | {"answer": "agree"}).status_code == 302
    with town.app.app_context():
        assert db.session().scalar(sa.select(FundProposalStrength.consent)) is Consent.AGREED
    public = town.client("visitor").get(f"/funds/{town.round_id}").get_data(as_text=True)
    assert "Bike mending" in public
    assert OWNER_NAME not in public and OWNER_EMAIL not in public


def test_my_strengths_tells_the_owner_an_idea_waits_for_their_answer_until_they_give_it(
    town: Town,
) -> None:
    client = town.client("owner")
    assert "say yes or no" not in text(client.get("/strengths/mine").get_data(as_text=True))
    propose(town, "resident", "skill")
    mine = client.get("/strengths/mine").get_data(as_text=True)
    assert "1 idea for a community fund wants to build on your skills" in text(mine)
    assert 'href="/funds/consent"' in mine
    page = client.get("/funds/consent").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "proposal": 1, "skill": town.assets["skill"]}
    assert client.post("/funds/consent", data=data | {"answer": "decline"}).status_code == 302
    assert "say yes or no" not in text(client.get("/strengths/mine").get_data(as_text=True))
    # Nobody else is told of it.
    others = town.client("resident").get("/strengths/mine").get_data(as_text=True)
    assert "say yes or no" not in text(others)


def test_nobody_else_answers_for_a_skills_owner(town: Town) -> None:
    propose(town, "resident", "skill")
    for who in ("resident", "planner", "admin"):
        client = town.client(who)
        token = form_of(client, "/funds/consent")
        data = {"csrf_token": token, "proposal": 1, "skill": town.assets["skill"]}
        assert client.post("/funds/consent", data=data | {"answer": "agree"}).status_code == 404
    with town.app.app_context():
        assert db.session().scalar(sa.select(FundProposalStrength.consent)) is Consent.ASKED


def test_an_answer_without_its_csrf_token_is_refused(town: Town) -> None:
    propose(town, "resident", "skill")
    data = {"proposal": 1, "skill": town.assets["skill"], "answer": "agree"}
    assert town.client("owner").post("/funds/consent", data=data).status_code == 400
    with town.app.app_context():
        assert db.session().scalar(sa.select(FundProposalStrength.consent)) is Consent.ASKED


def check(town: Town, who: str, pid: int, **values: str) -> TestResponse:
    client = town.client(who)
    path = f"/funds/{town.round_id}/proposals/{pid}/check"
    return client.post(path, data={"csrf_token": form_of(client, path), **values})


def test_a_planner_marks_an_idea_not_eligible_with_a_reason_shown_publicly(town: Town) -> None:
    propose(town, "resident")
    pid = proposal_id(town)
    response = check(town, "planner", pid, eligible="no", reason="Outside the <town> centre")
    assert response.status_code == 302
    page = town.client("visitor").get(f"/funds/{town.round_id}").get_data(as_text=True)
    assert "Not eligible" in text(page)
    assert "Outside the &lt;town&gt; centre" in page


def test_not_eligible_without_a_reason_is_refused(town: Town) -> None:
    propose(town, "resident")
    response = check(town, "planner", proposal_id(town), eligible="no", reason="")
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "reason") == (
        "Error: Say why the idea is not eligible"
    )
    assert stored_status(town) is ProposalStatus.SUBMITTED


def test_a_check_without_a_choice_is_refused(town: Town) -> None:
    propose(town, "resident")
    response = check(town, "planner", proposal_id(town), reason="x")
    assert response.status_code == 400
    assert "Choose whether" in error_beside(response.get_data(as_text=True), "eligible")


def stored_status(town: Town) -> ProposalStatus:
    with town.app.app_context():
        status = db.session().scalar(sa.select(FundProposal.status))
        assert status is not None
        return status


def test_an_idea_waiting_for_a_skills_owner_cannot_be_eligible(town: Town) -> None:
    propose(town, "resident", "skill")
    response = check(town, "planner", proposal_id(town), eligible="yes")
    assert response.status_code == 400
    assert "agreed" in error_beside(response.get_data(as_text=True), "eligible")
    assert stored_status(town) is ProposalStatus.SUBMITTED


@pytest.mark.parametrize("who", ["resident", "coach"])
def test_only_planners_check_ideas(town: Town, who: str) -> None:
    propose(town, "resident")
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}/check"
    assert town.client(who).get(path).status_code == 403
    assert town.client("visitor").get(path).status_code == 302
    assert stored_status(town) is ProposalStatus.SUBMITTED


def test_a_planner_for_another_area_cannot_check(town: Town) -> None:
    propose(town, "resident")
    with town.app.app_context():
        session = db.session()
        east = session.scalar(sa.select(Neighbourhood.id).where(Neighbourhood.code == "east"))
        planner = session.get(User, town.users["planner"])
        assert planner is not None
        planner.scope_rows.append(UserScope(neighbourhood_id=east))
        session.commit()
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}/check"
    assert town.client("planner").get(path).status_code == 403


def test_a_check_once_voting_opens_says_so(town: Town) -> None:
    propose(town, "resident")
    day = _today()
    _set(
        town.app,
        FundRound,
        town.round_id,
        proposals_open=day - dt.timedelta(days=5),
        proposals_close=day - dt.timedelta(days=1),
        voting_open=day,
    )
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}/check"
    assert town.client("planner").get(path).status_code == 409


def test_a_proposer_withdraws_their_idea(town: Town) -> None:
    propose(town, "resident")
    client = town.client("resident")
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}"
    token = form_of(client, path)
    assert client.post(f"{path}/withdraw", data={"csrf_token": token}).status_code == 302
    assert count(town.app, FundProposal) == 0


@pytest.mark.parametrize("who", ["outsider", "planner"])
def test_nobody_else_withdraws_an_idea(town: Town, who: str) -> None:
    propose(town, "resident")
    client = town.client(who)
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}"
    token = form_of(client, path)
    assert client.post(f"{path}/withdraw", data={"csrf_token": token}).status_code == 403
    assert count(town.app, FundProposal) == 1


def test_an_idea_page_never_names_who_proposed_it(town: Town) -> None:
    _set(town.app, User, town.users["resident"], display_name="Proposername Abcde")
    propose(town, "resident")
    path = f"/funds/{town.round_id}/proposals/{proposal_id(town)}"
    for who in ("visitor", "planner", "owner"):
        page = town.client(who).get(path).get_data(as_text=True)
        assert "Proposername" not in page and "res@example.org" not in page
    own = town.client("resident").get(path).get_data(as_text=True)
    assert "Withdraw your idea" in own
    assert "Withdraw your idea" not in town.client("visitor").get(path).get_data(as_text=True)


def test_the_rounds_page_reads_its_ideas_in_two_queries(town: Town) -> None:
    for n in range(3):
        propose(town, "resident", "group", "space", title=f"Idea {n}")
    with statements(town.app, lambda s: "fund_proposal" in s) as seen:
        page = town.client("visitor").get(f"/funds/{town.round_id}").get_data(as_text=True)
    assert page.count("data-proposal=") == 3
    assert len(seen) <= 2


def test_an_ideas_title_is_escaped_in_every_message_and_list(town: Town) -> None:
    propose(town, "resident", title="Soup <script>alert(1)</script>")
    pid = proposal_id(town)
    planner = town.client("planner")
    path = f"/funds/{town.round_id}/proposals/{pid}/check"
    checked = planner.post(path, data={"csrf_token": form_of(planner, path), "eligible": "yes"})
    assert checked.status_code == 302
    after_check = planner.get(checked.headers["Location"]).get_data(as_text=True)
    assert "Checked: “" in text(after_check)
    shown = town.client("visitor").get(f"/funds/{town.round_id}/proposals/{pid}")
    for page in (after_check, shown.get_data(as_text=True)):
        assert "<script>alert(1)</script>" not in page
        assert "Soup &lt;script&gt;alert(1)&lt;/script&gt;" in page
