"""CSV cells a spreadsheet opens safely: text it would run as a formula is written quoted.

Excel, LibreOffice and Google Sheets run a cell starting with ``=``, ``+``, ``-`` or ``@``
(and, after a tab or carriage return, one of those) as a formula, which can fetch links or run
commands. Every CSV assetmap writes puts a ``'`` before such text, which a spreadsheet shows
without running it, and a CSV import takes that ``'`` off again, so the text comes back as it
was. A cell that already starts with ``'`` gets a second one, so every text survives the round
trip. Only text columns are quoted: numbers, negative ones included, stay numbers.
"""

from __future__ import annotations

import typing

from assetmap.domain.assets import AssetDraft

FORMULA_STARTS = frozenset("=+-@\t\r")
# The first characters of text written with a ``'`` before it.
QUOTED_STARTS = FORMULA_STARTS | {"'"}
_NUMBERS = {int, float, int | None, float | None}
# Columns that hold numbers: the strength's int and float fields (lon, lat, capacity), and
# the ids and distances exports add.
NUMBER_COLUMNS = frozenset(
    {name for name, hint in typing.get_type_hints(AssetDraft).items() if hint in _NUMBERS}
    | {"id", "distance_m"}
)


@typing.overload
def spreadsheet_safe(text: str) -> str: ...
@typing.overload
def spreadsheet_safe(text: None) -> None: ...
def spreadsheet_safe(text: str | None) -> str | None:
    """Return text a spreadsheet would run as a formula (or that starts with ``'``) after a
    ``'``; anything else as it is."""
    return "'" + text if text and text[:1] in QUOTED_STARTS else text


def as_written(cell: str) -> str:
    """Return a CSV cell's text as it was before ``spreadsheet_safe`` quoted it."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in QUOTED_STARTS else cell


def is_text_column(name: str) -> bool:
    """Return whether a column holds text (quoted for spreadsheets) rather than numbers."""
    return name not in NUMBER_COLUMNS


def csv_cell(name: str, value: typing.Any) -> typing.Any:
    """Return a value for a CSV writer: text in a text column made spreadsheet-safe."""
    if isinstance(value, str) and name not in NUMBER_COLUMNS:
        return spreadsheet_safe(value)
    return value
