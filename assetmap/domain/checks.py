"""Strength checks: a proposed service, what was found where it would reach, what was decided.

Before commissioning, staff describe the proposal (name, purpose, who it is for, themes, key
words, kinds, catchment); assetmap finds the strengths already there; staff record a decision
and publish it; residents answer back. ``validate_proposal``, ``validate_decision`` and
``validate_response`` take loose input and return clean values or raise ``ValidationError``
naming each bad field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Collection, Mapping
from typing import Any

from assetmap.domain.catchments import (
    Catchment,
    CentreProblem,
    How,
    NamedArea,
    neighbourhood_catchment,
    polygon_catchment,
    radius_catchment,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.i18n import _, lazy
from assetmap.domain.query import split_words
from assetmap.domain.text import clean_text, split_items
from assetmap.domain.vocab import Kind, Theme

NAME_MAX = 120
PURPOSE_MAX = 2000
AUDIENCE_MAX = 300
WORDS_MAX = 12
RATIONALE_MAX = 4000
DECIDED_BY_MAX = 200
GROUPS_MAX = 20
GROUP_NAME_MAX = 120
RESPONSE_MAX = 1000
NOTE_MAX = 1000


class DecisionKind(enum.StrEnum):
    """What staff decided in the light of a check."""

    SUPPORT = "support"
    CO_DESIGN = "co-design"
    COMMISSION = "commission"
    NOT_PROCEED = "not-proceed"

    @property
    def label(self) -> str:
        """Return the decision as a person reads it."""
        return str(DECISION_LABELS[self])


DECISION_LABELS = {
    DecisionKind.SUPPORT: lazy("Support or fund existing strengths"),
    DecisionKind.CO_DESIGN: lazy("Co-design with named groups"),
    DecisionKind.COMMISSION: lazy("Commission something new"),
    DecisionKind.NOT_PROCEED: lazy("Not proceed"),
}


class TakePart(enum.StrEnum):
    """Whether a resident would take part in what was decided."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"

    @property
    def label(self) -> str:
        """Return the answer as a person reads it: "Yes"."""
        return str(TAKE_PART_LABELS[self])


TAKE_PART_LABELS = {
    TakePart.YES: lazy("Yes"),
    TakePart.MAYBE: lazy("Maybe"),
    TakePart.NO: lazy("No"),
}


@dataclasses.dataclass(frozen=True)
class Proposal:
    """A proposed service: what it is for, whom, on which themes and words, and where."""

    name: str
    purpose: str
    audience: str
    themes: tuple[Theme, ...]
    words: tuple[str, ...]
    kinds: tuple[Kind, ...]
    catchment: Catchment

    def as_json(self) -> dict[str, Any]:
        """Return the proposal as plain JSON values."""
        return {
            "name": self.name,
            "purpose": self.purpose,
            "audience": self.audience,
            "themes": [theme.value for theme in self.themes],
            "words": list(self.words),
            "kinds": [kind.value for kind in self.kinds],
            "catchment": self.catchment.as_json(),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Proposal:
        """Read a proposal written by ``as_json``."""
        return cls(
            name=value["name"],
            purpose=value["purpose"],
            audience=value["audience"],
            themes=tuple(Theme(theme) for theme in value["themes"]),
            words=tuple(value["words"]),
            kinds=tuple(Kind(kind) for kind in value["kinds"]),
            catchment=Catchment.from_json(value["catchment"]),
        )


@dataclasses.dataclass(frozen=True)
class Decision:
    """What was decided, why, by whom and when; which strengths and groups it involves."""

    kind: DecisionKind
    rationale: str
    decided_by: str
    decided_on: dt.date
    strengths: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        """Return the decision as plain JSON values."""
        values = dataclasses.asdict(self)
        values.update(
            kind=self.kind.value,
            decided_on=self.decided_on.isoformat(),
            strengths=list(self.strengths),
            groups=list(self.groups),
        )
        return values

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Decision:
        """Read a decision written by ``as_json``."""
        return cls(
            kind=DecisionKind(value["kind"]),
            rationale=value["rationale"],
            decided_by=value["decided_by"],
            decided_on=dt.date.fromisoformat(value["decided_on"]),
            strengths=tuple(value.get("strengths", ())),
            groups=tuple(value.get("groups", ())),
            reason=value.get("reason", ""),
        )


@dataclasses.dataclass(frozen=True)
class ResponseDraft:
    """A resident's answer to a published check."""

    missed: str
    take_part: TakePart | None
    comment: str


def validate_proposal(
    raw: Mapping[str, Any],
    *,
    area: BBox | None = None,
    neighbourhoods: Mapping[str, NamedArea] | None = None,
) -> tuple[Proposal, list[str]]:
    """Return a clean proposal and notes on anything mended, or raise ``ValidationError``.

    ``area`` is the configured area; ``neighbourhoods`` maps each known code to its area.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, check in _PROPOSAL_CHECKS.items():
        _check(errors, clean, name, lambda c=check, n=name: c(raw.get(n)))
    if (
        not clean.get("themes")
        and not clean.get("words")
        and not errors.keys() & {"themes", "words"}
    ):
        errors["themes"] = _("choose at least one theme or give at least one key word")
    catchment, notes = _catchment(errors, raw, area, neighbourhoods or {})
    if errors:
        raise ValidationError(errors)
    assert catchment is not None
    return Proposal(catchment=catchment, **clean), notes


def validate_decision(
    raw: Mapping[str, Any], *, found: Collection[int], today: dt.date
) -> Decision:
    """Return a clean decision, or raise ``ValidationError`` naming each bad field.

    ``found`` holds the ids of the strengths the check found: only those can be linked.
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    kind = _check(errors, clean, "kind", lambda: _decision_kind(raw.get("kind")))
    checks: dict[str, Any] = {
        "rationale": lambda v: clean_text(
            v, RATIONALE_MAX, required=True, multiline=True, empty=_("say why this was decided")
        ),
        "decided_by": lambda v: clean_text(
            v, DECIDED_BY_MAX, required=True, empty=_("say who decided")
        ),
        "decided_on": lambda v: _decided_on(v, today),
        "strengths": lambda v: _linked(v, found, required=kind is DecisionKind.SUPPORT),
        "groups": _groups,
        "reason": _reason,
    }
    for name in ("rationale", "decided_by", "decided_on", *_DECISION_FIELDS.get(kind, ())):
        _check(errors, clean, name, lambda c=checks[name], n=name: c(raw.get(n)))
    if errors:
        raise ValidationError(errors)
    return Decision(**clean)


def validate_response(raw: Mapping[str, Any]) -> ResponseDraft:
    """Return a clean response, or raise ``ValidationError`` naming each bad field."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, check in _RESPONSE_CHECKS.items():
        _check(errors, clean, name, lambda c=check, n=name: c(raw.get(n)))
    if not errors and not any(clean.values()):
        errors["missed"] = _(
            "tell us about a strength we missed, whether you would take part, or both"
        )
    if errors:
        raise ValidationError(errors)
    return ResponseDraft(**clean)


def check_action_note(text: Any) -> str:
    """Return what staff did about a response, or raise ValueError if it is empty or too long."""
    return clean_text(text, NOTE_MAX, required=True, multiline=True, empty=_("say what was done"))


def _catchment(
    errors: dict[str, str],
    raw: Mapping[str, Any],
    area: BBox | None,
    known: Mapping[str, NamedArea],
) -> tuple[Catchment | None, list[str]]:
    try:
        how = How(raw.get("catchment") or "")
    except ValueError:
        errors["catchment"] = _(
            "choose how to give the catchment: a drawn area, neighbourhoods or a radius"
        )
        return None, []
    try:
        if how is How.POLYGON:
            return polygon_catchment(raw.get("polygon"), area)
        if how is How.NEIGHBOURHOODS:
            return neighbourhood_catchment(_items(raw.get("neighbourhoods")), known)
        return radius_catchment(raw.get("lon"), raw.get("lat"), raw.get("radius_m"), area)
    except CentreProblem as exc:
        errors[exc.field] = exc.reason
        return None, []
    except ValueError as exc:
        field, message = _catchment_field(how, _said(exc))
        errors[field] = message
        return None, []


def _catchment_field(how: How, message: str) -> tuple[str, str]:
    if how is not How.RADIUS:
        return how.value, message
    for name in ("lon", "lat", "radius_m", "centre"):
        if message.startswith(f"{name} "):
            return name, message.removeprefix(f"{name} ")
    return "centre", message


def _check(errors: dict[str, str], clean: dict[str, Any], name: str, fn: Any) -> Any:
    try:
        clean[name] = fn()
    except (TypeError, ValueError) as exc:
        errors[name] = _said(exc)
        return None
    return clean[name]


def _said(exc: Exception) -> str:
    """Return what an error says, keeping a translated message's English (``Text``)."""
    said = exc.args[0] if len(exc.args) == 1 else None
    return said if isinstance(said, str) else str(exc)


def _items(value: Any) -> list[str]:
    return [str(item).strip() for item in split_items(value) if str(item).strip()]


def _members(enum_cls: type[enum.StrEnum], value: Any, what: str) -> tuple[Any, ...]:
    known = [member.value for member in enum_cls]
    for item in _items(value):
        if item not in known:
            raise ValueError(
                _(
                    "%(item)r is not a %(what)s; choose from %(known)s",
                    item=item,
                    what=what,
                    known=", ".join(known),
                )
            )
    return tuple(dict.fromkeys(enum_cls(item) for item in _items(value)))


def _words(value: Any) -> tuple[str, ...]:
    words = split_words(clean_text(value, 200))
    if len(words) > WORDS_MAX:
        raise ValueError(
            _("give at most %(most)d key words, got %(got)d", most=WORDS_MAX, got=len(words))
        )
    return words


def _decision_kind(value: Any) -> DecisionKind:
    try:
        return DecisionKind(value or "")
    except ValueError:
        raise ValueError(_("choose what was decided")) from None


def _decided_on(value: Any, today: dt.date) -> dt.date:
    if value in (None, ""):
        return today
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(
            _("must be a date like %(example)s, got %(got)r", example=today.isoformat(), got=value)
        ) from None
    if day > today:
        raise ValueError(_("must not be in the future, got %(got)s", got=day.isoformat()))
    return day


def _linked(value: Any, found: Collection[int], *, required: bool) -> tuple[int, ...]:
    ids: list[int] = []
    for item in _items(value):
        if not item.isdigit() or int(item) not in found:
            raise ValueError(_("strength %(item)s is not one this check found", item=item))
        ids.append(int(item))
    if required and not ids:
        raise ValueError(_("choose at least one strength this check found"))
    return tuple(dict.fromkeys(ids))


def _groups(value: Any) -> tuple[str, ...]:
    lines = value.splitlines() if isinstance(value, str) else _items(value)
    names = [clean_text(line, GROUP_NAME_MAX) for line in lines]
    names = list(dict.fromkeys(name for name in names if name))
    if not names:
        raise ValueError(_("name at least one group, one to a line"))
    if len(names) > GROUPS_MAX:
        raise ValueError(
            _("name at most %(most)d groups, got %(got)d", most=GROUPS_MAX, got=len(names))
        )
    return tuple(names)


def _take_part(value: Any) -> TakePart | None:
    if value in (None, ""):
        return None
    try:
        return TakePart(value)
    except ValueError:
        raise ValueError(_("choose yes, maybe or no")) from None


def _reason(value: Any) -> str:
    empty = _("say why the strengths already there do not meet the need")
    return clean_text(value, RATIONALE_MAX, required=True, multiline=True, empty=empty)


# The fields each kind of decision needs besides the rationale, who decided and when.
_DECISION_FIELDS: dict[DecisionKind | None, tuple[str, ...]] = {
    DecisionKind.SUPPORT: ("strengths",),
    DecisionKind.CO_DESIGN: ("strengths", "groups"),
    DecisionKind.COMMISSION: ("reason",),
}
_RESPONSE_CHECKS: dict[str, Any] = {
    "missed": lambda v: clean_text(v, RESPONSE_MAX, multiline=True),
    "take_part": _take_part,
    "comment": lambda v: clean_text(v, RESPONSE_MAX, multiline=True),
}
_PROPOSAL_CHECKS: dict[str, Any] = {
    "name": lambda v: clean_text(
        v, NAME_MAX, required=True, empty=_("give the proposed service a name")
    ),
    "purpose": lambda v: clean_text(
        v, PURPOSE_MAX, required=True, multiline=True, empty=_("say what the service is for")
    ),
    "audience": lambda v: clean_text(
        v, AUDIENCE_MAX, required=True, empty=_("say who the service is for")
    ),
    "themes": lambda v: _members(Theme, v, "theme"),
    "words": _words,
    "kinds": lambda v: _members(Kind, v, "kind"),
}
