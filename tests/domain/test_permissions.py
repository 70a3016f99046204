from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from assetmap.domain.permissions import (
    can_add,
    can_change_check,
    can_edit,
    can_manage_roles,
    can_moderate,
    can_record_connection,
    can_report,
    can_restore_version,
    can_see_contact,
    can_see_exact_location,
    can_see_full_history,
    can_use_neighbourhood,
    export_scope,
    import_scope,
    is_moderator,
    is_staff,
)
from assetmap.domain.vocab import Kind, Role


@dataclass
class User:
    id: int
    role: Role
    neighbourhoods: frozenset[int] = field(default_factory=frozenset)
    moderates: bool = False


@dataclass
class Asset:
    kind: Kind
    owner_id: int | None
    contact_via_coach: bool = False
    neighbourhood_id: int | None = None


OWNER = User(1, Role.RESIDENT)
NEIGHBOUR = User(2, Role.RESIDENT)
COACH = User(3, Role.COACH)
PLANNER = User(4, Role.PLANNER)
ADMIN = User(5, Role.ADMIN)
SKILL = Asset(Kind.SKILL, owner_id=1)


def test_only_the_owner_or_an_admin_edits() -> None:
    assert [can_edit(u, SKILL) for u in (None, OWNER, NEIGHBOUR, COACH, PLANNER, ADMIN)] == [
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_visitors_cannot_add_but_residents_can() -> None:
    assert (can_add(None), can_add(NEIGHBOUR)) == (False, True)


@pytest.mark.parametrize(("via_coach", "expected"), [(True, True), (False, False)])
def test_a_coach_sees_a_contact_only_where_the_owner_agreed(
    via_coach: bool, expected: bool
) -> None:
    assert can_see_contact(COACH, Asset(Kind.SKILL, 1, contact_via_coach=via_coach)) is expected


def test_the_public_never_sees_a_contact() -> None:
    agreed = Asset(Kind.GROUP, 1, contact_via_coach=True)
    assert not can_see_contact(None, agreed)
    assert not can_see_contact(NEIGHBOUR, agreed)
    assert can_see_contact(OWNER, agreed)


def test_a_skills_exact_point_is_its_owners_alone() -> None:
    assert [can_see_exact_location(u, SKILL) for u in (None, OWNER, COACH, ADMIN)] == [
        False,
        True,
        False,
        False,
    ]
    assert can_see_exact_location(None, Asset(Kind.SPACE, 1))


def test_staff_are_planners_and_admins() -> None:
    assert [is_staff(u) for u in (None, OWNER, COACH, PLANNER, ADMIN)] == [
        False,
        False,
        False,
        True,
        True,
    ]


IN_NORTH = Asset(Kind.GROUP, owner_id=1, contact_via_coach=True, neighbourhood_id=1)
IN_SOUTH = Asset(Kind.GROUP, owner_id=1, contact_via_coach=True, neighbourhood_id=2)
NORTH_ADMIN = User(6, Role.ADMIN, frozenset({1}))
NORTH_COACH = User(7, Role.COACH, frozenset({1}), moderates=True)
NORTH_PLANNER = User(8, Role.PLANNER, frozenset({1, 3}))


def test_anyone_may_report_a_strength() -> None:
    assert all(can_report(u) for u in (None, OWNER, NEIGHBOUR, COACH, PLANNER, ADMIN))


def test_admins_and_coaches_marked_as_moderators_moderate() -> None:
    users = (None, OWNER, COACH, PLANNER, ADMIN, NORTH_COACH)
    assert [is_moderator(u) for u in users] == [False, False, False, False, True, True]


def test_a_scoped_moderator_moderates_only_in_their_neighbourhoods() -> None:
    assert can_moderate(NORTH_COACH, IN_NORTH)
    assert not can_moderate(NORTH_COACH, IN_SOUTH)
    assert can_moderate(ADMIN, IN_SOUTH)


def test_a_scoped_admin_edits_and_restores_only_in_their_neighbourhoods() -> None:
    assert can_edit(NORTH_ADMIN, IN_NORTH) and can_restore_version(NORTH_ADMIN, IN_NORTH)
    assert not can_edit(NORTH_ADMIN, IN_SOUTH)
    assert not can_restore_version(NORTH_ADMIN, IN_SOUTH)


def test_a_scoped_coach_sees_contacts_only_in_their_neighbourhoods() -> None:
    assert can_see_contact(NORTH_COACH, IN_NORTH)
    assert not can_see_contact(NORTH_COACH, IN_SOUTH)
    assert can_record_connection(NORTH_COACH, IN_NORTH)
    assert not can_record_connection(NORTH_COACH, IN_SOUTH)


def test_only_the_owner_and_admins_see_the_full_history() -> None:
    users = (None, OWNER, NEIGHBOUR, COACH, PLANNER, ADMIN)
    assert [can_see_full_history(u, SKILL) for u in users] == [
        False,
        True,
        False,
        False,
        False,
        True,
    ]


def test_only_an_admin_for_everywhere_manages_roles() -> None:
    users = (None, OWNER, COACH, PLANNER, ADMIN, NORTH_ADMIN)
    assert [can_manage_roles(u) for u in users] == [False, False, False, False, True, False]


def test_a_scoped_planner_uses_only_their_neighbourhoods() -> None:
    assert can_use_neighbourhood(NORTH_PLANNER, 1) and can_use_neighbourhood(NORTH_PLANNER, 3)
    assert not can_use_neighbourhood(NORTH_PLANNER, 2)
    assert not can_use_neighbourhood(NORTH_PLANNER, None)


def test_an_unscoped_planner_uses_every_neighbourhood_and_land_in_none() -> None:
    assert can_use_neighbourhood(PLANNER, 2) and can_use_neighbourhood(PLANNER, None)
    assert not can_use_neighbourhood(None, 2)


def test_a_scoped_planner_exports_and_imports_only_in_their_neighbourhoods() -> None:
    assert export_scope(NORTH_PLANNER) == frozenset({1, 3})
    assert import_scope(NORTH_PLANNER) == frozenset({1, 3})


def test_an_unscoped_planner_exports_and_imports_everywhere() -> None:
    assert export_scope(PLANNER) == frozenset() and import_scope(PLANNER) is None
    assert export_scope(ADMIN) == frozenset() and import_scope(ADMIN) is None


@pytest.mark.parametrize(
    ("reach", "allowed"),
    [
        ({1}, True),
        ({1, 3}, True),
        ({1, 2}, False),
        ({2}, False),
        ({1, None}, False),
        ({None}, False),
        (set(), False),
    ],
)
def test_a_scoped_planner_changes_only_checks_within_their_neighbourhoods(
    reach: set[int | None], allowed: bool
) -> None:
    assert can_change_check(NORTH_PLANNER, reach) is allowed


def test_unscoped_staff_change_any_check_and_others_none() -> None:
    users = (None, OWNER, COACH, NORTH_COACH, PLANNER, ADMIN)
    assert [can_change_check(u, {2, None}) for u in users] == [
        False,
        False,
        False,
        False,
        True,
        True,
    ]
