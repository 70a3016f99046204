"""Ties between strengths: a group meets at a space, runs with another group, or is offered a
person's skill.

A tie is made by the owner of the strength it starts from (or by staff). Ties between groups and
spaces are public at once, as their pages are; the other side's owner may take one off. A skill
offered to a group is the person's choice alone and stays private until the group's owner
accepts it; even then the public sees the skill as it always does (its title, at its public
point), never the person's name or home.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from assetmap.domain.i18n import _, lazy
from assetmap.domain.vocab import Kind


class TieKind(enum.StrEnum):
    """What a tie says, read from the strength it starts from."""

    MEETS_AT = "meets-at"  # a group meets at a space
    RUNS_WITH = "runs-with"  # a group runs things with another group (partners)
    OFFERS = "offers"  # a person offers their skill to a group

    @property
    def kinds(self) -> tuple[Kind, Kind]:
        """The kinds of strength the tie goes from and to."""
        return _ENDS[self]

    @property
    def needs_consent(self) -> bool:
        """Whether the other side's owner must accept before the public sees the tie."""
        return self is TieKind.OFFERS


_ENDS = {
    TieKind.MEETS_AT: (Kind.GROUP, Kind.SPACE),
    TieKind.RUNS_WITH: (Kind.GROUP, Kind.GROUP),
    TieKind.OFFERS: (Kind.SKILL, Kind.GROUP),
}

# How a tie reads on each end's page: (on the "from" page, on the "to" page).
TIE_WORDS = {
    TieKind.MEETS_AT: (lazy("Meets at"), lazy("Groups that meet here")),
    TieKind.RUNS_WITH: (lazy("Runs things with"), lazy("Runs things with")),
    TieKind.OFFERS: (lazy("Offered to"), lazy("Skills offered to this group")),
}


class TieState(enum.StrEnum):
    """Whether a tie is agreed."""

    PROPOSED = "proposed"  # an offer waiting for the group's owner
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclasses.dataclass(frozen=True, slots=True)
class TieEnd:
    """The other strength of a tie, as a page shows it: public fields only."""

    tie_id: int
    kind: TieKind
    state: TieState
    outgoing: bool  # True when the page's strength is the tie's "from" end
    asset_id: int
    asset_kind: Kind
    title: str
    lon: float  # the public point: a skill's is its grid cell's centre
    lat: float
    made_on: dt.date
    language: str = "en-GB"  # the language its title is written in (a BCP 47 tag)

    @property
    def label(self) -> str:
        """How the tie reads on this page, in the reader's language."""
        return str(TIE_WORDS[self.kind][0 if self.outgoing else 1])


def check_tie(kind: TieKind, from_kind: Kind, to_kind: Kind, from_id: int, to_id: int) -> str:
    """Return why such a tie cannot be made, in words for a person, or "" if it can."""
    if from_id == to_id:
        return _("A strength cannot be tied to itself.")
    want_from, want_to = kind.kinds
    if from_kind is not want_from or to_kind is not want_to:
        return {
            TieKind.MEETS_AT: lambda: _("Only a group can meet at a space."),
            TieKind.RUNS_WITH: lambda: _("Only a group can run things with another group."),
            TieKind.OFFERS: lambda: _("Only a skill can be offered to a group."),
        }[kind]()
    return ""
