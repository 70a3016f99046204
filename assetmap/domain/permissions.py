"""Who may do what: small predicates used by pages and API alike. Every rule lives here.

``user`` is a signed-in user (anything with ``id``, ``role``, ``neighbourhoods`` and
``moderates``) or None for a visitor. A user with ``neighbourhoods`` is limited to strengths in
them: an empty set means everywhere.

Moderators are not a role of their own: a coach or admin marked ``moderates`` handles reports
and hides or restores strengths, within their neighbourhoods. An admin always moderates.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Protocol

from assetmap.domain.vocab import Kind, Role


class Actor(Protocol):
    """What the rules need to know of a user."""

    id: int
    role: Role

    @property
    def neighbourhoods(self) -> frozenset[int]: ...

    @property
    def moderates(self) -> bool: ...


class Owned(Protocol):
    """What the rules need to know of an asset."""

    kind: Kind
    owner_id: int | None
    contact_via_coach: bool
    neighbourhood_id: int | None


Rule = Callable[["Actor | None"], bool]


def is_owner(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user owns the asset."""
    return user is not None and asset.owner_id is not None and asset.owner_id == user.id


def has_role(user: Actor | None, *roles: Role) -> bool:
    """Return whether the user holds one of the roles."""
    return user is not None and user.role in roles


def is_staff(user: Actor | None) -> bool:
    """Return whether the user is a planner or an admin."""
    return has_role(user, Role.PLANNER, Role.ADMIN)


def in_scope(user: Actor | None, asset: Owned) -> bool:
    """Return whether the asset lies in the user's neighbourhoods (or the user has none)."""
    if user is None:
        return False
    scope = user.neighbourhoods
    return not scope or asset.neighbourhood_id in scope


def signed_in(user: Actor | None) -> bool:
    """Return whether there is a signed-in user: their own account pages."""
    return user is not None


def anyone(user: Actor | None) -> bool:
    """Return True: public pages, and reporting a strength."""
    return True


def can_add(user: Actor | None) -> bool:
    """Return whether the user may add a strength: anyone signed in."""
    return user is not None


def can_edit(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may change or withdraw the asset: its owner or an admin."""
    return is_owner(user, asset) or (has_role(user, Role.ADMIN) and in_scope(user, asset))


def can_see_contact(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may see how to get in touch.

    The public never does; a coach does, in their neighbourhoods, where the owner agreed to be
    reached through coaches.
    """
    if is_owner(user, asset) or (has_role(user, Role.ADMIN) and in_scope(user, asset)):
        return True
    return has_role(user, Role.COACH) and asset.contact_via_coach and in_scope(user, asset)


def can_see_exact_location(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may see the asset's exact point: a skill's only to its owner."""
    return asset.kind is not Kind.SKILL or is_owner(user, asset)


def can_report(user: Actor | None) -> bool:
    """Return whether the user may report a strength: anyone, signed in or not."""
    return True


def is_moderator(user: Actor | None) -> bool:
    """Return whether the user moderates anywhere: an admin, or a coach marked as moderator."""
    return has_role(user, Role.ADMIN) or (has_role(user, Role.COACH) and bool(user.moderates))  # type: ignore[union-attr]


def can_moderate(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may hide or restore this asset and close its reports."""
    return is_moderator(user) and in_scope(user, asset)


def can_see_full_history(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user sees every field of every revision: the owner or an admin."""
    return is_owner(user, asset) or (has_role(user, Role.ADMIN) and in_scope(user, asset))


def can_restore_version(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may put an earlier version of the asset back: an admin."""
    return has_role(user, Role.ADMIN) and in_scope(user, asset)


def can_answer(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may answer a moderator about the asset: its owner."""
    return is_owner(user, asset)


def can_manage_roles(user: Actor | None) -> bool:
    """Return whether the user may change other users' roles: an admin for everywhere."""
    return has_role(user, Role.ADMIN) and not user.neighbourhoods  # type: ignore[union-attr]


def can_record_connection(user: Actor | None, asset: Owned | None = None) -> bool:
    """Return whether the user may record a connection (with this asset): coaches and admins."""
    if not has_role(user, Role.COACH, Role.ADMIN):
        return False
    return asset is None or in_scope(user, asset)


def can_run_checks(user: Actor | None) -> bool:
    """Return whether the user may make, run and publish strength checks: staff."""
    return is_staff(user)


def can_exchange_data(user: Actor | None) -> bool:
    """Return whether the user may import and export the register in bulk: staff."""
    return is_staff(user)


def can_use_neighbourhood(user: Actor | None, neighbourhood_id: int | None) -> bool:
    """Return whether the user may act in this neighbourhood (None: land in none of them)."""
    if user is None:
        return False
    return not user.neighbourhoods or neighbourhood_id in user.neighbourhoods


def export_scope(user: Actor | None) -> frozenset[int]:
    """Return the neighbourhoods the user's exports are limited to; empty means everywhere.

    Ask ``can_exchange_data`` first: this says where, not whether.
    """
    return frozenset() if user is None else frozenset(user.neighbourhoods)


def import_scope(user: Actor | None) -> frozenset[int] | None:
    """Return the neighbourhoods the user may import strengths into, or None for anywhere."""
    return export_scope(user) or None


def can_change_check(user: Actor | None, check_neighbourhoods: Collection[int | None]) -> bool:
    """Return whether the user may start, revise, decide or publish a check reaching these
    neighbourhoods (None among them: land in no neighbourhood): staff, within their scope."""
    if user is None or not can_run_checks(user):
        return False
    if not user.neighbourhoods:
        return True
    return bool(check_neighbourhoods) and all(
        can_use_neighbourhood(user, n) for n in check_neighbourhoods
    )


def can_edit_schedule(user: Actor | None, asset: Owned) -> bool:
    """Return whether the user may set when a group meets or a space opens, by hand or from a
    calendar file: its owner, or staff in their neighbourhoods (groups often ask the council's
    staff to keep their times current)."""
    return is_owner(user, asset) or (is_staff(user) and in_scope(user, asset))


def can_make_tie(user: Actor | None, from_asset: Owned) -> bool:
    """Return whether the user may tie this strength to another: a tie is made from the
    strength it starts from, by its owner (an offer of a skill is the person's choice alone),
    or by staff in their neighbourhoods for a group or a space."""
    if is_owner(user, from_asset):
        return True
    return from_asset.kind is not Kind.SKILL and is_staff(user) and in_scope(user, from_asset)


def can_answer_tie(user: Actor | None, to_asset: Owned) -> bool:
    """Return whether the user may accept or decline an offer made to this group, or take a
    tie off it: the group's (or space's) owner, or staff in their neighbourhoods."""
    return is_owner(user, to_asset) or (is_staff(user) and in_scope(user, to_asset))


def can_run_funds(user: Actor | None) -> bool:
    """Return whether the user may open, change, check, count and publish fund rounds."""
    return is_staff(user)


def can_record_vote(user: Actor | None) -> bool:
    """Return whether the user may record a vote for someone without an account."""
    return has_role(user, Role.COACH, Role.ADMIN)


def can_propose(
    user: Actor | None,
    proposers: Collection[str],
    *,
    lives_in_area: bool,
    runs_a_group_in_area: bool,
) -> bool:
    """Return whether the user may propose to a round letting ``proposers`` (values of
    ``domain.funds.Proposer``) propose: a resident of its area, the owner of a group in it, or
    a coach (for someone without an account), as the round allows; staff always may."""
    if user is None:
        return False
    if is_staff(user):
        return True
    return (
        ("resident" in proposers and lives_in_area)
        or ("group-owner" in proposers and runs_a_group_in_area)
        or ("coach" in proposers and has_role(user, Role.COACH))
    )
