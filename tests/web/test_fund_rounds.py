from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box

from assetmap.domain.provenance import local_day
from assetmap.storage import roles
from assetmap.storage.models import FundRound, FundRoundArea, Neighbourhood, utcnow
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import (
    add_user,
    count,
    csrf,
    error_beside,
    form_token,
    post,
    sign_in_as,
    signed_in,
    start,
    statements,
    text,
)

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))


@pytest.fixture
def places(app: Flask) -> dict[str, int]:
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, [WEST, EAST])
        session.commit()
        rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
        return {code: n for code, n in rows}


@pytest.fixture
def planner(app: Flask, places: dict[str, int]) -> FlaskClient:
    return signed_in(app, "planner")


def day_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}-{part}": str(getattr(day, part)) for part in ("day", "month", "year")}


def typed(places: dict[str, int], *, voting_from: int = 20, **overrides: Any) -> dict[str, Any]:
    """A round's form as typed: taking ideas today, voting ``voting_from`` days from today."""
    today = local_day(utcnow())
    days = {
        "proposals_open": today - dt.timedelta(days=1),
        "proposals_close": today + dt.timedelta(days=voting_from - 5),
        "voting_open": today + dt.timedelta(days=voting_from),
        "voting_close": today + dt.timedelta(days=voting_from + 14),
        "results_on": today + dt.timedelta(days=voting_from + 21),
    }
    values: dict[str, Any] = {
        "title": "Keyford small grants",
        "purpose": "Back what people already do together.",
        "budget": "5,000",
        "method": "budget",
        "tie_break": "smaller-first",
        "proposers": ["resident", "coach"],
        "neighbourhoods": [str(places["west"]), str(places["east"])],
    }
    for name, day in days.items():
        values |= day_fields(name, day)
    return values | overrides


def opened(client: FlaskClient, places: dict[str, int], **overrides: Any) -> int:
    response = post(client, "/funds/new", **typed(places, **overrides))
    assert response.status_code == 302, text(response.get_data(as_text=True))
    found = re.fullmatch(r"/funds/(\d+)", response.headers["Location"])
    assert found
    return int(found[1])


def voting_now(app: Flask, round_id: int) -> None:
    today = local_day(utcnow())
    with app.app_context(), db.database().session() as session:
        fund = session.get(FundRound, round_id)
        assert fund is not None
        fund.proposals_open = today - dt.timedelta(days=20)
        fund.proposals_close = today - dt.timedelta(days=10)
        fund.voting_open = today
        fund.voting_close = today + dt.timedelta(days=7)
        session.commit()


def test_everyone_finds_community_funds_in_the_navigation(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/funds"' in page and "Community funds" in page


def test_a_visitor_reads_the_rounds_and_a_round_without_signing_in(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places)
    visitor = app.test_client()
    listing = text(visitor.get("/funds").get_data(as_text=True))
    assert "Open for ideas" in listing and "Keyford small grants" in listing
    assert "Start a round" not in listing
    page = visitor.get(f"/funds/{round_id}")
    assert page.status_code == 200
    words = text(page.get_data(as_text=True))
    assert "Back what people already do together." in words
    assert "£5,000" in words and "East Side, West End" in words
    assert "Taking ideas" in words and "Change the round" not in words


def test_the_round_page_states_how_votes_are_counted_from_the_start(
    planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places, tie_break="earlier-first")
    words = text(planner.get(f"/funds/{round_id}").get_data(as_text=True))
    assert "as long as their amounts add up to no more than the budget" in words
    assert "The budget is £5,000." in words
    assert "A project that no longer fits is skipped" in words
    assert "A project with no votes is never funded." in words
    assert "If projects have the same number of votes, the one proposed first comes first." in (
        words
    )
    assert "Ballots are secret" in words
    assert "People who live in the area" in words and "Community connectors" in words
    assert "People who run a group in the area" not in words


def test_the_round_page_shows_its_dates_as_steps_with_the_one_now(
    planner: FlaskClient, places: dict[str, int]
) -> None:
    page = planner.get(f"/funds/{opened(planner, places)}").get_data(as_text=True)
    steps = re.findall(r'data-step="(\w+)"', page)
    assert steps == ["now", "next", "next", "next"]
    assert 'aria-current="step"' in page


@pytest.mark.parametrize(("role", "status"), [(None, 302), ("resident", 403), ("coach", 403)])
def test_only_planners_and_admins_open_rounds(
    app: Flask, places: dict[str, int], role: str | None, status: int
) -> None:
    client = signed_in(app, role) if role else app.test_client()
    assert client.get("/funds/new").status_code == status
    token = form_token(client, "/sign-in")
    sent = client.post("/funds/new", data={"csrf_token": token, **typed(places)})
    assert sent.status_code == status
    assert count(app, FundRound) == 0


def test_the_form_offers_dates_ways_of_voting_tie_breaks_and_the_area(
    planner: FlaskClient,
) -> None:
    page = planner.get("/funds/new").get_data(as_text=True)
    assert 'name="voting_open-day"' in page and 'class="govuk-date-input"' in page
    assert page.count('name="method" type="radio"') == 2
    assert page.count('name="tie_break" type="radio"') == 2
    assert "the one asking for less money comes first" in page
    assert page.count('name="proposers" type="checkbox"') == 3
    assert ">West End<" in page and ">East Side<" in page


def test_an_admin_opens_a_round(app: Flask, places: dict[str, int]) -> None:
    opened(signed_in(app, "admin"), places)
    assert count(app, FundRound) == 1


def test_a_round_is_not_opened_without_the_forms_token(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    response = planner.post("/funds/new", data=typed(places))
    assert response.status_code == 400
    assert count(app, FundRound) == 0


def test_bad_input_names_the_field_and_keeps_what_was_typed(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    values = typed(places, budget="lots", title="Park fund") | {"results_on-month": "13"}
    response = post(planner, "/funds/new", **values)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert error_beside(page, "budget") == (
        "Error: The budget must be an amount of money, like 1250 or 1,250.50"
    )
    assert error_beside(page, "results_on") == (
        "Error: The day of the result must be a real date, like 27 3 2027"
    )
    assert 'href="#results_on-day"' in page and 'href="#budget"' in page
    assert 'value="Park fund"' in page and 'value="lots"' in page
    assert 'name="results_on-month" type="text" inputmode="numeric" value="13"' in page
    assert re.search(rf'value="{places["west"]}" checked', page)
    assert count(app, FundRound) == 0


def test_a_title_with_markup_is_shown_as_text(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places, title='<script>alert("x")</script>')
    for path in ("/funds", f"/funds/{round_id}", f"/funds/{round_id}/edit"):
        page = planner.get(path).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(" in page


def test_a_planner_changes_a_round_before_voting_opens(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places)
    form = planner.get(f"/funds/{round_id}/edit").get_data(as_text=True)
    assert 'value="5,000"' in form and 'value="Keyford small grants"' in form
    changed = typed(places, budget="6000", neighbourhoods=[str(places["west"])])
    response = planner.post(f"/funds/{round_id}/edit", data={"csrf_token": csrf(form), **changed})
    assert response.status_code == 302
    words = text(planner.get(f"/funds/{round_id}").get_data(as_text=True))
    assert "£6,000" in words and "East Side" not in words


def test_a_round_cannot_be_changed_once_voting_opens(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places)
    token = form_token(planner, f"/funds/{round_id}/edit")
    voting_now(app, round_id)
    page = planner.get(f"/funds/{round_id}").get_data(as_text=True)
    assert "Change the round" not in page and "Voting now" not in text(page)
    shown = planner.get(f"/funds/{round_id}/edit")
    assert shown.status_code == 409
    assert "the budget, how people vote and how ties are broken are fixed" in text(
        shown.get_data(as_text=True)
    )
    sent = planner.post(
        f"/funds/{round_id}/edit",
        data={"csrf_token": token, **typed(places, budget="90000", method="approval")},
    )
    assert sent.status_code == 409
    with app.app_context(), db.database().session() as session:
        fund = session.get(FundRound, round_id)
        assert fund is not None and fund.budget_pence == 5_000_00 and fund.method == "budget"
    assert "Voting now" in text(app.test_client().get("/funds").get_data(as_text=True))


def test_a_resident_cannot_change_a_round(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places)
    resident = signed_in(app, "resident")
    assert resident.get(f"/funds/{round_id}/edit").status_code == 403
    token = form_token(resident, "/sign-in")
    sent = resident.post(
        f"/funds/{round_id}/edit", data={"csrf_token": token, **typed(places, title="Mine")}
    )
    assert sent.status_code == 403
    assert "Keyford small grants" in planner.get(f"/funds/{round_id}").get_data(as_text=True)


def test_a_round_that_does_not_exist_is_not_found(planner: FlaskClient) -> None:
    assert planner.get("/funds/404").status_code == 404
    assert planner.get("/funds/404/edit").status_code == 404


def limited_planner(app: Flask, places: dict[str, int]) -> FlaskClient:
    user_id = add_user(app, "west-planner@example.org", "planner")
    with app.app_context(), db.database().session() as session:
        roles.change_role(
            session, user_id, role="planner", neighbourhoods=[places["west"]], by=None
        )
        session.commit()
    client = app.test_client()
    sign_in_as(client, "west-planner@example.org")
    return client


def test_a_planner_limited_to_neighbourhoods_is_offered_and_allowed_only_those(
    app: Flask, places: dict[str, int]
) -> None:
    limited = limited_planner(app, places)
    page = limited.get("/funds/new").get_data(as_text=True)
    assert ">West End<" in page and ">East Side<" not in page
    response = post(limited, "/funds/new", **typed(places))
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "neighbourhoods") == (
        "Error: The area must be within your neighbourhoods"
    )
    assert count(app, FundRound) == 0


def test_a_limited_planner_cannot_change_a_round_beyond_their_neighbourhoods(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    round_id = opened(planner, places)
    limited = limited_planner(app, places)
    assert limited.get(f"/funds/{round_id}/edit").status_code == 403
    assert "Change the round" not in limited.get(f"/funds/{round_id}").get_data(as_text=True)


def test_a_round_starts_from_a_strength_check(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    assert start(planner).status_code == 302
    check_page = planner.get("/checks/1").get_data(as_text=True)
    assert 'href="/checks/1/fund"' in check_page
    form = planner.get("/checks/1/fund").get_data(as_text=True)
    assert 'value="Fund what we found: Community kitchen"' in form
    assert "Fund what we found: Cook and eat together." in form
    for code in ("west", "east"):
        assert re.search(rf'value="{places[code]}" checked', form)
    values = typed(places, title="Fund what we found: Community kitchen")
    response = planner.post("/checks/1/fund", data={"csrf_token": csrf(form), **values})
    assert response.status_code == 302
    with app.app_context(), db.database().session() as session:
        fund = session.scalars(sa.select(FundRound)).one()
        assert fund.check_id == 1
        areas = session.scalars(sa.select(FundRoundArea.neighbourhood_id)).all()
        assert sorted(areas) == sorted(places.values())
    words = text(planner.get(response.headers["Location"]).get_data(as_text=True))
    assert "It backs what a strength check found already there: Community kitchen" in words


def test_starting_from_a_check_is_for_staff_and_an_unknown_check_is_not_found(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    assert start(planner).status_code == 302
    assert signed_in(app, "resident").get("/checks/1/fund").status_code == 403
    assert planner.get("/checks/99/fund").status_code == 404
    token = form_token(planner, "/funds/new")
    sent = planner.post("/checks/99/fund", data={"csrf_token": token, **typed(places)})
    assert sent.status_code == 404
    assert count(app, FundRound) == 0


def test_an_unpublished_check_behind_a_round_is_not_named_to_the_public(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    assert start(planner, name="Secret plan").status_code == 302
    form = planner.get("/checks/1/fund").get_data(as_text=True)
    response = planner.post("/checks/1/fund", data={"csrf_token": csrf(form), **typed(places)})
    page = app.test_client().get(response.headers["Location"]).get_data(as_text=True)
    assert "Secret plan" not in page and "/checks/1" not in page


def test_the_list_reads_every_rounds_area_in_one_query(
    app: Flask, planner: FlaskClient, places: dict[str, int]
) -> None:
    for number in range(3):
        opened(planner, places, title=f"Round {number}")
    with statements(app, lambda sql: "fund_round" in sql) as seen:
        page = app.test_client().get("/funds").get_data(as_text=True)
    assert all(f"Round {number}" in page for number in range(3))
    assert len(seen) == 2
