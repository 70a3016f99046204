from __future__ import annotations

from dataclasses import dataclass

import pytest

from assetmap.domain.permissions import (
    can_add,
    can_edit,
    can_see_contact,
    can_see_exact_location,
    is_staff,
)
from assetmap.domain.vocab import Kind, Role


@dataclass
class User:
    id: int
    role: Role


@dataclass
class Asset:
    kind: Kind
    owner_id: int | None
    contact_via_coach: bool = False


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
