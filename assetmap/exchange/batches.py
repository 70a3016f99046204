"""Batches of public rows made into GeoJSON features or CSV cells, with little Python per row.

An export of a million assets spends most of its time here and in reading rows, so each batch
is made in one comprehension that unpacks a row into locals, GeoJSON takes one ``orjson.dumps``
per batch (a call per feature costs more than the feature), and Python's cyclic garbage
collector is held off while a batch is made (see ``exchange.gc_pause``).

Both comprehensions are written out from the field table (``domain.fields``) when this module
is imported, an expression per column chosen by the field's type, as ``dataclasses`` writes an
``__init__``: a loop over the table per row would add a third to the export's time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from assetmap.domain.fields import BY_NAME, EXPORT_COLUMNS, PROPERTY_COLUMNS, FieldType
from assetmap.domain.geojson import FEATURE_EXPRESSION
from assetmap.exchange.cells import QUOTED_STARTS, spreadsheet_safe
from assetmap.exchange.gc_pause import collector_paused
from assetmap.storage.exports import flag, iso_time, items

Rows = Sequence[Sequence[Any]]

# How a value of each type of field goes into a GeoJSON feature and into a CSV cell. Lists
# are stored as JSON text and go into the document as they are; orjson writes a date
# (PostgreSQL's last_confirmed) as YYYY-MM-DD, as SQLite holds it. Only a text cell whose first
# character needs it is passed to spreadsheet_safe: a call for every cell would add half again
# to the export's time.
_AS_JSON: dict[FieldType, str] = {
    "list": "fragment({v})",
    "ids": "fragment({v}) if {v} else None",
    "flag": "flag({v})",
    "time": "iso_time({v})",
}
_AS_CELL: dict[FieldType, str] = {
    "kind": "{v} if {v}[:1] not in starts else safe({v})",
    "text": "{v} if {v}[:1] not in starts else safe({v})",
    "optional_text": "safe({v}) if {v} and {v}[:1] in starts else {v}",
    "list": "cell[{v}]",
    "ids": '{v}[1:-1] if {v} else ""',
    "flag": '"" if {v} is None else ("yes" if {v} else "no")',
    "time": "iso_time({v})",
}
_NAMES = {"fragment": orjson.Fragment, "flag": flag, "iso_time": iso_time}


def _value(name: str, shapes: dict[FieldType, str]) -> str:
    return shapes.get(BY_NAME[name].type, "{v}").format(v=f"v_{name}")


def _compiled(name: str, body: str, arguments: str) -> Callable[..., list[Any]]:
    """Return a function ``name(arguments)`` returning ``body`` for each of ``rows``."""
    unpacked = ", ".join(f"v_{column}" for column in EXPORT_COLUMNS)
    source = f"def {name}({arguments}):\n    return [{body} for ({unpacked}) in rows]\n"
    namespace = dict(_NAMES)
    exec(compile(source, f"<assetmap.exchange.batches.{name}>", "exec"), namespace)
    made: Callable[..., list[Any]] = namespace[name]  # type: ignore[assignment]
    return made


_PROPERTIES = ", ".join(f"{name!r}: {_value(name, _AS_JSON)}" for name in PROPERTY_COLUMNS)
_FEATURE = FEATURE_EXPRESSION.format(
    feature_id="v_id", lon="v_lon", lat="v_lat", properties=f"{{{_PROPERTIES}}}"
)
_features = _compiled("_features", _FEATURE, "rows")
_csv_cells = _compiled(
    "_csv_cells",
    "(" + ", ".join(_value(name, _AS_CELL) for name in EXPORT_COLUMNS) + ",)",
    "rows, cell, safe, starts",
)


def features_json(rows: Rows) -> bytes:
    """Return rows (``EXPORT_COLUMNS`` in order) as GeoJSON features on one line, comma-joined.

    A line per feature would take a pass over the bytes costing a tenth of the export.
    """
    with collector_paused():
        return orjson.dumps(_features(rows))[1:-1]


class _Joined(dict[str | None, str]):
    """A list column's JSON text as a spreadsheet-safe CSV cell holds it, remembered: most
    rows repeat a few."""

    LIMIT = 10_000

    def __missing__(self, text: str | None) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        joined = self[text] = spreadsheet_safe(",".join(items(text)))
        return joined


def csv_cells(rows: Rows, joined: dict[str | None, str] | None = None) -> list[tuple[Any, ...]]:
    """Return rows as CSV cells hold them: lists joined by commas, yes/no flags, ISO dates,
    and every text cell spreadsheet-safe (see ``exchange.cells``); numbers stay numbers.

    ``joined`` remembers list cells from one batch to the next (see ``joiner``). A date
    (PostgreSQL's last_confirmed) is written by the CSV writer as YYYY-MM-DD.
    """
    cell = joiner() if joined is None else joined
    return _csv_cells(rows, cell, spreadsheet_safe, QUOTED_STARTS)


def joiner() -> dict[str | None, str]:
    """Return an empty memo of list cells for ``csv_cells``, bounded in size."""
    return _Joined()
