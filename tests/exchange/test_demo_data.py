"""The demo neighbourhood reads as a real place would: no text a visitor would take for a
broken page. (Escaping is tested with hostile titles of the tests' own.)"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.funds import ProposalStatus, Stage
from assetmap.domain.provenance import local_day
from assetmap.domain.ties import TieKind, TieState
from assetmap.domain.vocab import Kind, Status
from assetmap.exchange.demo import default_folder, read_users
from assetmap.services.demo import load_demo
from assetmap.storage import ballots, fund_results
from assetmap.storage.models import Asset, AssetSchedule, FundRound, FundVoter, Tie, User, utcnow
from assetmap.storage.schedules import schedules_of
from assetmap.storage.ties import public_ties
from tests.exchange.helpers import AREA, CELL, copy_of, demo_features, demo_template


def test_no_demo_text_holds_markup() -> None:
    marked = [
        (feature["properties"]["title"], name)
        for feature in demo_features()
        for name, value in feature["properties"].items()
        if isinstance(value, str) and re.search(r"<[^>]*>", value)
    ]
    assert marked == []


# How many of the demo's groups and spaces state their times in words the reader is sure of:
# 82 of the 102 groups and 33 of the 85 spaces. The rest ("By arrangement", "Seasonal
# meet-ups, weekends") keep their words as a note.
GROUPS_SCHEDULED = 82
SPACES_SCHEDULED = 33


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(demo_template(tmp_path_factory), tmp_path_factory.mktemp("demo"))
    with database.session() as session:
        yield session
    database.dispose()


def _ties(session: orm.Session) -> list[tuple[TieKind, TieState, Asset, Asset]]:
    start, end = orm.aliased(Asset), orm.aliased(Asset)
    rows = session.execute(
        sa.select(Tie.kind, Tie.state, start, end)
        .join(start, start.id == Tie.from_id)
        .join(end, end.id == Tie.to_id)
        .order_by(Tie.id)
    ).all()
    return [(kind, state, a, b) for kind, state, a, b in rows]


def _by_title(session: orm.Session, title: str) -> Asset:
    return session.scalars(sa.select(Asset).where(Asset.title == title)).one()


def test_most_demo_groups_and_spaces_have_schedules(demo: orm.Session) -> None:
    kinds = demo.execute(
        sa.select(Asset.kind, sa.func.count(sa.distinct(AssetSchedule.asset_id)))
        .join(AssetSchedule, AssetSchedule.asset_id == Asset.id)
        .group_by(Asset.kind)
    ).all()
    assert dict(kinds) == {Kind.GROUP: GROUPS_SCHEDULED, Kind.SPACE: SPACES_SCHEDULED}


def test_the_demo_keeps_a_note_beside_its_schedules_and_words_it_cannot_read(
    demo: orm.Session,
) -> None:
    first_friday = _by_title(demo, "Fish & chips quiz night")
    assert first_friday.meeting_pattern == ""
    [schedule] = schedules_of(demo, [first_friday.id])[first_friday.id]
    assert schedule.describe() == "First Friday of the month, 7.30pm"
    term_time = [
        asset.meeting_pattern
        for asset in demo.scalars(sa.select(Asset).where(Asset.kind == Kind.GROUP))
        if asset.meeting_pattern == "term time"
    ]
    assert len(term_time) == 14
    assert _by_title(demo, "Badgers Hill match-day volunteers").meeting_pattern == (
        "Home match days"
    )


def test_every_demo_tie_joins_strengths_of_the_kinds_its_kind_joins(demo: orm.Session) -> None:
    ties = _ties(demo)
    assert len(ties) == len(list(csv.DictReader((default_folder() / "ties.csv").open())))
    for kind, _, start, end in ties:
        assert (start.kind, end.kind) == kind.kinds, (kind, start.title, end.title)
        assert start.status is Status.PUBLISHED and end.status is Status.PUBLISHED


def test_the_demo_has_groups_meeting_at_its_halls_and_parks(demo: orm.Session) -> None:
    meets = {(a.title, b.title) for kind, _, a, b in _ties(demo) if kind is TieKind.MEETS_AT}
    assert len(meets) >= 40
    assert ("Tai Chi in Victoria Park", "Victoria Park") in meets
    assert ("Rodden Meadow conservation volunteers", "Rodden Meadow") in meets
    assert ("Keyford Youth Club", "Keyford Community Centre") in meets
    assert ("Library Lovers book group", "Frome Library meeting room") in meets


def test_demo_offers_come_from_demo_users_skills_and_two_are_accepted(
    demo: orm.Session,
) -> None:
    people = {row["email"] for row in read_users(default_folder() / "users.csv")}
    offers = [(state, skill) for kind, state, skill, _ in _ties(demo) if kind is TieKind.OFFERS]
    assert 3 <= len(offers) <= 5
    for _, skill in offers:
        owner = demo.get(User, skill.owner_id) if skill.owner_id else None
        assert owner is not None and owner.email in people, skill.title
    states = [state for state, _ in offers]
    assert states.count(TieState.ACCEPTED) == 2 and states.count(TieState.PROPOSED) == 1


def test_the_demo_loads_its_schedules_and_ties_on_both_databases(session: orm.Session) -> None:
    loaded = load_demo(session, default_folder(), cell_m=CELL, area=AREA)
    session.commit()
    assert loaded.scheduled == GROUPS_SCHEDULED + SPACES_SCHEDULED
    assert loaded.ties == len(_ties(session)) >= 40
    victoria = _by_title(session, "Victoria Park")
    assert "Tai Chi in Victoria Park" in {end.title for end in public_ties(session, victoria.id)}


def _rounds(session: orm.Session) -> list[FundRound]:
    return list(session.scalars(sa.select(FundRound).order_by(FundRound.id)))


def test_the_demo_has_a_decided_fund_round_and_one_open_for_voting_today(
    session: orm.Session,
) -> None:
    loaded = load_demo(session, default_folder(), cell_m=CELL, area=AREA, secret=b"demo")
    session.commit()
    today = local_day(utcnow())
    decided, voting = _rounds(session)
    assert loaded.rounds == 2
    assert ballots.stage_of(decided, today) is Stage.DECIDED
    assert ballots.stage_of(voting, today) is Stage.VOTING
    statuses = {p.title: p.status for p in decided.proposals}
    assert ProposalStatus.FUNDED in statuses.values()
    assert ProposalStatus.NOT_FUNDED in statuses.values()
    assert ProposalStatus.NOT_ELIGIBLE in statuses.values()
    assert {p.status for p in voting.proposals} == {ProposalStatus.ELIGIBLE}
    news = [u for p in decided.proposals for u in p.updates]
    assert {u.milestone for u in news} == {True, False}


def test_the_demo_rounds_result_is_its_ballots_totals_and_recounts_the_same(
    session: orm.Session,
) -> None:
    load_demo(session, default_folder(), cell_m=CELL, area=AREA, secret=b"demo")
    session.commit()
    decided, _voting = _rounds(session)
    result = fund_results.published_result(decided)
    assert result is not None
    votes = {line["proposal_id"]: line["votes"] for line in result["proposals"]}
    assert votes == {k: v for k, v in ballots.totals(session, decided.id).items() if k in votes}
    assert result["ballots"] == ballots.voter_count(session, decided.id) > 0
    funded = {line["proposal_id"] for line in result["proposals"] if line["funded"]}
    assert {c.proposal_id for c in fund_results.recount(result) if c.funded} == funded
    assert funded == {p.id for p in decided.proposals if p.status is ProposalStatus.FUNDED}


def test_the_demo_rounds_build_on_demo_strengths_in_their_area(session: orm.Session) -> None:
    load_demo(session, default_folder(), cell_m=CELL, area=AREA, secret=b"demo")
    session.commit()
    for fund in _rounds(session):
        area = ballots.area_of(session, fund.id)
        for proposal in fund.proposals:
            built = [session.get(Asset, s.asset_id) for s in proposal.strengths]
            assert built and all(a is not None and a.neighbourhood_id in area for a in built)
            assert all(a is not None and a.kind is not Kind.SKILL for a in built)
        voters = session.scalars(sa.select(FundVoter).where(FundVoter.round_id == fund.id))
        assert all(v.neighbourhood_id in area for v in voters)


def test_a_demo_voter_finds_their_own_ballot_under_the_apps_secret(session: orm.Session) -> None:
    load_demo(session, default_folder(), cell_m=CELL, area=AREA, secret=b"demo")
    session.commit()
    _decided, voting = _rounds(session)
    voter = session.scalars(sa.select(FundVoter).where(FundVoter.round_id == voting.id)).first()
    assert voter is not None and voter.user_id is not None
    chosen = ballots.own_choices(session, voting.id, voter.user_id, secret=b"demo")
    assert chosen and set(chosen) <= {p.id for p in voting.proposals}
    assert ballots.own_choices(session, voting.id, voter.user_id, secret=b"other") is None
