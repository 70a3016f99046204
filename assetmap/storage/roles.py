"""Roles, neighbourhood scopes and moderation: changed by admins, every change recorded."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _
from assetmap.domain.vocab import Role
from assetmap.storage import users as user_store
from assetmap.storage.database import begin_write
from assetmap.storage.models import Neighbourhood, RoleChange, User, UserScope, utcnow
from assetmap.storage.neighbourhoods import neighbourhood_choices
from assetmap.storage.users import end_sessions


def list_users(session: orm.Session) -> list[User]:
    """Return every user, by email address."""
    return list(session.scalars(sa.select(User).order_by(User.email)))


def neighbourhood_names(session: orm.Session) -> dict[int, str]:
    """Return each neighbourhood's name by its id, in order of name."""
    query = sa.select(Neighbourhood.id, Neighbourhood.name).order_by(Neighbourhood.name)
    return {row.id: row.name for row in session.execute(query)}


def role_changes(session: orm.Session, limit: int = 50) -> list[RoleChange]:
    """Return the latest role changes, newest first."""
    query = sa.select(RoleChange).order_by(RoleChange.id.desc()).limit(limit)
    return list(session.scalars(query))


def change_role(
    session: orm.Session,
    user_id: int,
    *,
    role: str,
    neighbourhoods: Iterable[int] = (),
    moderates: bool = False,
    by: int | None,
) -> RoleChange | None:
    """Set a user's role, neighbourhoods and moderation, and record what changed.

    Returns the recorded change, or None where nothing changed. Nobody changes their own.
    """
    try:
        chosen = Role(role)
    except ValueError:
        raise ValidationError({"role": f"must be one of {', '.join(Role)}, got {role!r}"}) from None
    if by is not None and by == user_id:
        raise ValidationError({"role": _("you can't change your own role; ask another admin")})
    begin_write(session)
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"User {user_id} doesn't exist.")
    scope = _known(session, neighbourhoods)
    changes = _changes(user, chosen, scope, moderates)
    if not changes:
        return None
    user.role, user.moderates = chosen, moderates
    # Sessions begun under the old role end: the person signs in again as who they are now.
    end_sessions(user)
    user.scope_rows = [UserScope(neighbourhood_id=n) for n in sorted(scope)]
    change = RoleChange(user_id=user.id, changed_by=by, at=utcnow(), changes=changes)
    session.add(change)
    session.flush()
    return change


def _known(session: orm.Session, ids: Iterable[int]) -> frozenset[int]:
    wanted = frozenset(int(i) for i in ids)
    found = set(session.scalars(sa.select(Neighbourhood.id).where(Neighbourhood.id.in_(wanted))))
    if missing := wanted - found:
        raise ValidationError({"neighbourhoods": f"no neighbourhood has id {min(missing)}"})
    return wanted


def _changes(user: User, role: Role, scope: frozenset[int], moderates: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if user.role is not role:
        changes["role"] = [user.role.value, role.value]
    if user.neighbourhoods != scope:
        changes["neighbourhoods"] = [sorted(user.neighbourhoods), sorted(scope)]
    if bool(user.moderates) != moderates:
        changes["moderates"] = [bool(user.moderates), moderates]
    return changes


def neighbourhood_ids(session: orm.Session, given: Iterable[str]) -> list[int]:
    """Return the ids of the neighbourhoods given by code or name, in any case, or raise
    ValidationError naming the first one unknown and listing every code there is."""
    known = neighbourhood_choices(session)
    by_word = {word.casefold(): n for n, code, name in known for word in (code, name)}
    ids = []
    for word in given:
        found = by_word.get(word.strip().casefold())
        if found is None:
            listed = "; ".join(f"{code} ({name})" for _id, code, name in known) or "none are stored"
            reason = f"{word!r} is unknown; choose a code from: {listed}"
            raise ValidationError({"neighbourhood": reason})
        ids.append(found)
    return ids


def check_scope(role: str, ids: Collection[int]) -> None:
    """Refuse neighbourhoods for a resident: only staff act for a neighbourhood."""
    if role == Role.RESIDENT and ids:
        raise ValidationError(
            {"neighbourhood": "only a coach, planner or admin can be limited to neighbourhoods"}
        )


def add_person(
    session: orm.Session,
    email: str,
    *,
    role: str,
    display_name: str = "",
    password: str | None = None,
    neighbourhoods: Iterable[str] = (),
) -> User:
    """Add a confirmed account, as an administrator does, limited to the neighbourhoods given
    by code or name; raise ValidationError naming what is wrong, adding nothing."""
    ids = neighbourhood_ids(session, neighbourhoods)
    check_scope(role, ids)
    user = user_store.create_user(
        session, email, role=role, display_name=display_name, password=password
    )
    user.scope_rows = [UserScope(neighbourhood_id=n) for n in sorted(set(ids))]
    session.flush()
    return user


def set_role_of(
    session: orm.Session,
    email: str,
    role: str,
    neighbourhoods: Iterable[str] = (),
    *,
    by: int | None = None,
) -> tuple[User, RoleChange | None]:
    """Set the role and neighbourhoods (by code or name) of the person with this address,
    keeping whether they moderate, and record the change as ``change_role`` does.

    ``by`` None records the change as made at the command line rather than by an admin.
    """
    user = user_store.require_user(session, email)
    ids = neighbourhood_ids(session, neighbourhoods)
    check_scope(role, ids)
    change = change_role(
        session, user.id, role=role, neighbourhoods=ids, moderates=bool(user.moderates), by=by
    )
    return user, change
