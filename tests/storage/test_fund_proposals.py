from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.vocab import Status
from assetmap.storage import assets as store
from assetmap.storage import fund_proposals as proposals
from assetmap.storage import users as user_store
from assetmap.storage.fund_proposals import Idea, ProposedBy
from assetmap.storage.models import (
    Asset,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    Neighbourhood,
    UserScope,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

TODAY = dt.date(2026, 12, 7)
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
IN_WEST = {"lon": -2.33, "lat": 51.23}
IN_EAST = {"lon": -2.31, "lat": 51.23}


@dataclasses.dataclass
class Town:
    session: orm.Session
    west: int
    east: int
    users: dict[str, int] = dataclasses.field(default_factory=dict)
    assets: dict[str, int] = dataclasses.field(default_factory=dict)

    def user(self, name: str) -> Any:
        return user_store.get_user(self.session, self.users[name])


def _user(session: orm.Session, email: str, role: str = "resident", **values: Any) -> int:
    user = user_store.create_user(session, email, role=role)
    for key, value in values.items():
        setattr(user, key, value)
    session.flush()
    return user.id


def _asset(session: orm.Session, owner: int | None, **values: Any) -> int:
    raw = {"kind": "group", "title": "Soup club", "themes": ["food"], **IN_WEST, **values}
    if raw["kind"] == "skill":
        raw.setdefault("share_modes", ["teach"])
    return store.add_asset(session, validate_asset(raw), owner_id=owner, cell_m=400.0).id


@pytest.fixture
def town(session: orm.Session) -> Iterator[Town]:
    replace_neighbourhoods(session, [WEST, EAST])
    codes = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
    town = Town(session, codes["west"], codes["east"])
    town.users["resident"] = _user(session, "res@example.org", home_neighbourhood_id=town.west)
    town.users["outsider"] = _user(session, "out@example.org", home_neighbourhood_id=town.east)
    town.users["unconfirmed"] = _user(
        session, "new@example.org", home_neighbourhood_id=town.west, confirmed_at=None
    )
    town.users["runner"] = _user(session, "runs@example.org", home_neighbourhood_id=town.east)
    town.users["owner"] = _user(session, "owner@example.org")
    town.users["coach"] = _user(session, "coach@example.org", "coach")
    town.users["planner"] = _user(session, "planner@example.org", "planner")
    a = town.assets
    a["group"] = _asset(session, town.users["runner"], title="Allotment society")
    a["space"] = _asset(session, None, kind="space", title="Church hall")
    a["skill"] = _asset(session, town.users["owner"], kind="skill", title="Bike mending")
    a["own_skill"] = _asset(session, town.users["resident"], kind="skill", title="Sewing")
    a["orphan_skill"] = _asset(session, None, kind="skill", title="Knitting")
    a["east_group"] = _asset(session, None, title="East choir", **IN_EAST)
    a["hidden"] = _asset(session, None, title="Old swap shop")
    a["withdrawn"] = _asset(session, None, title="Closed cafe")
    for name, status in (("hidden", Status.HIDDEN), ("withdrawn", Status.WITHDRAWN)):
        hidden = session.get_one(Asset, a[name])
        hidden.status, hidden.hidden_reason = status, "Not current"
    session.commit()
    yield town


def _round(
    town: Town,
    *,
    opened: int = -3,
    proposers: tuple[str, ...] = ("resident", "group-owner", "coach"),
    budget: int = 5_000_00,
) -> int:
    start = TODAY + dt.timedelta(days=opened)
    fund = FundRound(
        title="Town centre fund",
        budget_pence=budget,
        method=VotingMethod.BUDGET,
        tie_break=TieBreak.SMALLER_FIRST,
        proposers=list(proposers),
        proposals_open=start,
        proposals_close=start + dt.timedelta(days=10),
        voting_open=start + dt.timedelta(days=15),
        voting_close=start + dt.timedelta(days=25),
        results_on=start + dt.timedelta(days=30),
    )
    fund.areas.append(FundRoundArea(neighbourhood_id=town.west))
    town.session.add(fund)
    town.session.commit()
    return fund.id


def _idea(town: Town, *names: str, **values: Any) -> Idea:
    fields: dict[str, Any] = {
        "title": "Soup on Saturdays",
        "summary": "Cook soup for anyone who comes.",
        "who_will_do_it": "The soup club's volunteers",
        "amount_pence": 400_00,
        "strength_ids": tuple(town.assets[n] for n in names or ("group",)),
    }
    return Idea(**(fields | values))


def _propose(town: Town, round_id: int, idea: Idea, who: str = "resident") -> FundProposal:
    proposal, _asked = proposals.add_proposal(
        town.session, round_id, idea, by=town.user(who), today=TODAY
    )
    town.session.commit()
    return proposal


def _refused(town: Town, round_id: int, idea: Idea, who: str = "resident") -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        proposals.add_proposal(town.session, round_id, idea, by=town.user(who), today=TODAY)
    town.session.rollback()
    assert town.session.scalar(sa.select(sa.func.count()).select_from(FundProposal)) == 0
    return caught.value.errors


def _to_the_vote(town: Town, round_id: int) -> None:
    fund = town.session.get_one(FundRound, round_id)
    fund.voting_open = TODAY
    fund.proposals_close = TODAY - dt.timedelta(days=1)
    fund.proposals_open = TODAY - dt.timedelta(days=5)
    town.session.commit()


def test_a_resident_proposes_an_idea_built_on_a_group_and_a_skill(town: Town) -> None:
    round_id = _round(town)
    proposal, asked = proposals.add_proposal(
        town.session, round_id, _idea(town, "group", "skill"), by=town.user("resident"), today=TODAY
    )
    town.session.commit()
    consents = dict(
        town.session.execute(
            sa.select(FundProposalStrength.asset_id, FundProposalStrength.consent)
        ).all()
    )
    assert consents == {
        town.assets["group"]: Consent.NOT_NEEDED,
        town.assets["skill"]: Consent.ASKED,
    }
    assert asked == [town.assets["skill"]]
    assert proposal.status is ProposalStatus.SUBMITTED
    assert proposal.amount_pence == 400_00


def test_a_proposers_own_skill_needs_no_asking(town: Town) -> None:
    proposal, asked = proposals.add_proposal(
        town.session, _round(town), _idea(town, "own_skill"), by=town.user("resident"), today=TODAY
    )
    assert asked == []
    assert proposal.strengths[0].consent is Consent.AGREED


@pytest.mark.parametrize("opened", [3, -12, -20])
def test_a_round_not_taking_ideas_refuses_them(town: Town, opened: int) -> None:
    errors = _refused(town, _round(town, opened=opened), _idea(town))
    assert "round" in errors


def test_someone_living_outside_the_area_cannot_propose(town: Town) -> None:
    assert "round" in _refused(town, _round(town), _idea(town), "outsider")


def test_someone_who_has_not_confirmed_their_address_cannot_propose(town: Town) -> None:
    assert "round" in _refused(town, _round(town), _idea(town), "unconfirmed")


def test_a_groups_owner_proposes_where_the_round_lets_them(town: Town) -> None:
    allowed = _round(town, proposers=("group-owner",))
    assert _propose(town, allowed, _idea(town), "runner").proposed_by == town.users["runner"]


def test_a_groups_owner_cannot_propose_to_a_round_for_residents_only(town: Town) -> None:
    assert "round" in _refused(town, _round(town, proposers=("resident",)), _idea(town), "runner")


def test_a_connector_proposes_for_someone_without_an_account(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, on_behalf=True), "coach")
    assert proposal.on_behalf


def test_a_connector_cannot_propose_for_themselves_where_they_do_not_live(town: Town) -> None:
    assert "round" in _refused(town, _round(town), _idea(town), "coach")


def test_a_connector_cannot_propose_where_the_round_does_not_let_them(town: Town) -> None:
    round_id = _round(town, proposers=("resident",))
    assert "round" in _refused(town, round_id, _idea(town, on_behalf=True), "coach")


def test_a_connector_working_elsewhere_cannot_propose_on_behalf(town: Town) -> None:
    coach = town.user("coach")
    coach.scope_rows.append(UserScope(neighbourhood_id=town.east))
    town.session.commit()
    assert "round" in _refused(town, _round(town), _idea(town, on_behalf=True), "coach")


def test_a_resident_cannot_propose_on_behalf_of_someone_else(town: Town) -> None:
    assert "round" in _refused(town, _round(town), _idea(town, on_behalf=True))


@pytest.mark.parametrize("name", ["east_group", "hidden", "withdrawn", "orphan_skill"])
def test_an_idea_cannot_build_on_a_strength_outside_the_map_or_area(town: Town, name: str) -> None:
    errors = _refused(town, _round(town), _idea(town, "group", name))
    assert set(errors) == {"strengths"}


def test_an_idea_cannot_build_on_a_strength_that_does_not_exist(town: Town) -> None:
    assert "strengths" in _refused(town, _round(town), _idea(town, strength_ids=(999_999,)))


def test_an_idea_must_build_on_a_strength(town: Town) -> None:
    assert "strengths" in _refused(town, _round(town), _idea(town, strength_ids=()))


@pytest.mark.parametrize("pence", [0, -100, 5_000_01])
def test_an_amount_must_be_more_than_nothing_and_at_most_the_budget(town: Town, pence: int) -> None:
    assert set(_refused(town, _round(town), _idea(town, amount_pence=pence))) == {"amount"}


def test_the_whole_budget_may_be_asked_for(town: Town) -> None:
    assert _propose(town, _round(town), _idea(town, amount_pence=5_000_00)).id


def test_every_missing_field_is_named_at_once(town: Town) -> None:
    idea = _idea(town, title=" ", summary="", who_will_do_it="", amount_pence=0, strength_ids=())
    errors = _refused(town, _round(town), idea)
    assert set(errors) == {"title", "summary", "who_will_do_it", "amount", "strengths"}


def test_a_title_too_long_is_refused(town: Town) -> None:
    assert set(_refused(town, _round(town), _idea(town, title="x" * 121))) == {"title"}


def test_a_rounds_proposals_come_with_their_strengths_in_two_queries(town: Town) -> None:
    round_id = _round(town)
    _propose(town, round_id, _idea(town, "group", "space"))
    _propose(town, round_id, _idea(town, "skill", title="Bike fixing"))
    seen: list[str] = []
    engine = town.session.get_bind()
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        found = proposals.proposals_of(town.session, round_id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    assert len(seen) == 2
    assert [p.title for p in found] == ["Soup on Saturdays", "Bike fixing"]
    assert [(s.kind.value, s.title) for s in found[0].public_strengths] == [
        ("group", "Allotment society"),
        ("space", "Church hall"),
    ]
    assert found[1].public_strengths == []
    assert [s.title for s in found[1].waiting_for] == ["Bike mending"]


def test_a_skill_is_listed_at_its_public_point_only(town: Town) -> None:
    round_id = _round(town)
    _propose(town, round_id, _idea(town, "skill"))
    skill = town.session.get_one(Asset, town.assets["skill"])
    ref = proposals.proposals_of(town.session, round_id)[0].strengths[0]
    assert (ref.lon, ref.lat) == (skill.public_lon, skill.public_lat)
    assert (ref.lon, ref.lat) != (IN_WEST["lon"], IN_WEST["lat"])
    assert not {"owner_id", "contact", "email"} & {f.name for f in dataclasses.fields(ref)}


def test_a_strength_hidden_later_drops_out_of_the_listing(town: Town) -> None:
    round_id = _round(town)
    _propose(town, round_id, _idea(town, "group", "space"))
    space = town.session.get_one(Asset, town.assets["space"])
    space.status, space.hidden_reason = Status.HIDDEN, "Reported"
    town.session.commit()
    titles = [s.title for s in proposals.proposals_of(town.session, round_id)[0].strengths]
    assert titles == ["Allotment society"]


def test_a_listing_says_in_what_capacity_each_idea_was_proposed(town: Town) -> None:
    round_id = _round(town)
    _propose(town, round_id, _idea(town))
    _propose(town, round_id, _idea(town), "runner")
    _propose(town, round_id, _idea(town, on_behalf=True), "coach")
    _propose(town, round_id, _idea(town), "planner")
    found = [p.by for p in proposals.proposals_of(town.session, round_id)]
    assert found == [
        ProposedBy.RESIDENT,
        ProposedBy.GROUP,
        ProposedBy.CONNECTOR,
        ProposedBy.ORGANISERS,
    ]


def test_a_skills_owner_sees_the_request_waiting_for_them(town: Town) -> None:
    round_id = _round(town)
    proposal = _propose(town, round_id, _idea(town, "group", "skill"))
    waiting = proposals.consent_requests(town.session, town.users["owner"])
    assert [(r.proposal_id, r.skill_title, r.round_title) for r in waiting] == [
        (proposal.id, "Bike mending", "Town centre fund")
    ]
    assert proposals.consent_requests(town.session, town.users["runner"]) == []
    assert proposals.consent_requests(town.session, town.users["resident"]) == []


def test_only_the_skills_owner_can_answer_a_request(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, "skill"))
    for who in ("resident", "runner", "planner"):
        with pytest.raises(ValidationError):
            proposals.answer_consent(
                town.session, proposal.id, town.assets["skill"], True, by=town.users[who]
            )
        town.session.rollback()
    assert town.session.scalar(sa.select(FundProposalStrength.consent)) is Consent.ASKED


def test_a_request_is_answered_once(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, "skill"))
    skill, owner = town.assets["skill"], town.users["owner"]
    proposals.answer_consent(town.session, proposal.id, skill, False, by=owner)
    town.session.commit()
    with pytest.raises(ValidationError):
        proposals.answer_consent(town.session, proposal.id, skill, True, by=owner)
    town.session.rollback()
    assert town.session.scalar(sa.select(FundProposalStrength.consent)) is Consent.DECLINED
    assert proposals.consent_requests(town.session, owner) == []


def test_an_idea_waiting_for_a_skills_owner_cannot_be_eligible(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, "skill"))
    with pytest.raises(ValidationError) as caught:
        proposals.check_proposal(
            town.session, proposal.id, True, "", by=town.users["planner"], today=TODAY
        )
    assert "agreed" in caught.value.errors["eligible"]
    town.session.rollback()
    proposals.answer_consent(
        town.session, proposal.id, town.assets["skill"], True, by=town.users["owner"]
    )
    checked = proposals.check_proposal(
        town.session, proposal.id, True, "", by=town.users["planner"], today=TODAY
    )
    assert checked.status is ProposalStatus.ELIGIBLE


def test_an_idea_a_skills_owner_declined_cannot_be_eligible(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, "skill"))
    skill, owner = town.assets["skill"], town.users["owner"]
    proposals.answer_consent(town.session, proposal.id, skill, False, by=owner)
    with pytest.raises(ValidationError):
        proposals.check_proposal(
            town.session, proposal.id, True, "", by=town.users["planner"], today=TODAY
        )


def test_not_eligible_needs_a_reason(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town))
    with pytest.raises(ValidationError) as caught:
        proposals.check_proposal(
            town.session, proposal.id, False, "  ", by=town.users["planner"], today=TODAY
        )
    assert set(caught.value.errors) == {"reason"}
    checked = proposals.check_proposal(
        town.session, proposal.id, False, "Outside the fund's purpose", by=1, today=TODAY
    )
    assert (checked.status, checked.reason) == (
        ProposalStatus.NOT_ELIGIBLE,
        "Outside the fund's purpose",
    )


def test_ideas_are_checked_while_the_round_checks_them(town: Town) -> None:
    round_id = _round(town)
    proposal = _propose(town, round_id, _idea(town))
    checking = TODAY + dt.timedelta(days=10)
    proposals.check_proposal(town.session, proposal.id, True, "", by=1, today=checking)
    town.session.commit()
    _to_the_vote(town, round_id)
    with pytest.raises(ValidationError):
        proposals.check_proposal(town.session, proposal.id, False, "Late", by=1, today=TODAY)
    town.session.rollback()
    assert town.session.get_one(FundProposal, proposal.id).status is ProposalStatus.ELIGIBLE


def test_a_proposer_withdraws_their_idea_before_voting(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town, "skill"))
    proposals.withdraw_proposal(town.session, proposal.id, by=town.users["resident"], today=TODAY)
    town.session.commit()
    assert town.session.scalar(sa.select(sa.func.count()).select_from(FundProposal)) == 0
    assert proposals.consent_requests(town.session, town.users["owner"]) == []


def test_nobody_else_withdraws_an_idea(town: Town) -> None:
    proposal = _propose(town, _round(town), _idea(town))
    for who in ("runner", "planner"):
        with pytest.raises(ValidationError):
            proposals.withdraw_proposal(town.session, proposal.id, by=town.users[who], today=TODAY)
        town.session.rollback()
    assert town.session.get(FundProposal, proposal.id) is not None


def test_an_idea_cannot_be_withdrawn_once_voting_opens(town: Town) -> None:
    round_id = _round(town)
    proposal = _propose(town, round_id, _idea(town))
    _to_the_vote(town, round_id)
    with pytest.raises(ValidationError):
        proposals.withdraw_proposal(
            town.session, proposal.id, by=town.users["resident"], today=TODAY
        )


def test_the_picker_finds_published_strengths_in_the_area_only(town: Town) -> None:
    round_id = _round(town)
    for words in ("east choir", "swap shop", "closed cafe"):
        assert proposals.strength_choices(town.session, round_id, words) == []
    found = proposals.strength_choices(town.session, round_id, "bike")
    assert [(c.kind.value, c.title) for c in found] == [("skill", "Bike mending")]
    found = proposals.strength_choices(town.session, round_id, "allotment")
    assert [(c.kind.value, c.title) for c in found] == [("group", "Allotment society")]


def test_the_picker_keeps_what_was_chosen_before(town: Town) -> None:
    round_id = _round(town)
    chosen = [town.assets["space"], town.assets["east_group"]]
    found = proposals.strength_choices(town.session, round_id, "bike", also=chosen)
    assert [c.title for c in found] == ["Bike mending", "Church hall"]
