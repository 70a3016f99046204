"""Provenance: where a strength came from, when it was last checked there, and who assured it.

*Assuring* a strength is a person (or its source) confirming it is still right, which is not
the same as editing it: an edit changes ``updated_at``, an assurance moves ``last_confirmed``
(HSDS's ``assured_date``) and says who, by their part (``Assurer``), never by name.

A strength's history of field changes is published (as HSDS ``metadata``) for its public
fields only, each change saying who made it by their part, never by name.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from assetmap.domain.i18n import lazy
from assetmap.domain.vocab import Role

# A public strength counts as fresh when it was assured within this many days.
FRESH_DAYS = 90

# Fields whose changes may be published with a strength's history: what anyone can read of it.
# Its contact, owner and (for a skill) exact point are never among them.
PUBLIC_HISTORY_FIELDS = frozenset(
    {
        "title",
        "description",
        "themes",
        "tags",
        "availability",
        "accessibility",
        "meeting_pattern",
        "welcomes_new_members",
        "opening_times",
        "capacity",
        "facilities",
        "language",
        "status",
        "last_confirmed",
    }
)


class Assurer(enum.StrEnum):
    """Who assured a strength, by their part in it."""

    OWNER = "owner"
    COACH = "coach"
    STAFF = "staff"
    SOURCE = "source"

    @property
    def label(self) -> str:
        """Return who assured it as a sentence's end reads: "by its owner"."""
        return str(ASSURER_LABELS[self])


ASSURER_LABELS: dict[Assurer, Any] = {
    Assurer.OWNER: lazy("by the person or group who added it"),
    Assurer.COACH: lazy("by a community connector"),
    Assurer.STAFF: lazy("by council staff"),
    Assurer.SOURCE: lazy("by the directory it came from"),
}


def assurer_for(user_id: int | None, owner_id: int | None, role: Role | None) -> Assurer | None:
    """Return the part of the person who assured a strength: its owner, a coach, or staff
    (a planner or an admin); None for nobody known (a resident not its owner, or a script)."""
    if user_id is None:
        return None
    if owner_id is not None and user_id == owner_id:
        return Assurer.OWNER
    if role in (Role.PLANNER, Role.ADMIN):
        return Assurer.STAFF
    if role is Role.COACH:
        return Assurer.COACH
    return None


def is_fresh(last_confirmed: dt.date | None, today: dt.date, days: int = FRESH_DAYS) -> bool:
    """Return whether a strength last assured on ``last_confirmed`` counts as fresh today."""
    return last_confirmed is not None and (today - last_confirmed).days <= days


@dataclass(frozen=True)
class FieldChange:
    """One change to one public field of a strength: when, what kind of change (a revision's
    action), the field, its value before and after (as the revision holds them, JSON values),
    and who made it by their part ("owner", "coach", "staff", "import"; "" for unknown)."""

    asset_id: int
    at: dt.datetime
    action: str
    field: str
    previous: Any
    replacement: Any
    by: str
