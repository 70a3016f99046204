"""A strength's fields, written once: what each holds, which kinds have it, who may see it.

Everything that lists a strength's fields is derived from ``FIELDS``: the export's columns and
their order, the rows a bulk insert writes, GeoJSON features and CSV cells, the OpenAPI schemas
of a strength and of the changes a request sends, and the strength form's questions and
hints. Adding a field means the model, a migration, a row here and the template that shows it.

The table is in the order assetmap shows a strength, which is the export's column order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from assetmap.domain.i18n import N_
from assetmap.domain.limits import (
    ACCESSIBILITY_MAX,
    CAPACITY_MAX,
    CAPACITY_MIN,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    FACILITIES_MAX,
    FACILITY_MAX,
    LANGUAGE_MAX,
    SHORT_TEXT_MAX,
    TAG_MAX,
    TAGS_MAX,
    THEMES_MAX,
    TITLE_MAX,
)
from assetmap.domain.vocab import Kind, ShareMode, Theme

# What a field holds, which says how every format writes it:
#   id, int: a whole number (int may be missing); text: a string; optional_text: a string or
#   None; kind: a kind's value; list: a list of strings (themes, tags...); flag: yes, no or
#   not said; date: a day; time: a UTC timestamp; coordinate: WGS84 degrees; ids: a list of
#   other strengths' ids.
FieldType = Literal[
    "id",
    "int",
    "text",
    "optional_text",
    "kind",
    "list",
    "flag",
    "date",
    "time",
    "coordinate",
    "ids",
]
ALL_KINDS = frozenset(Kind)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a strength.

    ``public``: anyone may see it (a skill's ``lon``/``lat`` at its public point only);
    ``entered``: a person gives it (it is in ``AssetDraft``), else the register sets it;
    ``label``: its name in a sentence; ``question``: what the strength form asks (empty where
    the form does not ask it); ``hint``: the help under the question; ``schema``: its OpenAPI
    schema in an answer; ``request``: its OpenAPI schema in a request that adds or changes a
    strength, with the limits validation enforces (``None`` where a request cannot send it).
    """

    name: str
    type: FieldType
    label: str
    schema: dict[str, Any]
    kinds: frozenset[Kind] = ALL_KINDS
    public: bool = True
    entered: bool = True
    question: str = ""
    hint: str = ""
    request: dict[str, Any] | None = None


def _string(**more: Any) -> dict[str, Any]:
    return {"type": "string", **more}


def _strings(**items: Any) -> dict[str, Any]:
    return {"type": "array", "items": _string(**items)}


def _text(limit: int) -> dict[str, Any]:
    return _string(maxLength=limit)


def _number(low: int, high: int) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


_KIND = _string(enum=[k.value for k in Kind])
# A well-formed BCP 47 tag, loosely: a language, then subtags (script, region, variants).
LANGUAGE_PATTERN = f"^(?=.{{2,{LANGUAGE_MAX}}}$)[A-Za-z]{{2,8}}(-[A-Za-z0-9]{{1,8}})*$"
_THEMES = _strings(enum=[t.value for t in Theme])


FIELDS: tuple[Field, ...] = (
    Field("id", "id", N_("The id"), {"type": "integer"}, entered=False),
    Field("kind", "kind", N_("What you are adding"), _KIND, request=_KIND),
    Field(
        "title",
        "text",
        N_("The name"),
        _string(),
        question=N_("Name"),
        request=_string(minLength=1, maxLength=TITLE_MAX),
    ),
    Field(
        "description",
        "text",
        N_("The description"),
        _string(),
        question=N_("Description (optional)"),
        hint=N_("What people can expect, in a few sentences."),
        request=_text(DESCRIPTION_MAX),
    ),
    Field(
        "themes",
        "list",
        N_("Themes"),
        _THEMES,
        question=N_("Themes"),
        hint=N_("Choose up to %(most)d."),
        request={**_THEMES, "minItems": 1, "maxItems": THEMES_MAX},
    ),
    Field(
        "tags",
        "list",
        N_("Tags"),
        _strings(),
        question=N_("Tags (optional)"),
        hint=N_("Words people might search for, separated by commas."),
        request={"type": "array", "items": _text(TAG_MAX), "maxItems": TAGS_MAX},
    ),
    Field(
        "availability",
        "text",
        N_("When you are available"),
        _string(),
        question=N_("When are you available? (optional)"),
        hint=N_("For example: weekday evenings, or Saturday mornings."),
        request=_text(SHORT_TEXT_MAX),
    ),
    Field(
        "accessibility",
        "text",
        N_("Access"),
        _string(),
        question=N_("Access (optional)"),
        hint=N_("For example: step-free, hearing loop, quiet room."),
        request=_text(ACCESSIBILITY_MAX),
    ),
    Field(
        "contact",
        "text",
        N_("How to get in touch"),
        _string(description="Only where the token's holder may see it."),
        public=False,
        question=N_("How can people get in touch? (optional)"),
        hint=N_("A phone number, an email address, or where to find you."),
        request=_text(CONTACT_MAX),
    ),
    Field(
        "contact_via_coach",
        "flag",
        N_("Passing on your contact"),
        {"type": "boolean", "description": "Only for those who may edit the strength."},
        public=False,
        question=N_("Community connectors may pass my contact details on"),
        hint=N_(
            "Connectors help people find what is near them. "
            "They see your contact only if you tick this."
        ),
        request={"type": "boolean"},
    ),
    Field(
        "share_modes",
        "list",
        N_("How you share it"),
        _strings(),
        kinds=frozenset({Kind.SKILL}),
        question=N_("How do you share it?"),
        hint=N_("Choose every way that fits."),
        request=_strings(enum=[mode.value for mode in ShareMode]),
    ),
    Field(
        "meeting_pattern",
        "text",
        N_("When the group meets"),
        _string(),
        kinds=frozenset({Kind.GROUP}),
        question=N_("When does the group meet? (optional)"),
        hint=N_("For example: every Tuesday, 7pm to 9pm."),
        request=_text(SHORT_TEXT_MAX),
    ),
    Field(
        "welcomes_new_members",
        "flag",
        N_("Whether new members are welcome"),
        {"type": ["boolean", "null"]},
        kinds=frozenset({Kind.GROUP}),
        question=N_("Does the group welcome new members? (optional)"),
        request={"type": ["boolean", "null"]},
    ),
    Field(
        "opening_times",
        "text",
        N_("Opening times"),
        _string(),
        kinds=frozenset({Kind.SPACE}),
        question=N_("Opening times (optional)"),
        hint=N_("For example: Monday to Friday, 9am to 5pm."),
        request=_text(SHORT_TEXT_MAX),
    ),
    Field(
        "capacity",
        "int",
        N_("How many people it holds"),
        {"type": ["integer", "null"]},
        kinds=frozenset({Kind.SPACE}),
        question=N_("How many people does it hold? (optional)"),
        hint=N_("A whole number of people."),
        request={"type": ["integer", "null"], "minimum": CAPACITY_MIN, "maximum": CAPACITY_MAX},
    ),
    Field(
        "facilities",
        "list",
        N_("Facilities"),
        _strings(),
        kinds=frozenset({Kind.SPACE}),
        question=N_("Facilities (optional)"),
        hint=N_("Separate them with commas, for example: kitchen, step-free access, parking."),
        request={"type": "array", "items": _text(FACILITY_MAX), "maxItems": FACILITIES_MAX},
    ),
    Field(
        "language",
        "text",
        N_("The language it is written in"),
        _string(description="A BCP 47 language tag, such as en-GB, cy or pl."),
        question=N_("Which language is this written in?"),
        hint=N_("Its words are shown as you wrote them, never translated."),
        request=_string(
            description="A BCP 47 language tag, such as en-GB, cy or pl; en-GB if not given.",
            pattern=LANGUAGE_PATTERN,
            minLength=2,
        ),
    ),
    # Exports only: a group's sessions or a space's opening hours in words, "; "-joined, and
    # the spaces a group meets at (public ties only). Read from their own tables.
    Field(
        "schedule",
        "optional_text",
        N_("When it meets or opens"),
        _string(description="Its schedules in words, separated by semicolons."),
        entered=False,
    ),
    Field(
        "meets_at",
        "ids",
        N_("The spaces it meets at"),
        {"type": ["array", "null"], "items": {"type": "integer"}},
        entered=False,
    ),
    Field("last_confirmed", "date", N_("Last confirmed"), _string(format="date")),
    Field("updated_at", "time", N_("Last changed"), _string(format="date-time"), entered=False),
    Field("neighbourhood", "optional_text", N_("Neighbourhood"), _string(), entered=False),
    Field("source", "text", N_("Where it came from"), _string(), entered=False),
    Field("source_id", "text", N_("Its id where it came from"), _string(), entered=False),
    Field("lon", "coordinate", N_("Longitude"), {"type": "number"}, request=_number(-180, 180)),
    Field("lat", "coordinate", N_("Latitude"), {"type": "number"}, request=_number(-90, 90)),
)
BY_NAME = {field.name: field for field in FIELDS}
# What leaves assetmap in an export, in this order: public fields, the point last.
EXPORT_COLUMNS = tuple(field.name for field in FIELDS if field.public)
# An export row's fields besides its id and point: a GeoJSON feature's properties.
PROPERTY_COLUMNS = tuple(
    field.name for field in FIELDS if field.public and field.type not in ("id", "coordinate")
)
# Fields a person gives that the register keeps as a column of its own (the point apart).
STORED_FIELDS = tuple(
    field.name
    for field in FIELDS
    if field.entered and field.type != "coordinate" and field.name != "last_confirmed"
)
# What each kind has of the fields only some kinds have.
KIND_FIELDS: dict[Kind, frozenset[str]] = {
    kind: frozenset(f.name for f in FIELDS if f.kinds != ALL_KINDS and kind in f.kinds)
    for kind in Kind
}


def names_of(kind: FieldType) -> frozenset[str]:
    """Return the names of the fields holding ``kind`` of value."""
    return frozenset(field.name for field in FIELDS if field.type == kind)
