"""What every reader yields: numbered records of loose asset fields, and file-level problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assetmap.domain.schedules import Schedule
from assetmap.exchange.cells import as_written, is_text_column
from assetmap.exchange.importing.columns import SOURCE_ID, ColumnMap, Columns, check, resolve


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
    reason it is not a strength at all (an unnamed park in an OpenStreetMap extract);
    ``schedules``, where the file gives them as such (HSDS), when a group meets or a space opens;
    ``assured``, where the file says so (HSDS's ``assured_date``), when its source last
    confirmed it is right.
    """

    where: str
    values: dict[str, Any]
    source: str = ""
    source_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    skip: str = ""
    schedules: list[Schedule] = field(default_factory=list)
    assured: dt.date | None = None


def read_columns(
    names: Sequence[str], columns: Columns | None, *, has_geometry: bool = False
) -> ColumnMap:
    """Return how a file with these columns is read (see ``columns.resolve``); raise
    FileProblem for a choice naming no column, or when no column gives a field rows need."""
    try:
        found = resolve(names, columns, has_geometry=has_geometry)
        check(found, names, has_geometry=has_geometry)
    except ValueError as exc:
        name, _, reason = str(exc).partition(": ")
        if name != "map":
            name, reason = "columns", str(exc)
        raise FileProblem(name, reason) from None
    return found


# Told how a file's columns are read, once its header is known.
Noted = Callable[[ColumnMap], None]


def record(where: str, raw: Mapping[str, Any], columns: ColumnMap) -> Record:
    """Return a record from a row of values named by the file's columns, empty ones left out."""
    return _identified(Record(where, columns.values(raw)))


class TextRows:
    """Records from rows of text cells (a CSV file's) under one header, read once per file.

    A row's cells are matched to fields by position; where the header names a column twice,
    its last cell counts, as with a dictionary of the row. A text cell that a spreadsheet-safe
    export quoted (``'=…``) is read as it was written (see ``exchange.cells``).
    """

    def __init__(self, header: Sequence[str], columns: ColumnMap) -> None:
        last = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.columns = columns
        self.fields = [
            (last[name], target, is_text_column(target)) for name, target in columns.targets.items()
        ]

    def record(self, where: str, cells: list[str]) -> Record:
        """Return the record of one row with no more cells than the header; blank cells are
        left out."""
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        values: dict[str, Any] = {}
        for i, key, text in self.fields:
            cell = cells[i]
            if not cell or cell.isspace():
                continue
            if text and cell[0] == "'":
                cell = as_written(cell)
            # Only a joined field (contact) is given by more than one column.
            values[key] = f"{values[key]}; {cell}" if key in values else cell
        return _identified(Record(where, self.columns.finish(values)))


def _identified(found: Record) -> Record:
    values = found.values
    found.source = str(values.pop("source", "") or "")
    found.source_id = _text_id(values.pop(SOURCE_ID, ""))
    return found


def _text_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value not in (None, "") else ""
