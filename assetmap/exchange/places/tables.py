"""Gazetteer tables: the ONS Postcode Directory, OS Open Names and ``name,kind,lon,lat`` CSV.

National files are read a chunk of rows at a time, never whole; rows outside the box given are
counted and dropped before any other work is done on them.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assetmap.domain.geo import BBox
from assetmap.domain.places import Place, check_place
from assetmap.exchange.places.formats import ENCODING, OPEN_NAMES_COLUMNS, Detected, Tally

if TYPE_CHECKING:
    import pandas as pd
    from pyproj import Transformer

CHUNK_ROWS = 50_000
# ONSPD's latitude for a postcode it cannot place (with a longitude of 0).
NO_LOCATION_LAT = 99.999999
_ONSPD_COLUMNS = ("pcds", "lat", "long", "doterm")
_OPEN_NAMES_KINDS = {
    "Named Road": "street",
    "Postcode": "postcode",
    "City": "place",
    "Town": "place",
    "Village": "place",
    "Hamlet": "place",
    "Suburban Area": "place",
    "Other Settlement": "place",
}


@functools.cache
def _bng_to_wgs84() -> Transformer:
    """British National Grid to WGS84, built on first use: pyproj is heavy to import."""
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def read_onspd(path: Path, _detected: Detected, tally: Tally, box: BBox | None) -> Iterator[Place]:
    """Yield each live, located postcode of an ONS Postcode Directory (or NSPL) CSV."""
    line = 2
    for chunk in _chunks(path, usecols=lambda column: column.strip().lower() in _ONSPD_COLUMNS):
        chunk.columns = [column.strip().lower() for column in chunk.columns]
        lines = np.arange(line, line + len(chunk))
        line += len(chunk)
        live = (chunk["doterm"].str.strip() == "").to_numpy()
        lat = _numbers(path, chunk["lat"], lines, live)
        lon = _numbers(path, chunk["long"], lines, live)
        located = ~np.isclose(lat, NO_LOCATION_LAT)
        tally.skipped["terminated postcodes"] += int((~live).sum())
        tally.skipped["postcodes with no location"] += int((live & ~located).sum())
        keep = live & located
        names = chunk["pcds"].to_numpy()[keep]
        yield from _places(path, names, "postcode", lon[keep], lat[keep], lines[keep], tally, box)


def read_open_names(
    path: Path, detected: Detected, tally: Tally, box: BBox | None
) -> Iterator[Place]:
    """Yield the roads, postcodes and populated places of an OS Open Names CSV, its British
    National Grid points (EPSG:27700) reprojected to WGS84; other entries are counted."""
    line = 2 if detected.header else 1
    usecols = ["NAME1", "NAME2", "LOCAL_TYPE", "GEOMETRY_X", "GEOMETRY_Y"]
    header = 0 if detected.header else None
    for chunk in _chunks(path, header=header, names=OPEN_NAMES_COLUMNS, usecols=usecols):
        lines = np.arange(line, line + len(chunk))
        line += len(chunk)
        kinds = chunk["LOCAL_TYPE"].str.strip().map(_OPEN_NAMES_KINDS)
        for other, count in chunk["LOCAL_TYPE"][kinds.isna()].value_counts().items():
            tally.skipped[f"entries of type {other or '(none)'}"] += int(count)
        wanted = kinds.notna().to_numpy()
        east = _numbers(path, chunk["GEOMETRY_X"], lines, wanted)
        north = _numbers(path, chunk["GEOMETRY_Y"], lines, wanted)
        lon, lat = _bng_to_wgs84().transform(east[wanted], north[wanted])
        kinds, lines = kinds.to_numpy()[wanted], lines[wanted]
        for column in ("NAME1", "NAME2"):
            names = chunk[column].str.strip().to_numpy()[wanted]
            # Every entry has a first name; a second (Welsh or Gaelic) only where it is given.
            named = names != "" if column == "NAME2" else np.ones(names.shape, dtype=bool)
            yield from _places(
                path,
                names[named],
                kinds[named],
                lon[named],
                lat[named],
                lines[named],
                tally,
                box,
            )


def read_gazetteer(
    path: Path, _detected: Detected, tally: Tally, box: BBox | None
) -> Iterator[Place]:
    """Yield the places of a ``name,kind,lon,lat`` CSV, naming any bad row and field."""
    with path.open(newline="", encoding=ENCODING) as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            fields = {key.strip().lower(): (value or "") for key, value in row.items() if key}
            try:
                place = check_place(
                    fields["name"], fields["kind"].strip(), fields["lon"], fields["lat"]
                )
            except ValueError as exc:
                raise ValueError(f"{path.name} line {line}: {exc}") from None
            if box is not None and not box.contains(place.lon, place.lat):
                tally.outside += 1
                continue
            yield place


def _chunks(path: Path, **options: object) -> Iterator[pd.DataFrame]:
    """Yield a CSV's rows a chunk at a time, every value as text."""
    import pandas as pd

    try:
        yield from pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            encoding=ENCODING,
            chunksize=CHUNK_ROWS,
            **options,  # type: ignore[call-overload]
        )
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text: save it as UTF-8 CSV") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValueError(f"{path.name} can't be read as CSV: {exc}") from None


def _numbers(path: Path, values: pd.Series, lines: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Return a column as numbers, naming the first line where a needed one is not a number."""
    import pandas as pd

    numbers = pd.to_numeric(values.str.strip(), errors="coerce").to_numpy(dtype=float)
    bad = needed & ~np.isfinite(numbers)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{path.name} line {lines[first]}: {values.name} must be a number, "
            f"got {values.iloc[first]!r}"
        )
    return numbers


def _places(
    path: Path,
    names: np.ndarray,
    kinds: str | np.ndarray,
    lons: np.ndarray,
    lats: np.ndarray,
    lines: np.ndarray,
    tally: Tally,
    box: BBox | None,
) -> Iterator[Place]:
    """Yield checked places from columns, counting and dropping those outside ``box``."""
    kinds = np.broadcast_to(np.asarray(kinds, dtype=object), names.shape)
    if box is not None:
        inside = (
            (lons >= box.min_lon)
            & (lons <= box.max_lon)
            & (lats >= box.min_lat)
            & (lats <= box.max_lat)
        )
        tally.outside += int((~inside).sum())
        names, kinds, lons, lats, lines = (a[inside] for a in (names, kinds, lons, lats, lines))
    for name, kind, lon, lat, line in zip(names, kinds, lons, lats, lines, strict=True):
        try:
            yield check_place(str(name), str(kind), lon, lat)
        except ValueError as exc:
            raise ValueError(f"{path.name} line {line}: {exc}") from None
