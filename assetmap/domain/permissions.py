"""Who may do what: small predicates used by pages and API alike.

``user`` is a signed-in user (anything with ``id`` and ``role``) or None for a visitor.
"""

from __future__ import annotations

from typing import Protocol

from assetmap.domain.vocab import Kind, Role


class Actor(Protocol):
    """What the rules need to know of a user."""

    id: int
    role: Role


class Owned(Protocol):
    """What the rules need to know of an asset."""

    kind: Kind
    owner_id: int | None
    contact_via_coach: bool


def is_owner(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user owns the asset."""
    return user is not None and asset.owner_id is not None and asset.owner_id == user.id


def has_role(user: Actor | None, *roles: Role) -> bool:
    """Return whether the user holds one of the roles."""
    return user is not None and user.role in roles


def is_staff(user: Actor | None) -> bool:
    """Return whether the user is a planner or an admin."""
    return has_role(user, Role.PLANNER, Role.ADMIN)


def can_add(user: Actor | None) -> bool:
    """Return whether the user may add a strength: anyone signed in."""
    return user is not None


def can_edit(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may change or withdraw the asset: its owner or an admin."""
    return is_owner(user, asset) or has_role(user, Role.ADMIN)


def can_see_contact(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may see how to get in touch.

    The public never does; a coach does where the owner agreed to be reached through coaches.
    """
    if is_owner(user, asset) or has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.COACH) and asset.contact_via_coach


def can_see_exact_location(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may see the asset's exact point: a skill's only to its owner."""
    return asset.kind is not Kind.SKILL or is_owner(user, asset)
