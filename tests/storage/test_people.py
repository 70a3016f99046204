"""Accounts an admin makes at the console: a password, a role and neighbourhoods by code."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Role
from assetmap.storage import roles, users
from assetmap.storage.models import Neighbourhood, RoleChange, User
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

PASSWORD = "correct horse battery"
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))


def codes(session: orm.Session) -> dict[str, int]:
    replace_neighbourhoods(session, [WEST, EAST])
    session.commit()
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
    return {code: n for code, n in rows}


def users_held(session: orm.Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(User)) or 0


def test_a_person_added_with_a_password_signs_in_confirmed(session: orm.Session) -> None:
    roles.add_person(session, "Ann@Example.org", role="planner", password=PASSWORD)
    session.commit()
    user = users.authenticate(session, "ann@example.org", PASSWORD)
    assert user is not None and user.role is Role.PLANNER
    assert user.confirmed_at is not None


def test_a_short_password_is_refused_and_nobody_is_added(session: orm.Session) -> None:
    with pytest.raises(ValidationError) as refused:
        roles.add_person(session, "ann@example.org", role="coach", password="too short")
    session.rollback()
    assert refused.value.errors == {"password": "must be at least 10 characters"}
    assert users_held(session) == 0


def test_staff_are_limited_to_neighbourhoods_given_by_code_or_name(session: orm.Session) -> None:
    known = codes(session)
    user = roles.add_person(
        session, "pat@example.org", role="planner", neighbourhoods=["WEST", " East Side "]
    )
    session.commit()
    assert user.neighbourhoods == {known["west"], known["east"]}


def test_an_unknown_neighbourhood_is_refused_listing_every_code(session: orm.Session) -> None:
    codes(session)
    with pytest.raises(ValidationError) as refused:
        roles.add_person(session, "pat@example.org", role="planner", neighbourhoods=["north"])
    session.rollback()
    assert refused.value.errors == {
        "neighbourhood": "'north' is unknown; choose a code from: east (East Side); west (West End)"
    }
    assert users_held(session) == 0


def test_a_resident_cannot_be_limited_to_neighbourhoods(session: orm.Session) -> None:
    codes(session)
    with pytest.raises(ValidationError, match="only a coach, planner or admin"):
        roles.add_person(session, "ann@example.org", role="resident", neighbourhoods=["west"])


def test_a_role_set_at_the_console_is_recorded_with_no_admin(session: orm.Session) -> None:
    known = codes(session)
    roles.add_person(session, "pat@example.org", role="resident")
    session.commit()
    user, change = roles.set_role_of(session, "PAT@example.org", "planner", ["west"])
    session.commit()
    assert change is not None and change.changed_by is None
    assert change.changes == {
        "role": ["resident", "planner"],
        "neighbourhoods": [[], [known["west"]]],
    }
    assert user.neighbourhoods == {known["west"]} and user.session_epoch == 1


def test_setting_the_role_a_person_has_changes_nothing(session: orm.Session) -> None:
    roles.add_person(session, "pat@example.org", role="coach")
    session.commit()
    assert roles.set_role_of(session, "pat@example.org", "coach")[1] is None
    assert session.scalar(sa.select(sa.func.count()).select_from(RoleChange)) == 0


def test_setting_the_role_keeps_whether_the_person_moderates(session: orm.Session) -> None:
    user = roles.add_person(session, "pat@example.org", role="resident")
    roles.change_role(session, user.id, role="coach", moderates=True, by=None)
    session.commit()
    user, _ = roles.set_role_of(session, "pat@example.org", "admin")
    assert user.moderates


@pytest.mark.parametrize(
    ("email", "role", "field", "reason"),
    [
        ("nobody@example.org", "coach", "email", "no account has the address 'nobody@example.org'"),
        ("pat@example.org", "mayor", "role", "must be one of resident, coach, planner, admin"),
    ],
)
def test_an_unknown_address_or_role_is_refused_naming_it(
    session: orm.Session, email: str, role: str, field: str, reason: str
) -> None:
    roles.add_person(session, "pat@example.org", role="resident")
    session.commit()
    with pytest.raises(ValidationError) as refused:
        roles.set_role_of(session, email, role)
    assert refused.value.errors[field].startswith(reason)


def test_a_new_password_ends_every_session_and_replaces_the_old(session: orm.Session) -> None:
    roles.add_person(session, "ann@example.org", role="resident", password=PASSWORD)
    session.commit()
    users.set_password_of(session, "ann@example.org", "a brand new phrase")
    session.commit()
    user = users.authenticate(session, "ann@example.org", "a brand new phrase")
    assert user is not None and user.session_epoch == 1
    assert users.authenticate(session, "ann@example.org", PASSWORD) is None


def test_a_new_password_that_breaks_the_rule_changes_nothing(session: orm.Session) -> None:
    roles.add_person(session, "ann@example.org", role="resident", password=PASSWORD)
    session.commit()
    with pytest.raises(ValidationError) as refused:
        users.set_password_of(session, "ann@example.org", "x" * 201)
    session.rollback()
    assert refused.value.errors == {"password": "must be at most 200 characters"}
    assert users.authenticate(session, "ann@example.org", PASSWORD) is not None
