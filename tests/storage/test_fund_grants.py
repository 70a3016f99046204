from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.privacy import generalise_point
from assetmap.domain.vocab import Status
from assetmap.storage import assets as store
from assetmap.storage import fund_grants
from assetmap.storage.models import Asset, Neighbourhood
from assetmap.storage.models.funds import (
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.storage.users import create_user

CELL = 400.0
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
SKILL_AT = (-2.331234, 51.230987)
DAY = dt.date(2026, 6, 1)


def add_round(
    session: orm.Session,
    neighbourhoods: Sequence[int],
    *,
    title: str = "Spring fund",
    published: dt.datetime | None = dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC),
) -> FundRound:
    """Add a round over these neighbourhoods whose result is published unless told not."""
    fund_round = FundRound(
        title=title,
        budget_pence=500_000,
        method=VotingMethod.BUDGET,
        tie_break=TieBreak.SMALLER_FIRST,
        proposers=["resident"],
        proposals_open=DAY,
        proposals_close=DAY + dt.timedelta(days=30),
        voting_open=DAY + dt.timedelta(days=40),
        voting_close=DAY + dt.timedelta(days=60),
        results_on=DAY + dt.timedelta(days=70),
        published_at=published,
        counted_at=published,
        areas=[FundRoundArea(neighbourhood_id=n) for n in neighbourhoods],
    )
    session.add(fund_round)
    session.flush()
    return fund_round


def add_proposal(
    session: orm.Session,
    fund_round: FundRound,
    title: str,
    pence: int,
    strengths: Sequence[tuple[int, Consent]] = (),
    status: ProposalStatus = ProposalStatus.FUNDED,
) -> int:
    """Add a proposal to a round building on these strengths; return its id."""
    proposal = FundProposal(
        round_id=fund_round.id,
        title=title,
        summary="",
        amount_pence=pence,
        status=status,
        strengths=[FundProposalStrength(asset_id=a, consent=c) for a, c in strengths],
    )
    session.add(proposal)
    session.flush()
    return proposal.id


def add_strength(session: orm.Session, **values: object) -> int:
    """Add a published strength (a group in the West End unless told) and return its id."""
    raw: dict[str, object] = {"kind": "group", "title": "Chess club", "themes": ["learning"]}
    raw |= {"lon": -2.33, "lat": 51.23, **values}
    if raw["kind"] == "skill":
        raw.setdefault("share_modes", ["teach"])
    owner = create_user(session, f"owner{raw['title']}@example.org".replace(" ", "")).id
    return store.add_asset(session, validate_asset(raw), owner_id=owner, cell_m=CELL).id


@dataclass(frozen=True)
class World:
    west: int
    east: int
    group: int
    skill: int
    space: int
    on_group: int
    on_skill_and_space: int
    not_funded: int
    skill_not_agreed: int
    unpublished: int


def add_world(session: orm.Session) -> World:
    """A group and a skill in the West End, a space in the East Side, and a published round
    over both funding projects on them; a round not yet published."""
    replace_neighbourhoods(session, [WEST, EAST])
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
    ids: dict[str, int] = {code: n for code, n in rows}
    group = add_strength(session)
    skill = add_strength(
        session, kind="skill", title="Bike repair", lon=SKILL_AT[0], lat=SKILL_AT[1]
    )
    space = add_strength(session, kind="space", title="Town hall", lon=-2.31, lat=51.23)
    fund = add_round(session, [ids["west"], ids["east"]])
    on_group = add_proposal(session, fund, "Chess for all", 120_000, [(group, Consent.NOT_NEEDED)])
    both = add_proposal(
        session,
        fund,
        "Repair café",
        80_050,
        [(space, Consent.NOT_NEEDED), (skill, Consent.AGREED)],
    )
    not_funded = add_proposal(
        session,
        fund,
        "Chess trophies",
        9_000,
        [(group, Consent.NOT_NEEDED)],
        status=ProposalStatus.NOT_FUNDED,
    )
    not_agreed = add_proposal(session, fund, "Bike school", 20_000, [(skill, Consent.ASKED)])
    later = add_round(session, [ids["west"]], title="Autumn fund", published=None)
    unpublished = add_proposal(session, later, "Chess clocks", 5_000, [(group, Consent.NOT_NEEDED)])
    session.commit()
    return World(
        ids["west"],
        ids["east"],
        group,
        skill,
        space,
        on_group,
        both,
        not_funded,
        not_agreed,
        unpublished,
    )


def titles(grants: Sequence[fund_grants.Grant]) -> list[str]:
    return [grant.title for grant in grants]


def test_a_strength_lists_the_funded_projects_of_published_rounds_on_it(
    session: orm.Session,
) -> None:
    world = add_world(session)
    [grant] = fund_grants.grants_for_strength(session, world.group)
    assert grant.title == "Chess for all"
    assert (grant.round_title, grant.amount_pence) == ("Spring fund", 120_000)
    assert grant.decided_on == dt.date(2026, 9, 1)
    assert fund_grants.grants_for_strength(session, world.space)[0].proposal_id == (
        world.on_skill_and_space
    )


def test_a_skill_lists_only_projects_its_owner_agreed_to(session: orm.Session) -> None:
    world = add_world(session)
    assert titles(fund_grants.grants_for_strength(session, world.skill)) == ["Repair café"]


def test_a_skill_named_without_agreement_says_nothing_of_the_skill(session: orm.Session) -> None:
    world = add_world(session)
    session.execute(
        sa.update(FundProposalStrength)
        .where(FundProposalStrength.asset_id == world.skill)
        .values(consent=Consent.NOT_NEEDED)
    )
    session.commit()
    assert fund_grants.grants_for_strength(session, world.skill) == []
    assert "Bike school" not in titles(fund_grants.grants_in(session, [world.west]))


def test_grants_are_made_where_the_strengths_they_build_on_are(session: orm.Session) -> None:
    world = add_world(session)
    assert titles(fund_grants.grants_in(session, [world.west])) == ["Chess for all", "Repair café"]
    assert titles(fund_grants.grants_in(session, [world.east, None])) == ["Repair café"]
    assert fund_grants.grants_in(session, [None]) == []
    assert fund_grants.grants_in(session, []) == []


def test_a_grant_whose_strengths_are_gone_is_where_its_round_was(session: orm.Session) -> None:
    world = add_world(session)
    east_only = add_round(session, [world.east], title="Summer fund")
    add_proposal(session, east_only, "Street party", 30_000)
    session.execute(sa.delete(Asset).where(Asset.id == world.group))
    session.commit()
    assert titles(fund_grants.grants_in(session, [world.east])) == [
        "Street party",
        "Chess for all",
        "Repair café",
    ]
    assert titles(fund_grants.grants_in(session, [world.west])) == ["Chess for all", "Repair café"]


def test_grants_come_newest_first(session: orm.Session) -> None:
    world = add_world(session)
    newer = add_round(session, [world.west], published=dt.datetime(2026, 11, 3, tzinfo=dt.UTC))
    add_proposal(session, newer, "Chess in the park", 40_000, [(world.group, Consent.NOT_NEEDED)])
    session.commit()
    assert titles(fund_grants.grants_for_strength(session, world.group)) == [
        "Chess in the park",
        "Chess for all",
    ]


def test_funded_projects_stand_at_their_first_strengths_public_point(
    session: orm.Session,
) -> None:
    world = add_world(session)
    points = fund_grants.funded_points(session)
    assert points.crs.to_epsg() == 4326
    assert list(points.columns) == [*fund_grants.POINT_COLUMNS, "geometry"]
    placed = {row.title: (row.geometry.x, row.geometry.y) for row in points.itertuples()}
    assert set(placed) == {"Chess for all", "Repair café"}
    group = session.get(Asset, world.group)
    assert group is not None
    assert placed["Chess for all"] == (group.public_lon, group.public_lat)
    assert placed["Repair café"] == pytest.approx(generalise_point(*SKILL_AT, CELL))
    assert placed["Repair café"] != pytest.approx(SKILL_AT)


def test_a_funded_project_moves_to_its_next_strength_or_leaves_the_map(
    session: orm.Session,
) -> None:
    world = add_world(session)
    session.execute(
        sa.update(Asset)
        .where(Asset.id.in_([world.group, world.skill]))
        .values(status=Status.WITHDRAWN)
    )
    session.commit()
    points = fund_grants.funded_points(session)
    [row] = points.itertuples()
    space = session.get(Asset, world.space)
    assert space is not None
    assert (row.title, row.geometry.x, row.geometry.y) == (
        "Repair café",
        space.public_lon,
        space.public_lat,
    )


def test_no_funded_projects_is_an_empty_layer(session: orm.Session) -> None:
    points = fund_grants.funded_points(session)
    assert len(points) == 0
    assert points.crs.to_epsg() == 4326
