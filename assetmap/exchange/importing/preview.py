"""A table file's columns and its first rows, for a person to say how its columns are read."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assetmap.exchange.cells import as_written
from assetmap.exchange.importing import readers
from assetmap.exchange.importing.columns import ColumnMap, Columns, resolve
from assetmap.exchange.importing.detect import detect
from assetmap.exchange.importing.records import FileProblem

PREVIEW_ROWS = 5
CELL_CHARS = 60


@dataclass(frozen=True)
class Preview:
    """A table's columns, the first ``PREVIEW_ROWS`` rows' cells (as short text) by column,
    and how the columns would be read."""

    names: list[str]
    samples: list[list[str]]
    columns: ColumnMap

    def gives(self, target: str) -> bool:
        """Return whether some column of the file is read as ``target``."""
        return target in self.columns.targets.values()


def preview(path: Path, name: str, columns: Columns | None = None) -> Preview | None:
    """Return the columns and first rows of a CSV, GeoJSON or GeoPackage file; None for any
    other file, or one that can't be read (its import report says why)."""
    try:
        table = _table(path, name)
    except (FileProblem, OSError, UnicodeDecodeError, csv.Error, ValueError):
        return None
    if table is None:
        return None
    names, rows, has_geometry = table
    try:
        found = resolve(names, columns, has_geometry=has_geometry)
    except ValueError:
        found = resolve(names, None, has_geometry=has_geometry)
    samples = [[_short(row.get(n)) for row in rows] for n in names]
    return Preview(names, samples, found)


Table = tuple[list[str], list[dict[str, Any]], bool]


def _table(path: Path, name: str) -> Table | None:
    fmt = detect(path, name)
    if fmt == "csv":
        return _csv(path)
    if fmt == "gpkg":
        return _gpkg(path)
    if fmt != "json":
        return None
    document = readers.load_json(path)
    if not readers.is_geojson(document):
        return None
    features = document.get("features") if document.get("type") != "Feature" else [document]
    if not isinstance(features, list):
        return None
    names = readers.property_names(features)
    rows = [_properties(f) for f in features[:PREVIEW_ROWS]]
    return names, rows, True


def _csv(path: Path) -> Table:
    with path.open("rb") as raw:
        encoding = readers.encoding_of(raw.read(4))
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        reader = csv.reader(text)
        header = list(dict.fromkeys(next(reader, [])))
        rows = [
            dict(zip(header, map(as_written, cells), strict=False))
            for cells in _first(filter(None, reader))
        ]
    return header, rows, False


def _gpkg(path: Path) -> Table:
    import pyogrio

    layer, _ = readers.gpkg_layer(path)
    frame = pyogrio.read_dataframe(
        path, layer=layer, max_features=PREVIEW_ROWS, read_geometry=False
    )
    names = [str(c) for c in frame.columns if c != "geometry"]
    return names, frame[names].to_dict("records"), True


def _first(rows: Iterable[list[str]]) -> list[list[str]]:
    return list(itertools.islice(rows, PREVIEW_ROWS))


def _properties(feature: Any) -> dict[str, Any]:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties if isinstance(properties, dict) else {}


def _short(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"
