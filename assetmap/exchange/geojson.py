"""Reading GeoJSON geometries strictly by RFC 7946: WGS84 ``[lon, lat]`` positions, closed rings.

Many readers let a latitude of 95, a ``null`` coordinate or an open ring through; here each
becomes a ``GeometryError`` naming the member and what was wrong with it.
"""

from __future__ import annotations

from typing import Any

import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from assetmap.domain.i18n import _

# Coordinates this large are metres of a projected CRS, not degrees.
_PROJECTED = 1000.0
WGS84_NAMES = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "urn:ogc:def:crs:EPSG::4326",
        "EPSG:4326",
        "CRS84",
    }
)


class GeometryError(ValueError):
    """A geometry breaks RFC 7946; ``field`` names the member, ``reason`` says how."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def projected_hint(lon: Any, lat: Any) -> str | None:
    """Return a reason if ``(lon, lat)`` look like projected metres rather than degrees."""
    numbers = [v for v in (lon, lat) if isinstance(v, int | float) and not isinstance(v, bool)]
    if any(abs(v) > _PROJECTED for v in numbers):
        return (
            f"({lon}, {lat}) looks like metres in a projected CRS (such as British National "
            "Grid), not WGS84 longitude and latitude; reproject the file to EPSG:4326"
        )
    return None


def check_crs(document: dict[str, Any]) -> None:
    """Refuse a ``crs`` member that names anything but WGS84 longitude/latitude."""
    crs = document.get("crs")
    if crs is None:
        return
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if name not in WGS84_NAMES:
        raise GeometryError(
            "crs", f"GeoJSON is WGS84 longitude/latitude (RFC 7946); this file declares {name!r}"
        )


def position(value: Any, field: str) -> tuple[float, float]:
    """Return ``(lon, lat)`` from a position, or raise GeometryError."""
    if isinstance(value, list) and any(isinstance(v, list) for v in value):
        raise GeometryError(
            field, f"bad nesting: expected a position [lon, lat], got {_show(value)}"
        )
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        raise GeometryError(field, f"a position must be [lon, lat], got {_show(value)}")
    if any(v is None for v in value):
        raise GeometryError(field, f"null where a coordinate belongs: {_show(value)}")
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in value):
        raise GeometryError(field, f"coordinates must be numbers, got {_show(value)}")
    lon, lat = float(value[0]), float(value[1])
    hint = projected_hint(lon, lat)
    if hint:
        raise GeometryError(field, hint)
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(field, f"longitude {value[0]} is outside -180 to 180")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(field, f"latitude {value[1]} is outside -90 to 90")
    return lon, lat


def _ring(value: Any, field: str) -> list[tuple[float, float]]:
    if not isinstance(value, list) or (value and not isinstance(value[0], list)):
        raise GeometryError(
            field, f"bad nesting: a linear ring must be a list of positions, got {_show(value)}"
        )
    points = [position(item, f"{field}[{i}]") for i, item in enumerate(value)]
    if len(points) < 4:
        raise GeometryError(field, f"a linear ring needs at least 4 positions, got {len(points)}")
    if points[0] != points[-1]:
        raise GeometryError(field, "the ring is not closed: its first and last positions differ")
    return points


def _polygon(value: Any, field: str) -> BaseGeometry:
    if not isinstance(value, list) or not value:
        raise GeometryError(
            field, f"a Polygon's coordinates must be a list of rings, got {_show(value)}"
        )
    rings = [_ring(ring, f"{field}[{i}]") for i, ring in enumerate(value)]
    return shapely.Polygon(rings[0], rings[1:])


def geometry(value: Any, field: str = "geometry") -> BaseGeometry:
    """Return a shapely geometry from a GeoJSON Point, Polygon or MultiPolygon."""
    if not isinstance(value, dict):
        raise GeometryError(field, f"must be a GeoJSON geometry object, got {_show(value)}")
    kind, coordinates = value.get("type"), value.get("coordinates")
    where = f"{field}.coordinates"
    if coordinates is None and kind in ("Point", "Polygon", "MultiPolygon"):
        raise GeometryError(where, "null where coordinates belong")
    if kind == "Point":
        return shapely.Point(position(coordinates, where))
    if kind == "Polygon":
        return _polygon(coordinates, where)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise GeometryError(where, "a MultiPolygon's coordinates must be a list of polygons")
        return shapely.MultiPolygon(
            [_polygon(part, f"{where}[{i}]") for i, part in enumerate(coordinates)]
        )
    raise GeometryError(
        f"{field}.type", f"must be Point, Polygon or MultiPolygon, got {_show(kind)}"
    )


def point_of(shape: BaseGeometry) -> tuple[float, float]:
    """Return a point's ``(lon, lat)``, or a point inside an area."""
    if shape.geom_type != "Point":
        shape = shapely.make_valid(shape).representative_point()
    return float(shape.x), float(shape.y)


def read_polygon(data: bytes) -> BaseGeometry:
    """Return the area a GeoJSON file draws (a geometry, Feature or FeatureCollection).

    Raises ValueError naming what is wrong. Every geometry must be a Polygon or MultiPolygon.
    """
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValueError(_("polygon: the file is not JSON (%(error)s)", error=str(exc))) from None
    if not isinstance(document, dict):
        raise ValueError(_("polygon: the file must hold a GeoJSON object"))
    try:
        check_crs(document)
        shapes = [geometry(g, f) for f, g in _geometries(document)]
    except GeometryError as exc:
        raise ValueError(f"polygon: {exc}") from None
    if not shapes or any(s.geom_type not in ("Polygon", "MultiPolygon") for s in shapes):
        raise ValueError(_("polygon: the file must draw a Polygon or MultiPolygon"))
    return shapely.make_valid(shapely.union_all(shapes))


def _geometries(document: dict[str, Any]) -> list[tuple[str, Any]]:
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise GeometryError("features", "must be a list of features")
        return [
            (f"features[{i}].geometry", f.get("geometry") if isinstance(f, dict) else None)
            for i, f in enumerate(features)
        ]
    if kind == "Feature":
        return [("geometry", document.get("geometry"))]
    return [("geometry", document)]


def _show(value: Any) -> str:
    text = orjson.dumps(value).decode() if _dumpable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dumpable(value: Any) -> bool:
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return True
