"""Reading neighbourhood or ward boundaries from the files a place already has: GeoJSON, a
GeoPackage or a Shapefile (its sidecars beside it, or all of them zipped), in any coordinate
system the file states, into neighbourhoods in WGS84 (EPSG:4326)."""

from __future__ import annotations

import functools
import math
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa

from assetmap.domain.boundaries import as_boundary
from assetmap.domain.errors import ValidationError
from assetmap.exchange.importing.detect import check_rows, check_size
from assetmap.exchange.importing.readers import gpkg_layer
from assetmap.exchange.importing.records import FileProblem
from assetmap.storage.models import Neighbourhood
from assetmap.storage.neighbourhoods import Area, Named

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
# The longest code and name the neighbourhood table holds.
CODE_LENGTH = int(cast(sa.String, Neighbourhood.__table__.c.code.type).length or 0)
NAME_LENGTH = int(cast(sa.String, Neighbourhood.__table__.c.name.type).length or 0)
# Feature errors listed before the rest are only counted: a wrong file can have thousands.
_LISTED = 20


@functools.cache
def _unreadable() -> tuple[type[Exception], ...]:
    """The errors of a file pyogrio can't read, looked up only once a file is read: importing
    pyogrio at the top would weigh on every command that never reads one."""
    import pyogrio.errors

    return (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.FeatureError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.CRSError,
    )


@dataclass(frozen=True)
class Choice:
    """What the person said of the file: its code and name columns, and which layer."""

    code_field: str | None = None
    name_field: str | None = None
    layer: str | None = None


@dataclass(frozen=True)
class Boundaries:
    """The neighbourhoods a file holds (EPSG:4326), those whose shapes were mended, and notes
    on how the file was read."""

    areas: list[Area]
    repaired: list[Named] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_boundaries(
    path: Path, choice: Choice = Choice(), *, max_mb: float = 100.0, max_rows: int = 1_000_000
) -> Boundaries:
    """Read a file's neighbourhoods in WGS84; raise ValidationError naming the file, or each
    feature and what is wrong with it, if any can't be read."""
    where = path.name
    try:
        source, layer = _source(path, choice.layer, max_mb)
        frame = _frame(source, layer, max_rows)
    except FileProblem as exc:
        joined = " " if exc.field == "file" else ": "
        raise ValidationError({"file": f"{where}{joined}{exc.reason}."}) from None
    except _unreadable() as exc:
        raise ValidationError(
            {"file": f"{where} can't be read as GeoJSON, a GeoPackage or a Shapefile: {exc}"}
        ) from None
    frame, read_as = _in_wgs84(frame, where)
    code, name = pick_fields([c for c in frame.columns if c != frame.geometry.name], choice)
    areas, repaired = _areas(frame, code, name)
    return Boundaries(areas, repaired, [read_as, f"Codes are read from {code}, names from {name}."])


def _source(path: Path, wanted: str | None, max_mb: float) -> tuple[str, str | None]:
    """Return what GDAL opens for ``path`` and the layer in it to read."""
    import pyogrio

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem(
            "file",
            "is not GeoJSON, a GeoPackage or a Shapefile: save the boundaries as .geojson, "
            ".gpkg, or .shp with its sidecars (.shx, .dbf, .prj), or zip those into a .zip",
        )
    check_size(path, max_mb)
    if suffix == ".zip":
        return _zipped_shapefile(path, wanted, max_mb), None
    if suffix == ".gpkg":
        gpkg_layer(path)
    names = [str(name) for name, kind in pyogrio.list_layers(path) if kind is not None]
    return str(path), _layer(names, wanted)


def _zipped_shapefile(path: Path, wanted: str | None, max_mb: float) -> str:
    """Return the GDAL path of the Shapefile in a zip; refuse one that unzips too large."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise FileProblem("file", "is not a zip file a reader can open") from None
    if sum(member.file_size for member in members) > max_mb * 1024 * 1024:
        raise FileProblem(
            "file",
            f"unzips to more than the {max_mb:g} MB an import may be (ASSETMAP_IMPORT_MAX_MB)",
        )
    shapefiles = {
        Path(m.filename).stem: m.filename
        for m in members
        if m.filename.lower().endswith(".shp") and not m.filename.startswith("__MACOSX/")
    }
    chosen = _layer(list(shapefiles), wanted)
    return f"/vsizip/{path.resolve()}/{shapefiles[chosen]}"


def _layer(names: list[str], wanted: str | None) -> str:
    listed = ", ".join(names)
    if wanted is not None and wanted not in names:
        raise FileProblem("file", f"has no layer called {wanted!r}; its layers are: {listed}")
    if wanted is not None:
        return wanted
    if not names:
        raise FileProblem("file", "holds no layer of shapes")
    if len(names) > 1:
        raise FileProblem(
            "file", f"holds {len(names)} layers: {listed}; say which to import with --layer"
        )
    return names[0]


def _frame(source: str, layer: str | None, max_rows: int) -> gpd.GeoDataFrame:
    import pyogrio

    check_rows(int(pyogrio.read_info(source, layer=layer)["features"]), max_rows)
    return pyogrio.read_dataframe(source, layer=layer)


def _in_wgs84(frame: gpd.GeoDataFrame, where: str) -> tuple[gpd.GeoDataFrame, str]:
    """Return the frame in WGS84 and a note on how its coordinate system was read."""
    if frame.crs is None:
        if not _in_degrees(frame):
            raise ValidationError(
                {
                    "file": f"{where} does not say which coordinate system it uses, and its "
                    "coordinates are not longitudes and latitudes. Save it with its .prj file, "
                    "or as GeoJSON in WGS84."
                }
            )
        note = (
            f"{where} does not say which coordinate system it uses; its coordinates are "
            "longitudes and latitudes, so they were read as WGS84 (EPSG:4326)."
        )
        return frame.set_crs(4326), note
    stated = frame.crs
    if stated.equals("EPSG:4326", ignore_axis_order=True):
        note = f"Read {where} in WGS84 (EPSG:4326)."
    else:
        frame = frame.to_crs(4326)
        note = f"Read {where} in {_crs_name(stated)} and brought it into WGS84 (EPSG:4326)."
    if not _in_degrees(frame):
        raise ValidationError(
            {
                "file": f"{where} says its coordinates are in {stated.name}, but they are not: "
                "in WGS84 they would not be longitudes and latitudes. Save it again with the "
                "coordinate system its coordinates are in."
            }
        )
    return frame, note


def _in_degrees(frame: gpd.GeoDataFrame) -> bool:
    shapes = frame.geometry[frame.geometry.notna() & ~frame.geometry.is_empty]
    if shapes.empty:
        return True
    min_x, min_y, max_x, max_y = (float(v) for v in shapes.total_bounds)
    return -180.0 <= min_x <= max_x <= 180.0 and -90.0 <= min_y <= max_y <= 90.0


def _crs_name(crs: Any) -> str:
    epsg = crs.to_epsg()
    return f"{crs.name} (EPSG:{epsg})" if epsg else str(crs.name)


def pick_fields(columns: Sequence[str], choice: Choice = Choice()) -> tuple[str, str]:
    """Return the columns holding each neighbourhood's code and name: those chosen, else
    ``code`` and ``name``, else the one ``*CD`` and ``*NM`` pair (as ONS names them,
    ``WD24CD`` and ``WD24NM``), in any case; raise ValidationError listing the columns if it
    can't tell."""
    by_key = {column.casefold(): column for column in columns}
    code = _column(by_key, choice.code_field, "--code-field")
    name = _column(by_key, choice.name_field, "--name-field")
    if code and name:
        return code, name
    pairs = [pair for pair in _pairs(by_key) if code in (None, pair[0]) and name in (None, pair[1])]
    if len(pairs) != 1:
        listed = ", ".join(columns) or "none"
        raise ValidationError(
            {
                "columns": "can't tell which columns hold each neighbourhood's code and name "
                f"(the file's columns are: {listed}); name them with --code-field and "
                "--name-field"
            }
        )
    return pairs[0]


def _column(by_key: dict[str, str], given: str | None, option: str) -> str | None:
    if given is None:
        return None
    found = by_key.get(given.strip().casefold())
    if found is None:
        listed = ", ".join(by_key.values()) or "none"
        raise ValidationError(
            {option: f"the file has no column {given!r}; its columns are: {listed}"}
        )
    return found


def _pairs(by_key: dict[str, str]) -> list[tuple[str, str]]:
    if "code" in by_key and "name" in by_key:
        return [(by_key["code"], by_key["name"])]
    return [
        (column, by_key[key[:-2] + "nm"])
        for key, column in by_key.items()
        if key.endswith("cd") and key[:-2] + "nm" in by_key
    ]


def _areas(frame: gpd.GeoDataFrame, code: str, name: str) -> tuple[list[Area], list[Named]]:
    """Return the frame's neighbourhoods and those mended; raise ValidationError naming every
    feature that can't be one, and every code given twice."""
    areas: list[Area] = []
    repaired: list[Named] = []
    errors: dict[str, str] = {}
    rows = zip(frame[code], frame[name], frame.geometry, strict=True)
    for number, (code_value, name_value, shape) in enumerate(rows, start=1):
        area_code, area_name = _text(code_value), _text(name_value)
        where = f"feature {number}" + (f" ({area_code})" if area_code else "")
        problems = [*_text_problems(area_code, area_name, code, name)]
        try:
            boundary, mended = as_boundary(shape)
        except ValueError as exc:
            problems.append(str(exc))
        if problems:
            errors[where] = "; ".join(problems)
            continue
        areas.append(Area(area_code, area_name, boundary))
        if mended:
            repaired.append(Named(area_code, area_name))
    if errors := {**_duplicates(frame[code]), **errors}:
        raise ValidationError(_listed(errors))
    return areas, repaired


def _text(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text_problems(code: str, name: str, code_column: str, name_column: str) -> list[str]:
    problems = []
    for value, column, what, limit in (
        (code, code_column, "code", CODE_LENGTH),
        (name, name_column, "name", NAME_LENGTH),
    ):
        if not value:
            problems.append(f"has no {what} (column {column})")
        elif len(value) > limit:
            problems.append(f"its {what} is {len(value)} characters long; at most {limit} fit")
        elif any(unicodedata.category(c) == "Cc" for c in value):
            problems.append(f"its {what} holds control characters")
    return problems


def _duplicates(values: pd.Series) -> dict[str, str]:
    features: dict[str, list[int]] = defaultdict(list)
    for number, value in enumerate(values, start=1):
        if text := _text(value):
            features[text].append(number)
    twice = [
        f"{code} (features {', '.join(map(str, numbers))})"
        for code, numbers in features.items()
        if len(numbers) > 1
    ]
    return {"codes": f"must be unique; given more than once: {'; '.join(twice)}"} if twice else {}


def _listed(errors: dict[str, str]) -> dict[str, str]:
    if len(errors) <= _LISTED:
        return errors
    listed = dict(list(errors.items())[:_LISTED])
    listed["more"] = f"{len(errors) - _LISTED} more features can't be read"
    return listed
