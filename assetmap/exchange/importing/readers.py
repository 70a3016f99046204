"""Readers of CSV, GeoJSON and GeoPackage files: each yields numbered records."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from assetmap.domain.i18n import _, ngettext
from assetmap.exchange import geojson
from assetmap.exchange.importing.columns import ColumnMap, Columns
from assetmap.exchange.importing.records import (
    FileProblem,
    Noted,
    Record,
    TextRows,
    read_columns,
    record,
)

csv.field_size_limit(1 << 20)


def read_csv(
    path: Path, columns: Columns | None = None, noted: Noted | None = None
) -> Iterator[Record]:
    """Yield a record per data row, its columns read as ``columns`` says (and ``noted``);
    row 1 is the header, as a spreadsheet numbers them.

    Blank lines are passed over without a number, as ``csv.DictReader`` does.
    """
    with path.open("rb") as raw:
        encoding = encoding_of(raw.read(4))
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        number = 1
        try:
            reader = csv.reader(text)
            header = next(reader, [])
            rows = TextRows(header, _noted(read_columns(header, columns), noted))
            for number, cells in enumerate(filter(None, reader), start=2):
                if len(cells) > rows.width:
                    yield _extra_cells(number, len(cells) - rows.width)
                    continue
                yield rows.record(f"row {number}", cells)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                "encoding",
                _(
                    "is not UTF-8 text (%(reason)s at byte %(byte)s, near row %(row)s); "
                    "save the file as CSV UTF-8",
                    reason=exc.reason,
                    byte=exc.start,
                    row=number + 1,
                ),
            ) from None
        except csv.Error as exc:
            raise FileProblem(
                "file",
                _("is not CSV a reader can follow: %(error)s", error=str(exc)),
                where=f"row {number + 1}",
            ) from None


def _noted(found: ColumnMap, noted: Noted | None) -> ColumnMap:
    if noted is not None:
        noted(found)
    return found


def encoding_of(head: bytes) -> str:
    """Return the text encoding a CSV file starting with ``head`` is read in."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _extra_cells(number: int, extra: int) -> Record:
    found = Record(f"row {number}", {})
    found.errors["row"] = ngettext(
        "has %(num)d more cell than the header has columns",
        "has %(num)d more cells than the header has columns",
        extra,
    )
    return found


def load_json(path: Path) -> Any:
    """Return a JSON file's document, or raise FileProblem saying where it breaks."""
    data = path.read_bytes()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise FileProblem("file", _("is not valid JSON: %(error)s", error=str(exc))) from None


def is_geojson(document: Any) -> bool:
    """Return whether a JSON document is GeoJSON (a FeatureCollection or a Feature)."""
    return isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature")


def read_geojson(
    document: Any, columns: Columns | None = None, noted: Noted | None = None
) -> Iterator[Record]:
    """Yield a record per feature of a GeoJSON document, checked against RFC 7946, its
    properties read as ``columns`` says (and ``noted``)."""
    try:
        geojson.check_crs(document)
    except geojson.GeometryError as exc:
        raise FileProblem(exc.field, exc.reason) from None
    if document.get("type") == "Feature":
        features: Any = [document]
    else:
        features = document.get("features")
        if not isinstance(features, list):
            raise FileProblem("features", _("a FeatureCollection's features must be a list"))
    found = read_columns(property_names(features), columns, has_geometry=True)
    _noted(found, noted)
    for number, feature in enumerate(features, start=1):
        yield _feature(f"feature {number}", feature, found)


def property_names(features: list[Any]) -> list[str]:
    """Return the names of the features' properties, in the order they first appear."""
    names: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            names.update(dict.fromkeys(properties))
    return list(names)


def _feature(where: str, feature: Any, columns: ColumnMap) -> Record:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        found = Record(where, {})
        found.errors["type"] = _("must be a GeoJSON Feature object")
        return found
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        properties = {}
    found = record(where, properties, columns)
    if not found.source_id and feature.get("id") not in (None, ""):
        found.source_id = str(feature["id"])
    try:
        lon, lat = geojson.point_of(geojson.geometry(feature.get("geometry")))
    except geojson.GeometryError as exc:
        found.errors[exc.field] = exc.reason
        return found
    found.values.update(lon=lon, lat=lat)
    return found


def gpkg_layer(path: Path) -> tuple[str, int]:
    """Return a GeoPackage's first feature table and how many rows it holds.

    The file is read with SQLite alone, read-only, before GDAL opens it. A layer that is a view
    (which a few bytes of SQL can make endless) or anything else but a table is refused.
    """
    try:
        with contextlib.closing(_read_only(path)) as connection:
            contents = connection.execute(
                "SELECT c.table_name, c.data_type, m.type, m.sql FROM gpkg_contents AS c "
                "LEFT JOIN sqlite_master AS m ON m.name = c.table_name ORDER BY c.rowid"
            ).fetchall()
            for name, _type, kind, sql in contents:
                _check_table(str(name), kind, sql)
            features = [str(name) for name, data_type, *_ in contents if data_type == "features"]
            if not features:
                names = ", ".join(str(name) for name, *_ in contents) or "none"
                raise FileProblem(
                    "geometry", f"the GeoPackage has no layer with geometry (layers: {names})"
                )
            quoted = features[0].replace('"', '""')
            rows = connection.execute(f'SELECT count(*) FROM "{quoted}"').fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise FileProblem(
            "file", _("is not a GeoPackage SQLite can read: %(error)s", error=str(exc))
        ) from None
    return features[0], int(rows)


def _read_only(path: Path) -> sqlite3.Connection:
    # immutable: no locks, no journal; the upload is never written to.
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def _check_table(name: str, kind: str | None, sql: str | None) -> None:
    virtual = (sql or "").lstrip().upper().startswith("CREATE VIRTUAL")
    if kind == "table" and not virtual:
        return
    what = "a virtual table" if kind == "table" else (f"a {kind}" if kind else "missing")
    raise FileProblem(
        "layers",
        f"layer {name!r} is {what}, not a table: assetmap imports a GeoPackage's feature "
        "tables only; save the layer as a table and check the file again",
    )


def read_gpkg(
    path: Path, layer: str, columns: Columns | None = None, noted: Noted | None = None
) -> Iterator[Record]:
    """Yield a record per feature of a GeoPackage's ``layer`` (see ``gpkg_layer``), in WGS84,
    its columns read as ``columns`` says (and ``noted``)."""
    import pyogrio
    import shapely

    info = pyogrio.read_info(path, layer=layer)
    frame = pyogrio.read_dataframe(path, layer=layer)
    names = [c for c in frame.columns if c != frame.geometry.name]
    found_columns = _noted(read_columns(names, columns, has_geometry=True), noted)
    if info["crs"] is None:
        _check_degrees(frame)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    flags = {
        name
        for name, subtype in zip(info["fields"], info["ogr_subtypes"], strict=True)
        if subtype == "OFSTBoolean"
    }
    for number, (values, shape) in enumerate(
        zip(frame[names].itertuples(index=False, name=None), frame.geometry, strict=True), start=1
    ):
        row = {n: _plain(v, n in flags) for n, v in zip(names, values, strict=True)}
        found = record(f"feature {number}", row, found_columns)
        if shape is None or shape.is_empty:
            found.errors["geometry"] = _("is empty: a strength needs a point or an area")
        elif shape.geom_type not in ("Point", "Polygon", "MultiPolygon"):
            found.errors["geometry"] = _(
                "must be a point or an area, got %(got)s", got=shape.geom_type
            )
        else:
            lon, lat = geojson.point_of(shapely.force_2d(shape))
            found.values.update(lon=lon, lat=lat)
        yield found


def _check_degrees(frame: Any) -> None:
    bounds = frame.total_bounds
    if geojson.projected_hint(float(bounds[0]), float(bounds[1])):
        raise FileProblem(
            "crs",
            "the layer declares no CRS and its coordinates look like metres of a projected CRS, "
            "not WGS84 longitude and latitude; set its CRS or reproject it to EPSG:4326",
        )


def _plain(value: Any, flag: bool) -> Any:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            return value
    if flag and isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return value
