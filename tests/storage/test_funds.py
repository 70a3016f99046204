from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from shapely.geometry import box, mapping
from sqlalchemy import orm

from assetmap.domain.checks import validate_proposal
from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Proposer, Stage, TieBreak, VotingMethod
from assetmap.domain.geo import BBox
from assetmap.storage import checks, funds, roles, users
from assetmap.storage.models import FundRound, FundRoundArea, Neighbourhood, User
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
NORTH = Area("north", "North Hill", box(-2.34, 51.24, -2.30, 51.26))
TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def places(session: orm.Session) -> dict[str, int]:
    replace_neighbourhoods(session, [WEST, EAST, NORTH])
    session.commit()
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
    return {code: n for code, n in rows}


def staff(
    session: orm.Session, email: str, *, scope: Sequence[int] = (), role: str = "planner"
) -> User:
    user = users.create_user(session, email, role=role)
    session.flush()
    if scope:
        roles.change_role(session, user.id, role=role, neighbourhoods=list(scope), by=None)
    session.commit()
    return user


@pytest.fixture
def planner(session: orm.Session, places: dict[str, int]) -> User:
    return staff(session, "planner@example.org")


def typed(places: dict[str, int], **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Keyford small grants",
        "purpose": "Back what people in Keyford already do together.",
        "budget": "£5,000",
        "method": "budget",
        "tie_break": "smaller-first",
        "proposers": ["resident", "group-owner"],
        "proposals_open": ("1", "3", "2027"),
        "proposals_close": "2027-03-31",
        "voting_open": dt.date(2027, 4, 10),
        "voting_close": ("24", "04", "2027"),
        "results_on": ("1", "5", "2027"),
        "neighbourhoods": [str(places["west"]), str(places["east"])],
    }
    return values | overrides


def refused(session: orm.Session, values: dict[str, Any], user: User) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        funds.create_round(session, values, user=user)
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(FundRound)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(FundRoundArea)) == 0
    return {field: str(message) for field, message in caught.value.errors.items()}


def test_a_round_is_stored_with_its_rules_dates_and_area(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    made = funds.create_round(session, typed(places), user=planner)
    session.commit()
    view = funds.get_round(session, made.id, today=TODAY)
    assert view is not None
    fund = view.round
    assert (fund.title, fund.budget_pence) == ("Keyford small grants", 5_000_00)
    assert (fund.method, fund.tie_break) == (VotingMethod.BUDGET, TieBreak.SMALLER_FIRST)
    assert fund.proposers == ["resident", "group-owner"]
    assert (fund.proposals_open, fund.voting_close) == (dt.date(2027, 3, 1), dt.date(2027, 4, 24))
    assert fund.created_by == planner.id and fund.check_id is None
    assert view.area_names == ["East Side", "West End"]
    assert view.stage is Stage.PROPOSING
    assert funds.round_neighbourhoods(session, made.id) == {places["west"], places["east"]}


def test_every_field_at_fault_is_named_at_once_and_nothing_is_stored(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    values: dict[str, Any] = {name: "" for name in typed(places)} | {
        "proposers": [],
        "neighbourhoods": [],
    }
    errors = refused(session, values, planner)
    assert set(errors) == {
        "title",
        "purpose",
        "budget",
        "method",
        "tie_break",
        "proposers",
        *funds.DATE_FIELDS,
        "neighbourhoods",
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "   ", "is required"),
        ("title", "x" * 121, "must be at most 120 characters: you wrote 121"),
        ("purpose", "", "is required"),
        ("purpose", "x" * 4001, "must be at most 4000 characters: you wrote 4001"),
        ("budget", "", "is required"),
        ("budget", "twelve", "must be an amount of money, like 1250 or 1,250.50"),
        ("budget", "12,50", "must be an amount of money, like 1250 or 1,250.50"),
        ("budget", "0", "must be more than £0"),
        ("budget", "10,000,000.01", "must be at most £10,000,000"),
        ("budget", "9" * 5000, "must be at most £10,000,000"),
        ("method", "ranked", "is not one of the options"),
        ("method", "", "choose one of the options"),
        ("tie_break", "coin-toss", "is not one of the options"),
        ("proposers", [], "choose who may propose ideas"),
        ("proposers", ["resident", "anyone"], "is not one of the options"),
        ("proposals_open", ("31", "2", "2027"), "must be a real date, like 27 3 2027"),
        ("proposals_open", ("1", "3", "27"), "must be a real date, like 27 3 2027"),
        ("proposals_open", ("1", "3", "²⁰²⁷"), "must be a real date, like 27 3 2027"),
        ("proposals_open", ("", "", ""), "is required"),
        ("proposals_close", "2027-02-28", "must come after the date before it"),
        ("voting_open", "2027-03-31", "must come after the date before it"),
        ("voting_close", ("9", "4", "2027"), "must come after the date before it"),
        ("results_on", ("24", "4", "2027"), "must come after the date before it"),
        ("neighbourhoods", [], "choose at least one neighbourhood"),
        ("neighbourhoods", ["999999"], "choose neighbourhoods from the list"),
        ("neighbourhoods", ["1; DROP TABLE fund_round"], "choose neighbourhoods from the list"),
    ],
)
def test_each_field_is_checked(
    session: orm.Session,
    places: dict[str, int],
    planner: User,
    field: str,
    value: Any,
    message: str,
) -> None:
    assert refused(session, typed(places, **{field: value}), planner) == {field: message}


def test_a_resident_cannot_open_a_round(session: orm.Session, places: dict[str, int]) -> None:
    resident = staff(session, "resident@example.org", role="resident")
    with pytest.raises(funds.OutsideScope):
        funds.create_round(session, typed(places), user=resident)
    assert session.scalar(sa.select(sa.func.count()).select_from(FundRound)) == 0


def test_a_planner_limited_to_neighbourhoods_opens_rounds_only_there(
    session: orm.Session, places: dict[str, int]
) -> None:
    limited = staff(session, "west@example.org", scope=[places["west"]])
    errors = refused(session, typed(places), limited)
    assert errors == {"neighbourhoods": "must be within your neighbourhoods"}
    mine = typed(places, neighbourhoods=[str(places["west"])])
    assert funds.create_round(session, mine, user=limited).id


def test_a_limited_planner_cannot_change_a_round_reaching_beyond_their_neighbourhoods(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    fund = funds.create_round(session, typed(places), user=planner)
    session.commit()
    limited = staff(session, "west@example.org", scope=[places["west"]])
    narrowed = typed(places, neighbourhoods=[str(places["west"])], title="Taken over")
    with pytest.raises(funds.OutsideScope):
        funds.change_round(session, fund.id, narrowed, user=limited, today=TODAY)
    session.rollback()
    assert session.get(FundRound, fund.id).title == "Keyford small grants"  # type: ignore[union-attr]


def test_a_round_is_changed_before_voting_opens(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    fund = funds.create_round(session, typed(places), user=planner)
    session.commit()
    changed = typed(
        places,
        budget="7500.50",
        method="approval",
        tie_break="earlier-first",
        neighbourhoods=[str(places["east"]), str(places["north"])],
    )
    funds.change_round(session, fund.id, changed, user=planner, today=dt.date(2027, 4, 9))
    session.commit()
    view = funds.get_round(session, fund.id, today=TODAY)
    assert view is not None
    assert (view.round.budget_pence, view.round.method) == (7_500_50, VotingMethod.APPROVAL)
    assert view.round.tie_break is TieBreak.EARLIER_FIRST
    assert view.area_names == ["East Side", "North Hill"]


@pytest.mark.parametrize("day", [dt.date(2027, 4, 10), dt.date(2027, 4, 24), dt.date(2027, 6, 1)])
def test_a_round_cannot_be_changed_once_voting_opens(
    session: orm.Session, places: dict[str, int], planner: User, day: dt.date
) -> None:
    fund = funds.create_round(session, typed(places), user=planner)
    session.commit()
    with pytest.raises(funds.RoundFixed) as caught:
        funds.change_round(session, fund.id, typed(places, budget="50000"), user=planner, today=day)
    session.rollback()
    assert "Once voting opens, the budget, how people vote and how ties are broken are fixed" in (
        str(caught.value)
    )
    assert session.get(FundRound, fund.id).budget_pence == 5_000_00  # type: ignore[union-attr]


def test_a_published_round_cannot_be_changed(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    fund = funds.create_round(session, typed(places), user=planner)
    fund.published_at = dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
    session.commit()
    with pytest.raises(funds.RoundFixed, match="published"):
        funds.change_round(session, fund.id, typed(places), user=planner, today=TODAY)


def test_a_bad_change_leaves_the_round_as_it_was(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    fund = funds.create_round(session, typed(places), user=planner)
    session.commit()
    bad = typed(places, title="New title", neighbourhoods=[str(places["north"])], budget="x")
    with pytest.raises(ValidationError):
        funds.change_round(session, fund.id, bad, user=planner, today=TODAY)
    session.rollback()
    view = funds.get_round(session, fund.id, today=TODAY)
    assert view is not None
    assert view.round.title == "Keyford small grants"
    assert view.area_names == ["East Side", "West End"]


def test_changing_a_round_that_does_not_exist_says_so(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    with pytest.raises(funds.RoundNotFound, match="Fund round 404 doesn't exist"):
        funds.change_round(session, 404, typed(places), user=planner, today=TODAY)


def test_rounds_are_listed_newest_first_with_their_stage(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    first = funds.create_round(session, typed(places, title="First"), user=planner)
    first.created_at = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    later = typed(
        places,
        title="Second",
        proposals_open="2027-01-01",
        proposals_close="2027-01-31",
        voting_open="2027-02-10",
        voting_close="2027-03-10",
        results_on="2027-03-20",
        neighbourhoods=[str(places["north"])],
    )
    second = funds.create_round(session, later, user=planner)
    second.created_at = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    session.commit()
    listed = funds.list_rounds(session, today=TODAY)
    assert [(v.round.title, v.stage, v.area_names) for v in listed] == [
        ("Second", Stage.VOTING, ["North Hill"]),
        ("First", Stage.PROPOSING, ["East Side", "West End"]),
    ]


def test_a_round_started_from_a_check_covers_the_neighbourhoods_its_catchment_reaches(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    drawn = box(-2.335, 51.225, -2.31, 51.235)
    proposal, _notes = validate_proposal(
        {
            "name": "Community kitchen",
            "purpose": "Cook and eat together.",
            "audience": "Everyone",
            "themes": ["food"],
            "catchment": "polygon",
            "polygon": orjson.dumps(mapping(drawn)).decode(),
        },
        area=BBox(-2.42, 51.19, -2.24, 51.27),
    )
    check = checks.start_check(session, proposal, by=planner.id)
    session.commit()
    values = funds.from_check(session, check.id)
    assert values["title"] == "Fund what we found: Community kitchen"
    assert values["purpose"] == "Fund what we found: Cook and eat together."
    assert sorted(values["neighbourhoods"]) == sorted([str(places["west"]), str(places["east"])])
    chosen = typed(places) | values
    fund = funds.create_round(session, chosen, user=planner, check_id=check.id)
    session.commit()
    assert fund.check_id == check.id
    assert funds.round_neighbourhoods(session, fund.id) == {places["west"], places["east"]}


def test_starting_from_a_check_that_does_not_exist_says_so(session: orm.Session) -> None:
    with pytest.raises(checks.CheckNotFound):
        funds.from_check(session, 404)


def test_every_proposer_the_round_names_is_kept_in_a_fixed_order(
    session: orm.Session, places: dict[str, int], planner: User
) -> None:
    values = typed(places, proposers=["coach", "resident", "coach"])
    fund = funds.create_round(session, values, user=planner)
    assert fund.proposers == [Proposer.RESIDENT.value, Proposer.COACH.value]
