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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from assetmap.domain.i18n import N_, _, format_date, lazy
from assetmap.domain.vocab import Kind, Role

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


# The names the sources imports write people read by: a source is otherwise named as written.
SOURCE_NAMES: dict[str, str] = {"osm": "OpenStreetMap"}
# Where a date in time becomes a day, for saying when something happened.
LOCAL_ZONE = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Provenance:
    """Where a strength came from and who last assured it: nothing of who the person is.

    ``source`` is "" for a strength added on this site; ``added_by_owner`` says whether the
    person or group it belongs to added it (True) or nobody known did (a script, an erased
    account). ``checked_at`` and ``unlisted_at`` are when its source last listed it and when
    it stopped; ``assured_on`` and ``assured_by`` are when and by whom (by their part) it was
    last confirmed as right."""

    kind: Kind
    source: str
    created_at: dt.datetime
    added_by_owner: bool
    checked_at: dt.datetime | None
    unlisted_at: dt.datetime | None
    assured_on: dt.date | None
    assured_by: Assurer | None

    @property
    def source_name(self) -> str:
        """Return the source as people read it: "OpenStreetMap" for "osm"."""
        return SOURCE_NAMES.get(self.source, self.source)

    def as_dict(self) -> dict[str, Any]:
        """Return it as the API carries it: dates in ISO 8601, null where none is known."""
        return {
            "source": self.source or None,
            "checked_at": _iso(self.checked_at),
            "unlisted_at": _iso(self.unlisted_at),
            "assured_date": _iso(self.assured_on),
            "assured_by": self.assured_by.value if self.assured_by else None,
        }


def assurer_of(value: str) -> Assurer | None:
    """Return the ``Assurer`` a stored value names, None for "" or a value no longer known."""
    return Assurer(value) if value in Assurer._value2member_map_ else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def local_day(value: dt.datetime) -> dt.date:
    """Return the day a moment fell on where the register is (a naive moment is UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(LOCAL_ZONE).date()


# Each is one whole sentence, said in the reader's language where it is shown.
_ADDED_BY_OWNER = {
    Kind.SKILL: N_("Added on this site on %(date)s by the person who offers it."),
    Kind.GROUP: N_("Added on this site on %(date)s by the person or group who runs it."),
    Kind.SPACE: N_("Added on this site on %(date)s by the person or group who runs it."),
}
_ASSURED: dict[Assurer | None, str] = {
    Assurer.OWNER: N_(
        "Last confirmed as still current on %(date)s by the person or group who added it."
    ),
    Assurer.COACH: N_("Last confirmed as still current on %(date)s by a community connector."),
    Assurer.STAFF: N_("Last confirmed as still current on %(date)s by council staff."),
    Assurer.SOURCE: N_(
        "Last confirmed as still current on %(date)s by the directory it came from."
    ),
    None: N_("Last confirmed as still current on %(date)s."),
}


def provenance_sentences(
    found: Provenance,
    *,
    say: Callable[..., str] = _,
    mark: Callable[[str], Any] = str,
) -> list[str]:
    """Return where a strength came from and who last assured it, in plain sentences.

    ``say`` turns a message and its values into words (the reader's language by default);
    ``mark`` wraps a source's name, which is data and never translated: a page passes one
    that marks it so, and a ``say`` that escapes the words around it."""
    added = format_date(local_day(found.created_at))
    source = mark(found.source_name)
    if not found.source:
        if found.added_by_owner:
            sentences = [say(_ADDED_BY_OWNER[found.kind], date=added)]
        else:
            sentences = [say(N_("Added on this site on %(date)s."), date=added)]
    elif found.checked_at is None:
        sentences = [say(N_("Imported from %(source)s on %(date)s."), source=source, date=added)]
    else:
        checked = format_date(local_day(found.checked_at))
        sentences = [
            say(N_("Added from %(source)s on %(date)s."), source=source, date=added),
            say(N_("Last found there on %(date)s."), date=checked),
        ]
    if found.source and found.unlisted_at is not None:
        since = format_date(local_day(found.unlisted_at))
        sentences.append(
            say(N_("%(source)s no longer lists it (since %(date)s)."), source=source, date=since)
        )
    if found.assured_on is not None:
        sentences.append(say(_ASSURED[found.assured_by], date=format_date(found.assured_on)))
    return sentences


def fresh_share(fresh: int, total: int) -> int | None:
    """Return ``fresh`` of ``total`` as a whole percentage, half rounded up; None of none."""
    if total <= 0:
        return None
    return (200 * fresh + total) // (2 * total)
