"""What every reader yields: numbered records of loose asset fields, and file-level problems."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetmap.domain.assets import FIELD_NAMES
from assetmap.exchange.cells import as_written, is_text_column

# Columns an assetmap export writes that are not fields of an asset: read or ignored.
ID_COLUMNS = frozenset({"id", "source", "source_id"})
IGNORED_COLUMNS = frozenset({"neighbourhood", "updated_at"})
ALIASES = {"longitude": "lon", "lng": "lon", "long": "lon", "latitude": "lat"}
REQUIRED_COLUMNS = ("kind", "title", "lon", "lat")
KNOWN_COLUMNS = frozenset(FIELD_NAMES) | ID_COLUMNS | IGNORED_COLUMNS


class FileProblem(ValueError):
    """The file as a whole can't be read: wrong type, broken, too large, wrong columns."""

    def __init__(self, field: str, reason: str, where: str = "file") -> None:
        super().__init__(f"{where}: {field}: {reason}")
        self.where, self.field, self.reason = where, field, reason


@dataclass
class Record:
    """One row or feature: where it is in the file, and the asset fields it gives.

    ``source`` and ``source_id`` are set where the file itself says where the strength came
    from; ``errors`` are problems found while reading it (a bad geometry, say); ``skip`` is a
    reason it is not a strength at all (an unnamed park in an OpenStreetMap extract).
    """

    where: str
    values: dict[str, Any]
    source: str = ""
    source_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    skip: str = ""


@functools.lru_cache(maxsize=512)
def column_name(name: str) -> str:
    """Return a column name as assetmap reads it: trimmed, lower case, aliases resolved."""
    key = name.strip().lower()
    return ALIASES.get(key, key)


def check_columns(names: Iterable[str], *, has_geometry: bool = False) -> None:
    """Refuse a table whose columns miss a required field or name an unknown one."""
    present = [column_name(name) for name in names]
    required = [n for n in REQUIRED_COLUMNS if not (has_geometry and n in ("lon", "lat"))]
    missing = [n for n in required if n not in present]
    unknown = [
        n for n in present if n not in KNOWN_COLUMNS and not (has_geometry and n == "geometry")
    ]
    if missing:
        raise FileProblem(
            "columns", f"missing {', '.join(missing)}; the file has {', '.join(present) or 'none'}"
        )
    if unknown:
        raise FileProblem(
            "columns",
            f"{', '.join(unknown)} {'is not a field' if len(unknown) == 1 else 'are not fields'} "
            f"of a strength; columns are {', '.join(sorted(FIELD_NAMES))} (and id, source, "
            "source_id)",
        )


def record(where: str, raw: Mapping[str, Any]) -> Record:
    """Return a record from a row of named values, empty values left out."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        key = column_name(str(name))
        if _is_empty(value) or key in IGNORED_COLUMNS:
            continue
        values[key] = value
    return _identified(Record(where, values))


class TextRows:
    """Records from rows of text cells (a CSV file's) under one header, read once per file.

    A row's cells are matched to fields by position; where the header names a column twice,
    its last cell counts, as with a dictionary of the row. A text cell that a spreadsheet-safe
    export quoted (``'=…``) is read as it was written (see ``exchange.cells``).
    """

    def __init__(self, header: Sequence[str]) -> None:
        last = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.fields = [
            (last[name], column_name(name), is_text_column(column_name(name)))
            for name in dict.fromkeys(header)
            if column_name(name) not in IGNORED_COLUMNS
        ]

    def record(self, where: str, cells: list[str]) -> Record:
        """Return the record of one row with no more cells than the header; blank cells are
        left out."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        values = {
            key: as_written(cell) if text and cell[0] == "'" else cell
            for i, key, text in self.fields
            if (cell := cells[i]) and not cell.isspace()
        }
        return _identified(Record(where, values))


def _identified(found: Record) -> Record:
    values = found.values
    found.source = str(values.pop("source", "") or "")
    found.source_id = _text_id(values.pop("source_id", "")) or _text_id(values.pop("id", ""))
    values.pop("id", None)
    return found


def _text_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value not in (None, "") else ""


def _is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, str):
        return value.isspace()
    return isinstance(value, float) and math.isnan(value)
