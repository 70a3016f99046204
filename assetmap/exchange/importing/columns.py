"""How a file's own column names become a strength's fields.

Lists kept by other systems never use assetmap's names: an open-data layer of community centres
has ``NAME``, ``OBJECTID`` and ``WARD_NAME``; a spreadsheet has ``x``, ``y`` and ``Telephone``.
``ALIASES`` recognises the usual names; ``Columns`` is what the person chose for the rest (a
field or nothing for a column, and the kind of rows that name none); ``resolve`` makes the one
``ColumnMap`` every reader applies to a file's rows. A column that is neither recognised nor
chosen is ignored and listed as such, never a reason to refuse a row.

What assetmap guessed it adapts to each row's kind; what the person chose it takes as chosen.
A guessed website, phone or email is a group's or space's contact, and left out of a skill (a
person's number is theirs to give); guessed opening hours are a space's opening times, a
group's meeting pattern and a skill's availability.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetmap.domain.assets import FIELD_NAMES
from assetmap.domain.i18n import N_, _, lazy, ngettext
from assetmap.domain.vocab import Kind

IGNORE = ""
SOURCE_ID = "source_id"
# What a column may give: a field of a strength, or where it came from; or, as an export
# writes it, when a group meets or a space opens in words, read with its note beside it.
SCHEDULE = "schedule"
TARGETS = (*FIELD_NAMES, SOURCE_ID, "source", SCHEDULE)
TARGET_LABELS = {
    SOURCE_ID: lazy("the source's own id"),
    "source": lazy("the source's name"),
    SCHEDULE: lazy("when it meets or opens, in words"),
}
# Fields several columns may fill at once: their cells are joined.
JOINED = frozenset({"contact"})
REQUIRED = ("kind", "title", "lon", "lat")
# A layer's geometry column, squashed (see ``squashed``), where the layer's geometry is read.
GEOMETRY_NAMES = frozenset({"geometry", "geom", "shape", "wkbgeometry", "thegeom"})
_NAMES_BY_TARGET: dict[str, tuple[str, ...]] = {
    "title": (
        "title",
        "name",
        "site_name",
        "venue_name",
        "organisation_name",
        "organization_name",
        "group_name",
        "place_name",
    ),
    "lon": ("lon", "longitude", "lng", "long", "x"),
    "lat": ("lat", "latitude", "y"),
    "description": ("description", "desc", "summary", "about"),
    "themes": ("themes", "theme"),
    "tags": ("tags", "keywords"),
    "accessibility": ("accessibility", "disabled_access", "wheelchair_access"),
    "contact": (
        "contact",
        "website",
        "web_site",
        "web",
        "url",
        "www",
        "web_address",
        "homepage",
        "phone",
        "telephone",
        "tel",
        "phone_number",
        "telephone_number",
        "contact_number",
        "email",
        "email_address",
        "e_mail",
    ),
    "opening_times": ("opening_times", "opening_hours", "hours"),
    "meeting_pattern": ("meeting_pattern", "meeting_times"),
    "facilities": ("facilities", "amenities"),
    SOURCE_ID: ("source_id", "id", "objectid", "fid", "ogc_fid", "gid", "uid", "identifier"),
}
# Where a guessed opening hours column goes for each kind.
_HOURS = {"space": "opening_times", "group": "meeting_pattern", "skill": "availability"}


def squashed(name: str) -> str:
    """Return a column name as compared: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).casefold())


def _aliases() -> dict[str, tuple[str, int]]:
    table: dict[str, tuple[str, int]] = {}
    for target in TARGETS:
        table[squashed(target)] = (target, 0)
    for target, names in _NAMES_BY_TARGET.items():
        for rank, name in enumerate(names):
            table.setdefault(squashed(name), (target, rank))
    return table


# A recognised name (squashed) -> the target it gives and its rank among that target's names.
ALIASES = _aliases()


@dataclass(frozen=True)
class Columns:
    """What the person chose: a target (or ``IGNORE``) for some of a file's columns, by name,
    and the kind of rows that name none."""

    chosen: Mapping[str, str] = field(default_factory=dict)
    kind: str = ""

    @classmethod
    def parse(cls, maps: Iterable[str], kind: str = "") -> Columns:
        """Return the choices given as ``SOURCE=FIELD`` texts (``FIELD`` empty or ``ignore``
        to leave a column out); raise ValueError naming a bad one."""
        chosen: dict[str, str] = {}
        for text in maps:
            source, equals, target = text.partition("=")
            if not equals or not source.strip():
                raise ValueError(f"map: expected SOURCE=FIELD, got {text!r}")
            chosen[source.strip()] = target_of(target)
        return cls(chosen, kind_of(kind))


def target_of(text: str) -> str:
    """Return the target a person named (``id`` is the source's id; ``ignore`` or nothing is
    ``IGNORE``); raise ValueError naming the choices."""
    name = text.strip().lower()
    if name in ("", "ignore"):
        return IGNORE
    if name == "id":
        return SOURCE_ID
    if name not in TARGETS:
        raise ValueError(
            f"map: {text.strip()!r} is not a field of a strength; choose from "
            f"{', '.join(TARGETS)}, or ignore"
        )
    return name


def kind_of(text: str) -> str:
    """Return a kind for rows that name none, or ``""``; raise ValueError naming the kinds."""
    name = text.strip().lower()
    if name and name not in {k.value for k in Kind}:
        raise ValueError(f"kind: must be one of {', '.join(k.value for k in Kind)}, got {text!r}")
    return name


@dataclass(frozen=True)
class ColumnMap:
    """How one file's columns are read: the target of each column read, and those ignored.

    ``adapted`` are the targets assetmap guessed that it adapts to each row's kind.
    """

    targets: dict[str, str]
    ignored: tuple[str, ...] = ()
    kind: str = ""
    adapted: frozenset[str] = frozenset()

    def values(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Return a row's values by target, empty cells left out, joined targets joined."""
        values: dict[str, Any] = {}
        for name, value in row.items():
            target = self.targets.get(name)
            if target is None or is_empty(value):
                continue
            if target in values and target in JOINED:
                values[target] = f"{values[target]}; {value}"
            else:
                values[target] = value
        return self.finish(values)

    def finish(self, values: dict[str, Any]) -> dict[str, Any]:
        """Give a row the chosen kind where it names none, and adapt guessed targets to it."""
        if self.kind and "kind" not in values:
            values["kind"] = self.kind
        if not self.adapted:
            return values
        kind = str(values.get("kind", "")).strip().lower()
        if "contact" in self.adapted and kind == Kind.SKILL.value:
            values.pop("contact", None)
        hours = _HOURS.get(kind)
        if "opening_times" in self.adapted and hours and "opening_times" in values:
            values.setdefault(hours, values.pop("opening_times"))
        return values

    def gives(self, target: str) -> bool:
        """Return whether some column (or the chosen kind) gives ``target``."""
        return target in self.targets.values() or (target == "kind" and bool(self.kind))

    def lines(self) -> list[str]:
        """Return what a report says of the columns: which were read as what, which ignored."""
        read: dict[str, list[str]] = {}
        for name, target in self.targets.items():
            if squashed(name) != squashed(target):
                read.setdefault(target, []).append(name)
        lines: list[str] = []
        if read:
            parts = [
                _("%(columns)s as %(field)s", columns=" and ".join(names), field=label(t))
                for t, names in read.items()
            ]
            lines.append(_("Columns read as assetmap's fields: %(parts)s.", parts="; ".join(parts)))
        if self.kind:
            lines.append(_(KIND_OF_ROWS[self.kind]) if self.kind in KIND_OF_ROWS else self.kind)
        if "contact" in self.adapted:
            lines.append(_("A skill's website, phone or email is left out: it is the person's."))
        if self.ignored:
            lines.append(_("Columns ignored: %(names)s.", names=", ".join(self.ignored)))
        return lines


# What the report says of the kind chosen for rows that name none.
KIND_OF_ROWS = {
    "skill": N_("Rows that name no kind are each a skill."),
    "group": N_("Rows that name no kind are each a group."),
    "space": N_("Rows that name no kind are each a space."),
}


def label(target: str) -> str:
    """Return a target as a person reads it: a field by its name, as files and exports name
    it; the others in words."""
    return str(TARGET_LABELS.get(target, target))


def resolve(
    names: Sequence[str], columns: Columns | None = None, *, has_geometry: bool = False
) -> ColumnMap:
    """Return how a file with these columns is read: the person's choices first, then each
    target from its best-ranked recognised name; the rest ignored.

    With ``has_geometry`` the geometry gives the place, so columns for ``lon`` and ``lat``
    are ignored. Raise ValueError for a choice naming no column of the file.
    """
    columns = columns or Columns()
    names = list(dict.fromkeys(str(n) for n in names))
    chosen = _chosen(names, columns)
    taken = {t for t in chosen.values() if t and t not in JOINED}
    best: dict[str, tuple[int, str]] = {}
    joined: dict[str, str] = {}
    for name in names:
        if name in chosen or _is_geometry(name, has_geometry):
            continue
        target, rank = ALIASES.get(squashed(name), (IGNORE, 0))
        if not target or target in taken or (has_geometry and target in ("lon", "lat")):
            continue
        if target in JOINED:
            joined[name] = target
        elif target not in best or rank < best[target][0]:
            best[target] = (rank, name)
    guessed = {name: target for target, (_, name) in best.items()} | joined
    targets = {n: t for n, t in chosen.items() if t} | guessed
    targets = {n: targets[n] for n in names if n in targets}
    ignored = [n for n in names if n not in targets and not _is_geometry(n, has_geometry)]
    adapted = {
        t
        for n, t in guessed.items()
        if t in ("contact", "opening_times") and squashed(n) != squashed(t)
    }
    adapted -= {t for n, t in targets.items() if n not in guessed or squashed(n) == squashed(t)}
    return ColumnMap(targets, tuple(ignored), columns.kind, frozenset(adapted))


def _is_geometry(name: str, has_geometry: bool) -> bool:
    return has_geometry and squashed(name) in GEOMETRY_NAMES


def _chosen(names: list[str], columns: Columns) -> dict[str, str]:
    """Return the person's choices keyed by the file's own column names."""
    by_squash = {squashed(n): n for n in reversed(names)}
    found: dict[str, str] = {}
    for source, target in columns.chosen.items():
        name = source if source in names else by_squash.get(squashed(source))
        if name is None:
            said = _(
                "the file has no column %(source)r; its columns are %(names)s",
                source=source,
                names=", ".join(names),
            )
            raise ValueError(f"map: {said}")
        found[name] = target
    twice = [t for t in set(found.values()) if t and t not in JOINED and _count(found, t) > 1]
    if twice:
        said = _(
            "%(fields)s can come from one column only; choose one column for each",
            fields=", ".join(sorted(twice)),
        )
        raise ValueError(f"map: {said}")
    return found


def _count(found: Mapping[str, str], target: str) -> int:
    return sum(1 for t in found.values() if t == target)


def check(found: ColumnMap, names: Sequence[str], *, has_geometry: bool = False) -> None:
    """Raise ValueError when no column gives a field every row needs."""
    needed = [t for t in REQUIRED if not (has_geometry and t in ("lon", "lat"))]
    missing = [t for t in needed if not found.gives(t)]
    if missing:
        values = {
            "missing": ", ".join(missing),
            "names": ", ".join(map(str, names)) or _("no columns"),
        }
        if "kind" in missing:
            said = ngettext(
                "missing %(missing)s: no column gives it (the file has %(names)s); choose the "
                "column that gives each, or the kind of every row",
                "missing %(missing)s: no column gives them (the file has %(names)s); choose the "
                "column that gives each, or the kind of every row",
                len(missing),
                **values,
            )
        else:
            said = ngettext(
                "missing %(missing)s: no column gives it (the file has %(names)s); choose the "
                "column that gives each",
                "missing %(missing)s: no column gives them (the file has %(names)s); choose the "
                "column that gives each",
                len(missing),
                **values,
            )
        raise ValueError(said)


def is_empty(value: Any) -> bool:
    """Return whether a cell holds nothing: None, blank text or NaN."""
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return value.isspace()
    return isinstance(value, float) and value != value
