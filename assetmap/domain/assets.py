"""What an asset is, and the checks every asset passes before it is stored.

``validate_asset`` takes loose input (a form, a JSON body, a CSV row) and either returns an
``AssetDraft`` whose every field is clean, or raises ``ValidationError`` naming each bad field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import orjson

from assetmap.domain.area import OUTSIDE, Area
from assetmap.domain.errors import ValidationError
from assetmap.domain.fields import KIND_FIELDS, LANGUAGE_PATTERN
from assetmap.domain.geo import check_lon_lat
from assetmap.domain.i18n import _
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
from assetmap.domain.text import clean_text, split_items
from assetmap.domain.vocab import Kind, ShareMode, Theme

_ALL_KIND_FIELDS = frozenset().union(*KIND_FIELDS.values())
# The language a strength is written in when nobody says (a BCP 47 tag).
DEFAULT_LANGUAGE = "en-GB"


@dataclasses.dataclass(frozen=True, slots=True)
class AssetDraft:
    """A valid asset as its owner describes it, before storage gives it an id."""

    kind: Kind
    title: str
    lon: float
    lat: float
    themes: tuple[Theme, ...]
    description: str = ""
    tags: tuple[str, ...] = ()
    availability: str = ""
    accessibility: str = ""
    contact: str = ""
    contact_via_coach: bool = False
    last_confirmed: dt.date | None = None
    share_modes: tuple[ShareMode, ...] = ()
    meeting_pattern: str = ""
    welcomes_new_members: bool | None = None
    opening_times: str = ""
    capacity: int | None = None
    facilities: tuple[str, ...] = ()
    language: str = DEFAULT_LANGUAGE

    def as_dict(self) -> dict[str, Any]:
        """Return the draft as plain JSON values: enums as strings, tuples as lists, ISO dates."""
        return orjson.loads(orjson.dumps(self))


FIELD_NAMES = tuple(field.name for field in dataclasses.fields(AssetDraft))
# What a revision records when a skill moved but its public point did not: that it moved,
# never where to.
MOVED = "location"
MOVED_NEARBY = "moved nearby"


def validate_asset(raw: Mapping[str, Any], *, area: Area | None = None) -> AssetDraft:
    """Return a clean ``AssetDraft`` from loose input, or raise ``ValidationError``.

    ``area``, when given, is the area every asset must lie in (a box or an outline).
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    unknown = sorted(set(raw) - set(FIELD_NAMES))
    for name in unknown:
        errors[name] = _("is not a field of an asset")
    kind = _check(errors, "kind", lambda: Kind(clean_text(raw.get("kind"), 20, required=True)))
    for name, check in _CHECKS.items():
        if name in raw or name in _REQUIRED:
            _check(errors, name, lambda c=check, n=name: clean.__setitem__(n, c(raw.get(n))))
    if "lon" in clean and "lat" in clean and "lon" not in errors:
        _check_location(errors, clean, area)
    if kind is not None:
        _check_kind_fields(errors, kind, raw)
        if kind is Kind.SKILL and not clean.get("share_modes") and "share_modes" not in errors:
            errors["share_modes"] = _("choose at least one way to share the skill")
    if errors:
        raise ValidationError(errors)
    return AssetDraft(kind=kind, **clean)  # type: ignore[arg-type]


def apply_changes(
    current: AssetDraft, changes: Mapping[str, Any], *, area: Area | None = None
) -> AssetDraft:
    """Return ``current`` with ``changes`` applied and checked.

    The kind cannot change, and a move gives both ``lon`` and ``lat``: a skill's draft is at its
    public point, so half a move would mix a given coordinate with a generalised one.
    """
    if "kind" in changes and str(changes["kind"]) != current.kind.value:
        raise ValidationError({"kind": _("cannot be changed; withdraw this and add a new one")})
    if ("lon" in changes) != ("lat" in changes):
        missing = "lat" if "lon" in changes else "lon"
        raise ValidationError({missing: _("give lon and lat together to move a strength")})
    return validate_asset({**current.as_dict(), **changes}, area=area)


def diff(old: AssetDraft | None, new: AssetDraft | None) -> dict[str, list[Any]]:
    """Return ``{field: [old, new]}`` for every field that differs between two drafts."""
    if old is None:
        return creation(new.as_dict()) if new else {}
    before = old.as_dict()
    after = new.as_dict() if new else {}
    return {
        name: [before.get(name), after.get(name)]
        for name in FIELD_NAMES
        if before.get(name) != after.get(name)
    }


def creation(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return what a creation revision records: ``[None, value]`` for every field that is set."""
    return {name: [None, value] for name, value in values.items() if _is_set(value)}


def _check(errors: dict[str, str], name: str, fn: Any) -> Any:
    try:
        return fn()
    except (ValueError, TypeError) as exc:
        errors[name] = _reason(name, exc)
        return None


def _reason(name: str, exc: Exception) -> str:
    # The message itself, not ``str(exc)``: a translated ``Text`` remembers its English.
    first = exc.args[0] if len(exc.args) == 1 else None
    message = first if isinstance(first, str) else str(exc)
    if name == "kind" and "is not a valid Kind" in message:
        return _("must be one of %(kinds)s", kinds=", ".join(k.value for k in Kind))
    return message


def _check_location(errors: dict[str, str], clean: dict[str, Any], area: Area | None) -> None:
    try:
        check_lon_lat(clean["lon"], clean["lat"])
    except ValueError as exc:
        name = "lat" if str(exc).startswith("lat") else "lon"
        errors[name] = str(exc).removeprefix(f"{name} ")
        return
    if area is not None and not area.contains(clean["lon"], clean["lat"]):
        errors["location"] = OUTSIDE


def _check_kind_fields(errors: dict[str, str], kind: Kind, raw: Mapping[str, Any]) -> None:
    for name in sorted(_ALL_KIND_FIELDS - KIND_FIELDS[kind]):
        if _is_set(raw.get(name)):
            errors[name] = _("does not apply to a %(kind)s", kind=kind.value)


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], ())


# Made once: iterating an enum for its values costs more than the rest of a check.
_THEME_VALUES = frozenset(theme.value for theme in Theme)
_SHARE_MODE_VALUES = frozenset(mode.value for mode in ShareMode)


def _themes(value: Any) -> tuple[Theme, ...]:
    items = split_items(value)
    if not items:
        raise ValueError(_("choose at least one theme"))
    if len(items) > THEMES_MAX:
        raise ValueError(
            _("choose at most %(most)d themes, got %(got)d", most=THEMES_MAX, got=len(items))
        )
    known = _THEME_VALUES
    for item in items:
        if not isinstance(item, str) or item not in known:
            raise ValueError(
                _(
                    "%(item)r is not a theme; choose from %(themes)s",
                    item=item,
                    themes=", ".join(sorted(known)),
                )
            )
    return tuple(dict.fromkeys(Theme(item) for item in items))


def _tags(value: Any) -> tuple[str, ...]:
    tags = [clean_text(item, TAG_MAX).lower() for item in split_items(value)]
    if len(tags) > TAGS_MAX:
        raise ValueError(_("at most %(most)d tags, got %(got)d", most=TAGS_MAX, got=len(tags)))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _share_modes(value: Any) -> tuple[ShareMode, ...]:
    known = _SHARE_MODE_VALUES
    items = split_items(value)
    for item in items:
        if not isinstance(item, str) or item not in known:
            choices = ", ".join(mode.value for mode in ShareMode)
            raise ValueError(
                _(
                    "%(item)r is not a way to share; choose from %(choices)s",
                    item=item,
                    choices=choices,
                )
            )
    return tuple(dict.fromkeys(ShareMode(item) for item in items))


def _facilities(value: Any) -> tuple[str, ...]:
    items = [clean_text(item, FACILITY_MAX) for item in split_items(value)]
    if len(items) > FACILITIES_MAX:
        raise ValueError(
            _("at most %(most)d facilities, got %(got)d", most=FACILITIES_MAX, got=len(items))
        )
    return tuple(dict.fromkeys(item for item in items if item))


def _coordinate(name: str) -> Any:
    def check(value: Any) -> float:
        if value is None or value == "":
            raise ValueError(_("is required"))
        if isinstance(value, bool):
            raise ValueError(_("must be a number, got %(value)r", value=value))
        try:
            lon, lat = check_lon_lat(value, 0.0) if name == "lon" else check_lon_lat(0.0, value)
        except ValueError as exc:
            raise ValueError(str(exc).removeprefix(f"{name} ")) from None
        return lon if name == "lon" else lat

    return check


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on", "y"}:
        return True
    if text in {"0", "false", "no", "off", "n"}:
        return False
    raise ValueError(_("must be yes or no, got %(value)r", value=value))


def _optional_flag(value: Any) -> bool | None:
    return None if value in (None, "") else _flag(value)


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(_("must be a whole number, got %(value)r", value=value))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(_("must be a whole number, got %(value)r", value=value)) from None
    if not CAPACITY_MIN <= number <= CAPACITY_MAX:
        raise ValueError(
            _(
                "must be between %(least)d and %(most)d, got %(got)d",
                least=CAPACITY_MIN,
                most=CAPACITY_MAX,
                got=number,
            )
        )
    return number


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(_("must be a date like 2026-05-31, got %(value)r", value=value)) from None


_LANGUAGE = re.compile(LANGUAGE_PATTERN)


def language_tag(value: Any) -> str:
    """Return a well-formed BCP 47 tag in its usual case ("en-GB", "pa-Guru-IN"), British
    English when none is given, or raise ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_LANGUAGE
    if not isinstance(value, str):
        raise ValueError(_("must be text, got %(type)s", type=type(value).__name__))
    tag = value.strip().replace("_", "-")
    if len(tag) > LANGUAGE_MAX or not _LANGUAGE.match(tag):
        raise ValueError(
            _("must be a language tag, such as en-GB, cy or pl, got %(value)r", value=value)
        )
    first, *rest = tag.split("-")
    subtags = [first.lower()]
    for subtag in rest:
        if len(subtag) == 2 and subtag.isalpha():
            subtags.append(subtag.upper())
        elif len(subtag) == 4 and subtag.isalpha() and len(subtags) == 1:
            subtags.append(subtag.title())
        else:
            subtags.append(subtag.lower())
    return "-".join(subtags)


_REQUIRED = frozenset({"title", "lon", "lat", "themes"})
_CHECKS: dict[str, Any] = {
    "title": lambda v: clean_text(v, TITLE_MAX, required=True),
    "lon": _coordinate("lon"),
    "lat": _coordinate("lat"),
    "themes": _themes,
    "description": lambda v: clean_text(v, DESCRIPTION_MAX, multiline=True),
    "tags": _tags,
    "availability": lambda v: clean_text(v, SHORT_TEXT_MAX),
    "accessibility": lambda v: clean_text(v, ACCESSIBILITY_MAX, multiline=True),
    "contact": lambda v: clean_text(v, CONTACT_MAX),
    "contact_via_coach": _flag,
    "last_confirmed": _date,
    "share_modes": _share_modes,
    "meeting_pattern": lambda v: clean_text(v, SHORT_TEXT_MAX),
    "welcomes_new_members": _optional_flag,
    "opening_times": lambda v: clean_text(v, SHORT_TEXT_MAX),
    "capacity": _capacity,
    "facilities": _facilities,
    "language": language_tag,
}
