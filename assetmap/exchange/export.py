"""Exports of the public register: GeoJSON, CSV, GeoPackage and Open Referral HSDS.

Each format is a generator that takes batches of public rows (``storage.exports.public_rows``)
and yields bytes as each batch is made, so memory holds one batch whatever the size of the
register: ``services.exports`` writes them to a binary file or hands them to a web response.
Coordinates are WGS84 longitude and latitude; a skill is at its generalised point.

Every strength carries a stable public id in ``source`` and ``source_id``: where it came from
and its id there, or, for a strength first added here, this register's name (``register_name``)
and its id here. An import into this register recognises its own strengths by it, so exporting
and importing again changes nothing; an import into another register keeps it as the
strength's origin.
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from assetmap.domain.fields import BY_NAME, EXPORT_COLUMNS, PROPERTY_COLUMNS
from assetmap.domain.i18n import lazy
from assetmap.exchange import hsds
from assetmap.exchange.batches import csv_cells, features_json, joiner
from assetmap.exchange.gc_pause import collector_paused
from assetmap.storage.exports import LAT, LON, Batch, flag, iso_date, iso_time, items

Batches = Iterable[Sequence[Sequence[Any]]]
PROPERTY_FIELDS = PROPERTY_COLUMNS
_KIND = EXPORT_COLUMNS.index("kind")
# How a column of each type of field becomes a plain value (see ``public_asset``).
_PLAIN: dict[str, Callable[[Any], Any]] = {
    "list": items,
    "ids": items,
    "flag": flag,
    "date": iso_date,
    "time": iso_time,
}
_TO_PLAIN = tuple(
    (i, _PLAIN[BY_NAME[name].type])
    for i, name in enumerate(EXPORT_COLUMNS)
    if BY_NAME[name].type in _PLAIN
)
GPKG_LAYER = "assets"
# Rows read at a time. A few hundred keep a batch's objects in the CPU's caches, which makes
# GeoJSON and CSV faster than batches of thousands; each GeoPackage batch opens the file, so
# its batches are larger, but a row read holds about 2 KB: at 200,000 strengths, batches of
# 5,000 rather than 10,000 took the whole command's peak from 262 to 247 MB in the same time.
BATCH_SIZE = 250
BATCH_SIZES = {"gpkg": 5_000}


@dataclass(frozen=True)
class Format:
    """An export format: its name, the file name it suggests and its media type."""

    name: str
    label: str
    suffix: str
    media_type: str


FORMATS = {
    f.name: f
    for f in (
        Format("geojson", lazy("GeoJSON (RFC 7946)"), ".geojson", "application/geo+json"),
        Format("csv", lazy("CSV with lon and lat columns"), ".csv", "text/csv; charset=utf-8"),
        Format("gpkg", lazy("GeoPackage"), ".gpkg", "application/geopackage+sqlite3"),
        Format(
            "hsds",
            lazy("Open Referral HSDS 3.0 (groups and spaces)"),
            ".json",
            "application/json",
        ),
    )
}


# Community fund awards in the 360Giving Data Standard (``exchange.threesixtygiving``): funded
# projects, not strengths, so not among FORMATS (the register's exports), but the export
# command writes them too.
AWARD_FORMATS = {
    f.name: f
    for f in (
        Format(
            "360giving", lazy("360Giving JSON (community fund awards)"), ".json", "application/json"
        ),
        Format(
            "360giving-csv",
            lazy("360Giving CSV (community fund awards)"),
            ".csv",
            "text/csv; charset=utf-8",
        ),
    )
}


def register_name(public_url: str) -> str:
    """Return the name this register gives its own strengths in an export: its public address."""
    return public_url.strip().rstrip("/")


@contextlib.contextmanager
def opened(name: str) -> Iterator[IO[bytes]]:
    """Open where an export goes: standard output for ``-``; else ``NAME.partial``, renamed to
    ``name`` once the export is complete and removed if it fails."""
    if name == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    partial = Path(f"{name}.partial")
    try:
        with partial.open("wb") as handle:
            yield handle
        partial.replace(name)
    finally:
        partial.unlink(missing_ok=True)


def chunks(fmt: str, batches: Batches) -> Iterator[bytes]:
    """Yield the bytes of ``batches`` in ``fmt``, a batch at a time."""
    maker = MAKERS.get(fmt)
    if maker is None:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return maker(batches)


def geojson_chunks(batches: Batches) -> Iterator[bytes]:
    """Yield an RFC 7946 FeatureCollection: ``[lon, lat]`` points, no ``crs`` member."""
    yield b'{"type":"FeatureCollection","features":['
    separator = b"\n"
    for rows in batches:
        yield separator + features_json(rows)
        separator = b",\n"
    yield b"\n]}\n"


def csv_chunks(batches: Batches) -> Iterator[bytes]:
    """Yield UTF-8 CSV with a header; lists are comma-separated, points in lon and lat, and
    text a spreadsheet would run as a formula starts with ``'`` (see ``exchange.cells``)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(EXPORT_COLUMNS)
    joined = joiner()
    for rows in batches:
        with collector_paused():
            writer.writerows(csv_cells(rows, joined))
        yield text.getvalue().encode()
        text.seek(0)
        text.truncate()
    if text.tell():
        yield text.getvalue().encode()


def gpkg_chunks(batches: Batches) -> Iterator[bytes]:
    """Yield a GeoPackage (EPSG:4326), written to a temporary file a batch at a time."""
    with tempfile.TemporaryDirectory(prefix="assetmap-export-") as folder:
        path = Path(folder) / "export.gpkg"
        write_gpkg_file(batches, path)
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def write_gpkg_file(batches: Batches, path: Path) -> None:
    """Write the batches to a GeoPackage at ``path``, one append per batch."""
    import pyogrio

    written = False
    for rows in batches:
        pyogrio.write_dataframe(frame(rows), path, layer=GPKG_LAYER, driver="GPKG", append=written)
        written = True
    if not written:
        pyogrio.write_dataframe(frame([]), path, layer=GPKG_LAYER, driver="GPKG")


def frame(rows: Sequence[Sequence[Any]]) -> Any:
    """Return rows as a GeoDataFrame in EPSG:4326: typed columns, lists joined by commas."""
    import geopandas as gpd

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(EXPORT_COLUMNS)
    data: dict[str, Any] = {
        name: _gpkg_column(BY_NAME[name].type, values)
        for name, values in zip(EXPORT_COLUMNS, columns, strict=True)
        if BY_NAME[name].type != "coordinate"
    }
    geometry = gpd.points_from_xy(columns[LON], columns[LAT], crs="EPSG:4326")
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:4326")


def _gpkg_column(kind: str, values: Sequence[Any]) -> Any:
    """Return a column of a field of type ``kind`` as a GeoPackage layer types it."""
    import pandas as pd

    if kind == "list":
        return [",".join(items(value)) for value in values]
    if kind == "ids":
        return [value[1:-1] if value else None for value in values]
    if kind in ("id", "int"):
        return pd.array(values, dtype="Int64" if kind == "id" else "Int32")
    if kind == "flag":
        return pd.array([flag(value) for value in values], dtype="boolean")
    if kind == "date":
        return [iso_date(value) for value in values]
    if kind == "time":
        return pd.to_datetime([iso_time(value) for value in values], utc=True)
    return pd.array(values, dtype=object)


def hsds_chunks(batches: Batches) -> Iterator[bytes]:
    """Yield groups and spaces as Open Referral HSDS 3.0: organizations, services, locations.

    Skills are people, so they never appear. Each list is spooled to its own temporary file
    as rows arrive, then the three are joined, so memory stays at one batch. A batch read by
    ``storage.exports.public_rows`` brings its schedules, the spaces its groups meet at, and
    (asked for once a batch) who assured each and its recent field changes.
    """
    with hsds.Spools() as spools:
        for rows in batches:
            found = rows if isinstance(rows, Batch) else Batch(())
            provenance = found.provenance()
            for row in rows:
                if row[_KIND] != "skill":
                    key = row[0]
                    asset = public_asset(row)
                    asset["assured_by"] = provenance.assured_by.get(key, "")
                    spools.add(
                        hsds.objects(
                            asset,
                            found.schedules.get(key, ()),
                            found.venues.get(key, ()),
                            provenance.changes.get(key, ()),
                        )
                    )
        yield from spools.chunks()


def public_asset(row: Sequence[Any]) -> dict[str, Any]:
    """Return a row as plain values: lists, booleans, ISO dates."""
    values = list(row)
    for i, plain in _TO_PLAIN:
        values[i] = plain(values[i])
    return dict(zip(EXPORT_COLUMNS, values, strict=True))


MAKERS: dict[str, Callable[[Batches], Iterator[bytes]]] = {
    "geojson": geojson_chunks,
    "csv": csv_chunks,
    "gpkg": gpkg_chunks,
    "hsds": hsds_chunks,
}
