"""The columns step of an import: what the planner chose on the form, kept between requests
by column number, and when choosing may let more of a file in."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from assetmap.exchange.importing import Columns
from assetmap.exchange.importing.columns import (
    IGNORE,
    JOINED,
    TARGETS,
    kind_of,
    label,
    target_of,
)
from assetmap.exchange.importing.preview import Preview, preview
from assetmap.exchange.report import ImportReport, Outcome


def chosen_columns(
    form: Mapping[str, str], guess: Preview, errors: dict[str, str]
) -> tuple[dict[int, str], str]:
    """Return the targets the form chose otherwise than assetmap guessed, by column number,
    and the kind of rows that name none; note in ``errors`` a choice not offered, or a field
    chosen for two columns."""
    given: dict[int, str] = {}
    for number, name in enumerate(guess.names):
        field = f"column-{number}"
        try:
            given[number] = target_of(form.get(field, guess.columns.targets.get(name, IGNORE)))
        except ValueError:
            errors[field] = _("Choose a field from the list for the column %(name)s", name=name)
    first: dict[str, int] = {}
    for number, target in given.items():
        if target and target not in JOINED and first.setdefault(target, number) != number:
            earlier = guess.names[first[target]]
            errors[f"column-{number}"] = _(
                "Choose one column for %(field)s: %(earlier)s and %(later)s both give it",
                field=label(target),
                earlier=earlier,
                later=guess.names[number],
            )
    try:
        kind = kind_of(form.get("kind", ""))
    except ValueError:
        errors["kind"], kind = _("Choose a kind from the list"), ""
    changed = {
        number: target
        for number, target in given.items()
        if target != guess.columns.targets.get(guess.names[number], IGNORE)
    }
    return changed, kind


def reading(guess: Preview, chosen: dict[int, str], kind: str) -> Columns:
    """Return how to read a file whose columns are ``guess.names``, from choices by number."""
    names = guess.names
    return Columns({names[n]: t for n, t in chosen.items() if 0 <= n < len(names)}, kind)


def kept_reading(path: Path, kept: dict[str, Any]) -> Columns:
    """Return how the person chose to read the pending file's columns."""
    guess = preview(path, kept["name"])
    kind = str(kept.get("kind") or "")
    if guess is None:
        return Columns(kind=kind)
    chosen = {
        int(n): str(t)
        for n, t in (kept.get("columns") or {}).items()
        if n.isdigit() and (t in TARGETS or t == IGNORE)
    }
    return reading(guess, chosen, kind)


def confirmable(report: ImportReport) -> bool:
    """Return whether a checked file may be imported: nothing rejected, something to do."""
    return report.ok and bool(report.counts[Outcome.ADDED] or report.counts[Outcome.UPDATED])


# What a row or file may be rejected for that choosing columns, a kind or a theme can put right.
_FIXABLE = frozenset({"columns", "map", "kind", "themes"})


def may_help(report: ImportReport) -> bool:
    """Return whether the person may choose how a table's columns are read: it was read, or
    refused only for its columns, and it could be imported or was rejected for something
    choosing columns, a kind or a theme can put right."""
    if report.format not in ("csv", "geojson", "gpkg"):
        return False
    rejected = report.entries[Outcome.REJECTED]
    if any(e.where == "file" and e.field not in ("columns", "map") for e in rejected):
        return False
    return confirmable(report) or any(e.field in _FIXABLE for e in rejected)
