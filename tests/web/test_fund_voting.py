"""Voting pages: where you live on the account page, the ballot and why someone may not vote,
votes connectors record and their audit, and the voting part of a round's page."""

from __future__ import annotations

import datetime as dt
import re

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box

from assetmap.domain.funds import ProposalStatus, TieBreak, VotingMethod
from assetmap.storage import ballots
from assetmap.storage.models import (
    FundBallot,
    FundProposal,
    FundRound,
    FundRoundArea,
    FundVoter,
    Neighbourhood,
    User,
    utcnow,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import add_user, count, csrf, form_token, post, sign_in_by_cookie, text

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
TITLES = ("Community fridge", "Bike repair kit", "Bench for the green")
AMOUNTS = (40_000, 50_000, 30_000)


def neighbourhood(app: Flask, code: str) -> int:
    with app.app_context():
        query = sa.select(Neighbourhood.id).where(Neighbourhood.code == code)
        return db.session().scalars(query).one()


@pytest.fixture
def fund(app: Flask) -> int:
    """A West End round voting from two days ago to five days on, budget £1,000, with three
    eligible projects."""
    today = ballots.today()
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, [WEST, EAST])
        session.flush()
        west = session.scalars(sa.select(Neighbourhood.id).where(Neighbourhood.code == "west"))
        round_ = FundRound(
            title="West End small grants",
            budget_pence=100_000,
            method=VotingMethod.BUDGET,
            tie_break=TieBreak.SMALLER_FIRST,
            proposers=["resident"],
            proposals_open=today - dt.timedelta(days=40),
            proposals_close=today - dt.timedelta(days=20),
            voting_open=today - dt.timedelta(days=2),
            voting_close=today + dt.timedelta(days=5),
            results_on=today + dt.timedelta(days=10),
            areas=[FundRoundArea(neighbourhood_id=west.one())],
        )
        session.add(round_)
        session.flush()
        session.add_all(
            FundProposal(
                round_id=round_.id,
                title=title,
                summary=f"About {title}",
                amount_pence=amount,
                status=ProposalStatus.ELIGIBLE,
            )
            for title, amount in zip(TITLES, AMOUNTS, strict=True)
        )
        session.commit()
        return round_.id


def proposals(app: Flask, round_id: int) -> list[int]:
    with app.app_context():
        query = sa.select(FundProposal.id).where(FundProposal.round_id == round_id)
        return list(db.session().scalars(query.order_by(FundProposal.id)))


def resident(
    app: Flask, email: str = "ann@example.org", *, home: str | None = "west", confirmed: bool = True
) -> FlaskClient:
    user_id = add_user(app, email)
    with app.app_context(), db.database().session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.confirmed_at = utcnow() if confirmed else None
        user.home_neighbourhood_id = neighbourhood(app, home) if home else None
        session.commit()
    client = app.test_client()
    sign_in_by_cookie(app, client, user_id)
    return client


def staff(app: Flask, role: str) -> FlaskClient:
    user_id = add_user(app, f"{role}@example.org", role, name=f"{role.title()} Person")
    with app.app_context(), db.database().session() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.confirmed_at = utcnow()
        session.commit()
    client = app.test_client()
    sign_in_by_cookie(app, client, user_id)
    return client


def vote(client: FlaskClient, round_id: int, chosen: list[int]) -> tuple[int, str]:
    token = form_token(client, f"/funds/{round_id}/vote")
    answer = client.post(
        f"/funds/{round_id}/vote", data={"csrf_token": token, "choices": [str(c) for c in chosen]}
    )
    return answer.status_code, answer.get_data(as_text=True)


def ticked(page: str) -> set[str]:
    return set(re.findall(r'value="(\d+)" data-amount-pence="\d+"[^>]*\bchecked\b', page))


def test_a_resident_says_where_they_live_and_can_take_it_back(app: Flask, fund: int) -> None:
    client = resident(app, home=None)
    page = client.get("/account").get_data(as_text=True)
    assert "never show it to anyone" in text(page)
    west = neighbourhood(app, "west")
    answer = post(client, "/account/where-you-live", home=str(west))
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/account#where-you-live")
    assert f'<option value="{west}" translate="no" selected>' in client.get("/account").text
    assert post(client, "/account/where-you-live", home="").status_code == 302
    with app.app_context():
        assert db.session().scalars(sa.select(User.home_neighbourhood_id)).all() == [None]


def test_a_neighbourhood_not_on_the_list_is_refused_and_nothing_changes(
    app: Flask, fund: int
) -> None:
    client = resident(app)
    answer = post(client, "/account/where-you-live", home="99999")
    assert answer.status_code == 400
    assert "from the list" in text(answer.get_data(as_text=True))
    with app.app_context():
        homes = db.session().scalars(sa.select(User.home_neighbourhood_id)).all()
    assert homes == [neighbourhood(app, "west")]


def test_my_data_holds_where_you_live_and_the_rounds_you_voted_in_not_how(
    app: Flask, fund: int
) -> None:
    client = resident(app)
    first = proposals(app, fund)[0]
    assert vote(client, fund, [first])[0] == 302
    data = orjson.loads(client.get("/account/my-data").data)
    assert data["user"]["where_you_live"]["code"] == "west"
    assert data["fund_votes"] == [
        {
            "round_id": fund,
            "voted_on": ballots.today().isoformat(),
            "recorded_by_you_for_someone_else": False,
        }
    ]
    assert TITLES[0] not in orjson.dumps(data).decode()
    assert str(first) not in orjson.dumps(data["fund_votes"]).decode().replace(str(fund), "")


def test_deleting_the_account_forgets_where_they_lived(app: Flask, fund: int) -> None:
    client = resident(app)
    assert post(client, "/account/delete", password="correct horse battery").status_code == 302
    with app.app_context():
        assert db.session().scalars(sa.select(User.home_neighbourhood_id)).all() == [None]


def test_a_resident_votes_within_the_budget_and_is_told_until_when_they_can_change_it(
    app: Flask, fund: int
) -> None:
    client = resident(app)
    first, _second, third = proposals(app, fund)
    page = client.get(f"/funds/{fund}/vote").get_data(as_text=True)
    assert "Choose projects that add up to no more than £1,000" in text(page)
    assert "Community fridge – £400" in text(page)
    assert "js/fund-ballot.js" in page
    status, _page = vote(client, fund, [first, third])
    assert status == 302
    page = client.get(f"/funds/{fund}/vote").get_data(as_text=True)
    assert "Your vote is saved. You can change it until" in text(page)
    assert ticked(page) == {str(first), str(third)}
    assert "Change my vote" in text(page)


def test_changing_a_vote_replaces_it(app: Flask, fund: int) -> None:
    client = resident(app)
    first, second, third = proposals(app, fund)
    vote(client, fund, [first, third])
    assert vote(client, fund, [second])[0] == 302
    assert ticked(client.get(f"/funds/{fund}/vote").get_data(as_text=True)) == {str(second)}
    assert (count(app, FundVoter), count(app, FundBallot)) == (1, 1)


@pytest.mark.parametrize(
    "chosen",
    [lambda ids: ids, lambda ids: [ids[0], 99999], lambda ids: [], lambda ids: [ids[0], ids[0]]],
    ids=["over the budget", "not on the ballot", "nothing", "twice"],
)
def test_a_ballot_the_round_does_not_accept_is_refused_whole(
    app: Flask, fund: int, chosen: object
) -> None:
    client = resident(app)
    first = proposals(app, fund)[0]
    vote(client, fund, [first])
    status, page = vote(client, fund, chosen(proposals(app, fund)))  # type: ignore[operator]
    assert status == 400
    assert "There is a problem" in text(page)
    with app.app_context():
        choices = db.session().scalars(sa.select(FundBallot.chosen)).all()
    assert choices == [[first]]


def test_over_the_budget_says_by_how_much_in_a_whole_sentence(app: Flask, fund: int) -> None:
    client = resident(app)
    status, page = vote(client, fund, proposals(app, fund))
    assert status == 400
    assert "add up to £1,200, more than the budget of £1,000" in text(page)


def test_a_choice_that_is_not_a_number_is_refused(app: Flask, fund: int) -> None:
    client = resident(app)
    token = form_token(client, f"/funds/{fund}/vote")
    answer = client.post(f"/funds/{fund}/vote", data={"csrf_token": token, "choices": "1 OR 1"})
    assert answer.status_code == 400
    assert count(app, FundBallot) == 0


@pytest.mark.parametrize(
    ("who", "says"),
    [
        ({"confirmed": False}, "Confirm your email address to vote"),
        ({"home": None}, "Say where you live on your account page"),
        ({"home": "east"}, "your account says you live somewhere else"),
    ],
)
def test_people_who_may_not_vote_are_told_why(
    app: Flask, fund: int, who: dict[str, object], says: str
) -> None:
    client = resident(app, **who)  # type: ignore[arg-type]
    page = client.get(f"/funds/{fund}/vote").get_data(as_text=True)
    assert says in text(page)
    assert 'name="choices"' not in page


def test_a_visitor_is_asked_to_sign_in_and_cannot_vote(app: Flask, fund: int) -> None:
    client = app.test_client()
    page = client.get(f"/funds/{fund}/vote").get_data(as_text=True)
    assert "Sign in to vote" in text(page)
    token = form_token(client, "/sign-in")
    first = proposals(app, fund)[0]
    answer = client.post(f"/funds/{fund}/vote", data={"csrf_token": token, "choices": [first]})
    assert answer.status_code == 302
    assert "/sign-in" in answer.headers["Location"]
    assert count(app, FundBallot) == 0


def test_nobody_votes_once_voting_has_closed(app: Flask, fund: int) -> None:
    client = resident(app)
    with app.app_context(), db.database().session() as session:
        round_ = session.get(FundRound, fund)
        assert round_ is not None
        round_.voting_close = ballots.today() - dt.timedelta(days=1)
        session.commit()
    assert "Voting has closed." in text(client.get(f"/funds/{fund}/vote").get_data(as_text=True))
    token = form_token(client, "/account")
    first = proposals(app, fund)[0]
    answer = client.post(f"/funds/{fund}/vote", data={"csrf_token": token, "choices": [first]})
    assert answer.status_code == 403
    assert count(app, FundBallot) == 0


def test_no_page_shows_anyones_choices_but_their_own_admins_included(app: Flask, fund: int) -> None:
    first, _second, third = proposals(app, fund)
    vote(resident(app), fund, [first, third])
    admin = staff(app, "admin")
    with app.app_context(), db.database().session() as session:
        user = session.scalars(sa.select(User).where(User.email == "admin@example.org")).one()
        user.home_neighbourhood_id = neighbourhood(app, "west")
        session.commit()
    assert ticked(admin.get(f"/funds/{fund}/vote").get_data(as_text=True)) == set()
    for path in (f"/funds/{fund}", f"/funds/{fund}/recorded-votes", "/account/my-data"):
        page = admin.get(path).get_data(as_text=True)
        assert "ann@example.org" not in page
    audit = text(admin.get(f"/funds/{fund}/recorded-votes").get_data(as_text=True))
    assert not any(title in audit for title in TITLES)


def test_a_connector_records_a_vote_for_someone_without_an_account(app: Flask, fund: int) -> None:
    coach = staff(app, "coach")
    first = proposals(app, fund)[0]
    page = coach.get(f"/funds/{fund}/vote/record").get_data(as_text=True)
    assert "we do not keep them" in text(page)
    fields = {"has_account": "no", "name": "Dot Smith", "postcode": "BA11 1JP"}
    answer = coach.post(
        f"/funds/{fund}/vote/record",
        data={"csrf_token": csrf(page), "choices": [str(first)], **fields},
    )
    assert answer.status_code == 302
    assert "Their vote is recorded" in text(coach.get(answer.headers["Location"]).text)
    again = coach.post(
        f"/funds/{fund}/vote/record",
        data={"csrf_token": csrf(page), "choices": [str(first)], **fields, "name": "dot SMITH"},
    )
    assert again.status_code == 400
    assert "already recorded" in text(again.get_data(as_text=True))
    assert (count(app, FundVoter), count(app, FundBallot)) == (1, 1)


def test_a_connector_cannot_record_a_vote_for_someone_with_an_account(
    app: Flask, fund: int
) -> None:
    coach = staff(app, "coach")
    first = proposals(app, fund)[0]
    fields = {"has_account": "yes", "name": "Ann Example", "postcode": "BA11 1JP"}
    answer = post(coach, f"/funds/{fund}/vote/record", choices=[str(first)], **fields)
    assert answer.status_code == 400
    assert "People with an account vote for themselves" in text(answer.get_data(as_text=True))
    assert count(app, FundVoter) == 0


def test_a_recorded_vote_names_the_field_that_is_wrong(app: Flask, fund: int) -> None:
    coach = staff(app, "coach")
    first = proposals(app, fund)[0]
    fields = {"has_account": "no", "name": "Dot Smith", "postcode": "BA11 1RZ"}
    answer = post(coach, f"/funds/{fund}/vote/record", choices=[str(first)], **fields)
    assert answer.status_code == 400
    assert 'id="postcode-error"' in answer.get_data(as_text=True)
    assert "not in the fund's area" in text(answer.get_data(as_text=True))
    assert count(app, FundVoter) == 0


@pytest.mark.parametrize("role", ["resident", "planner"])
def test_only_connectors_and_admins_record_votes(app: Flask, fund: int, role: str) -> None:
    client = staff(app, role)
    assert client.get(f"/funds/{fund}/vote/record").status_code == 403


@pytest.mark.parametrize(("role", "status"), [("coach", 403), ("planner", 200), ("admin", 200)])
def test_only_planners_and_admins_see_the_audit(
    app: Flask, fund: int, role: str, status: int
) -> None:
    assert staff(app, role).get(f"/funds/{fund}/recorded-votes").status_code == status


def test_the_audit_counts_each_connectors_votes_by_day_never_for_whom(
    app: Flask, fund: int
) -> None:
    coach = staff(app, "coach")
    first = proposals(app, fund)[0]
    for name in ("Dot Smith", "Eve Jones"):
        fields = {"has_account": "no", "name": name, "postcode": "BA11 1JP"}
        post(coach, f"/funds/{fund}/vote/record", choices=[str(first)], **fields)
    page = text(staff(app, "planner").get(f"/funds/{fund}/recorded-votes").get_data(as_text=True))
    assert "Coach Person 2" in page
    assert "Dot" not in page and "Eve" not in page and "BA11" not in page


def test_the_rounds_page_says_vote_now_how_many_voted_and_whether_you_have(
    app: Flask, fund: int
) -> None:
    ann, bo = resident(app), resident(app, "bo@example.org")
    page = text(ann.get(f"/funds/{fund}").get_data(as_text=True))
    assert "Vote now" in page and "0 people have voted so far." in page
    vote(ann, fund, proposals(app, fund)[:1])
    assert "You have voted." in text(ann.get(f"/funds/{fund}").get_data(as_text=True))
    page = text(bo.get(f"/funds/{fund}").get_data(as_text=True))
    assert "1 person has voted so far." in page and "You have voted." not in page
