from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.ties import TieKind, TieState
from assetmap.domain.vocab import Kind, Role
from assetmap.storage import assets as store
from assetmap.storage import moderation, ties, users
from assetmap.storage.models import Asset, Tie

Make = Callable[..., int]


@pytest.fixture
def make(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> Make:
    def add(kind: str, title: str, owner: int | None = None, **values: Any) -> int:
        draft = make_draft(kind=kind, title=title, **values)
        asset = store.add_asset(session, draft, owner_id=owner, cell_m=400.0)
        session.commit()
        return asset.id

    return add


@pytest.fixture
def people(session: orm.Session) -> dict[str, Any]:
    made = {
        name: users.create_user(session, f"{name}@example.org", role=role)
        for name, role in (("sam", "resident"), ("gail", "resident"), ("pat", "planner"))
    }
    session.commit()
    return made


@contextlib.contextmanager
def counted(session: orm.Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    engine = session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", executed)


def tie(session: orm.Session, kind: TieKind, from_id: int, to_id: int) -> int:
    made = ties.add_tie(session, kind, from_id, to_id, by=None)
    session.commit()
    return made.id


def test_a_group_meets_at_a_space_seen_from_both_ends(session: orm.Session, make: Make) -> None:
    choir, hall = make("group", "Choir"), make("space", "Church hall")
    tie(session, TieKind.MEETS_AT, choir, hall)
    [at] = ties.public_ties(session, choir)
    [here] = ties.public_ties(session, hall)
    assert (at.asset_id, at.title, at.label, at.outgoing) == (hall, "Church hall", "Meets at", True)
    assert (here.asset_id, here.label, here.outgoing) == (choir, "Groups that meet here", False)


def test_a_tie_of_the_wrong_kinds_is_refused_in_words(session: orm.Session, make: Make) -> None:
    hall, park = make("space", "Hall"), make("space", "Park")
    with pytest.raises(ValidationError) as refused:
        ties.add_tie(session, TieKind.MEETS_AT, hall, park, by=None)
    assert refused.value.errors == {"to_id": "Only a group can meet at a space."}


def test_an_offer_waits_for_an_answer_and_is_not_public(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    skill = make("skill", "Guitar lessons", owner=people["sam"].id)
    band = make("group", "Town band", owner=people["gail"].id)
    offer = tie(session, TieKind.OFFERS, skill, band)
    assert ties.public_ties(session, band) == []
    assert ties.public_ties(session, skill) == []
    [waiting] = ties.pending_offers(session, people["gail"].id)
    assert (waiting.tie_id, waiting.skill_title, waiting.group_title) == (
        offer,
        "Guitar lessons",
        "Town band",
    )
    assert ties.pending_offers(session, people["sam"].id) == []


def test_an_accepted_offer_is_public_and_dated(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    skill = make("skill", "Guitar lessons", owner=people["sam"].id)
    band = make("group", "Town band", owner=people["gail"].id)
    offer = tie(session, TieKind.OFFERS, skill, band)
    answered = ties.answer_tie(session, offer, True, by=people["gail"].id)
    session.commit()
    assert answered.decided_at is not None
    [shown] = ties.public_ties(session, band)
    assert (shown.asset_id, shown.label) == (skill, "Skills offered to this group")
    assert ties.pending_offers(session, people["gail"].id) == []


def test_an_offer_is_answered_once(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    skill, band = make("skill", "Guitar lessons"), make("group", "Town band")
    offer = tie(session, TieKind.OFFERS, skill, band)
    ties.answer_tie(session, offer, False, by=None)
    session.commit()
    with pytest.raises(ValidationError, match="already declined"):
        ties.answer_tie(session, offer, True, by=None)


def test_only_an_offer_is_answered(session: orm.Session, make: Make) -> None:
    choir, hall = make("group", "Choir"), make("space", "Hall")
    meets = tie(session, TieKind.MEETS_AT, choir, hall)
    with pytest.raises(ValidationError, match="Only an offer"):
        ties.answer_tie(session, meets, True, by=None)


def test_a_declined_offer_made_again_waits_again(session: orm.Session, make: Make) -> None:
    skill, band = make("skill", "Guitar lessons"), make("group", "Town band")
    offer = tie(session, TieKind.OFFERS, skill, band)
    ties.answer_tie(session, offer, False, by=None)
    session.commit()
    assert tie(session, TieKind.OFFERS, skill, band) == offer
    assert session.get(Tie, offer).state is TieState.PROPOSED  # type: ignore[union-attr]


def test_the_skills_owner_sees_each_offers_state(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    sam, gail = people["sam"], people["gail"]
    skill = make("skill", "Guitar lessons", owner=sam.id)
    band, choir = make("group", "Band", owner=gail.id), make("group", "Choir", owner=gail.id)
    tie(session, TieKind.OFFERS, skill, band)
    ties.answer_tie(session, tie(session, TieKind.OFFERS, skill, choir), False, by=None)
    session.commit()
    states = {end.title: end.state for end in ties.ties_for(session, skill, sam)}
    assert states == {"Band": TieState.PROPOSED, "Choir": TieState.DECLINED}
    assert ties.ties_for(session, skill, gail) == []
    assert ties.ties_for(session, skill, None) == []


def test_the_groups_owner_sees_offers_waiting_not_those_declined(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    sam, gail = people["sam"], people["gail"]
    band = make("group", "Band", owner=gail.id)
    guitar, drums = make("skill", "Guitar", owner=sam.id), make("skill", "Drums", owner=sam.id)
    tie(session, TieKind.OFFERS, guitar, band)
    ties.answer_tie(session, tie(session, TieKind.OFFERS, drums, band), False, by=None)
    session.commit()
    assert [end.title for end in ties.ties_for(session, band, gail)] == ["Guitar"]
    assert ties.ties_for(session, band, sam) == []
    assert ties.ties_for(session, band, None) == []


def test_staff_in_scope_see_offers_waiting_for_a_group(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    band = make("group", "Band", owner=people["gail"].id)
    tie(session, TieKind.OFFERS, make("skill", "Guitar"), band)
    pat = people["pat"]
    assert pat.role is Role.PLANNER
    assert [end.title for end in ties.ties_for(session, band, pat)] == ["Guitar"]


def test_withdrawn_and_hidden_strengths_drop_out_of_every_listing(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    gail = people["gail"]
    hall = make("space", "Hall")
    choir, band = make("group", "Choir", owner=gail.id), make("group", "Band", owner=gail.id)
    skill = make("skill", "Guitar")
    tie(session, TieKind.MEETS_AT, choir, hall)
    tie(session, TieKind.MEETS_AT, band, hall)
    tie(session, TieKind.OFFERS, skill, band)
    store.withdraw_asset(session, choir, by=gail.id)
    moderation.hide_asset(session, skill, by=None, reason="Reported")
    session.commit()
    assert [end.title for end in ties.public_ties(session, hall)] == ["Band"]
    assert ties.public_ties(session, choir) == []
    assert [end.title for end in ties.ties_for(session, band, gail)] == ["Hall"]
    assert ties.pending_offers(session, gail.id) == []
    assert ties.groups_meeting_at(session, [hall]) == {hall: [(band, "Band")]}
    assert ties.meeting_places(session, [choir, band]) == {
        band: [ties.Venue(hall, "Hall", *_at(session, hall))]
    }


def _at(session: orm.Session, asset_id: int) -> tuple[float, float]:
    asset = store.get_asset(session, asset_id)
    assert asset is not None
    return asset.public_lon, asset.public_lat


def test_removing_a_tie_takes_it_off_both_pages(session: orm.Session, make: Make) -> None:
    choir, hall = make("group", "Choir"), make("space", "Hall")
    meets = tie(session, TieKind.MEETS_AT, choir, hall)
    ties.remove_tie(session, meets, by=None)
    session.commit()
    assert ties.public_ties(session, choir) == ties.public_ties(session, hall) == []
    with pytest.raises(ValidationError, match="already taken off"):
        ties.remove_tie(session, meets, by=None)


def test_groups_meeting_at_many_spaces_are_read_in_one_query(
    session: orm.Session, make: Make
) -> None:
    hall, park, yard = make("space", "Hall"), make("space", "Park"), make("space", "Yard")
    choir, band, club = make("group", "Choir"), make("group", "Band"), make("group", "Club")
    for group in (choir, band):
        tie(session, TieKind.MEETS_AT, group, hall)
    tie(session, TieKind.MEETS_AT, club, park)
    tie(session, TieKind.RUNS_WITH, choir, band)
    with counted(session) as seen:
        found = ties.groups_meeting_at(session, [hall, park, yard, hall])
    assert found == {hall: [(band, "Band"), (choir, "Choir")], park: [(club, "Club")]}
    assert len(seen) == 1
    assert ties.groups_meeting_at(session, []) == {}


def test_a_strengths_ties_both_ways_are_read_in_one_query(session: orm.Session, make: Make) -> None:
    choir, band, hall = make("group", "Choir"), make("group", "Band"), make("group", "Club")
    space = make("space", "Hall")
    tie(session, TieKind.RUNS_WITH, choir, band)
    tie(session, TieKind.RUNS_WITH, hall, choir)
    tie(session, TieKind.MEETS_AT, choir, space)
    with counted(session) as seen:
        ends = ties.public_ties(session, choir)
    assert len(seen) == 1
    assert {(end.title, end.outgoing) for end in ends} == {
        ("Band", True),
        ("Club", False),
        ("Hall", True),
    }


def test_offers_waiting_for_many_groups_are_read_in_one_query(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    gail = people["gail"].id
    groups = [make("group", f"Group {n}", owner=gail) for n in range(3)]
    for group in groups:
        tie(session, TieKind.OFFERS, make("skill", f"Skill for {group}"), group)
    with counted(session) as seen:
        offers = ties.pending_offers(session, gail)
    assert len(seen) == 1
    assert [offer.group_id for offer in offers] == groups


def test_candidates_are_published_strengths_of_the_kind_matching_the_words(
    session: orm.Session, make: Make
) -> None:
    choir = make("group", "Choir")
    make("space", "St John's church hall")
    make("space", "Church hall annexe")
    make("group", "Church choir")
    store.withdraw_asset(session, make("space", "Old church hall"), by=None)
    session.commit()
    found = ties.tie_candidates(session, Kind.SPACE, "Church HALL", leaving_out=choir)
    assert [c.title for c in found] == ["Church hall annexe", "St John's church hall"]


def test_candidates_leave_out_the_strength_itself(session: orm.Session, make: Make) -> None:
    choir, band = make("group", "Town choir"), make("group", "Town band")
    found = ties.tie_candidates(session, Kind.GROUP, "town", leaving_out=choir)
    assert found == [ties.Candidate(band, "Town band")]


def test_candidates_need_words_and_treat_wildcards_as_text(
    session: orm.Session, make: Make
) -> None:
    make("space", "Hall")
    assert ties.tie_candidates(session, Kind.SPACE, "  ", leaving_out=0) == []
    assert ties.tie_candidates(session, Kind.SPACE, "%", leaving_out=0) == []
    assert ties.tie_candidates(session, Kind.SPACE, "h_ll", leaving_out=0) == []


def _updated(session: orm.Session, *ids: int) -> list[Any]:
    session.expire_all()
    return [session.get_one(Asset, key).updated_at for key in ids]


def test_a_tie_the_public_sees_marks_its_groups_changed_for_feeds(
    session: orm.Session, make: Make, people: dict[str, Any]
) -> None:
    """Feeds and calendars page by when a group last changed; where it meets is part of it."""
    group = make("group", "Ukulele Jam", owner=people["sam"].id)
    space = make("space", "Scout hut")
    skill = make("skill", "Guitar lessons", owner=people["gail"].id)
    group_before, space_before = _updated(session, group, space)
    tie(session, TieKind.MEETS_AT, group, space)
    group_after, space_after = _updated(session, group, space)
    assert group_after > group_before
    assert space_after == space_before  # a space's own feed item does not list its groups

    offer = tie(session, TieKind.OFFERS, skill, group)
    (proposed,) = _updated(session, group)
    assert proposed == group_after  # an offer nobody accepted changes nothing public
    ties.answer_tie(session, offer, True, by=people["sam"].id)
    session.commit()
    (accepted,) = _updated(session, group)
    assert accepted > group_after

    ties.remove_tie(session, offer, by=people["sam"].id)
    session.commit()
    (removed,) = _updated(session, group)
    assert removed > accepted
