"""Catchments: where a proposed service would reach, read from loose input and measured.

A catchment is an area (a drawn polygon, or the union of some neighbourhoods) or a circle (a
point and a radius). Coordinates are ``lon, lat`` on WGS84 (EPSG:4326); an area's edges are
straight in lon/lat, as GeoJSON's are; a circle and every distance are geodesic metres.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import orjson
import shapely
from shapely.geometry import MultiPolygon, Polygon, box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from assetmap.domain.edges import distances_to_edges
from assetmap.domain.geo import BBox, bbox_around, check_lon_lat, distances_m, geod
from assetmap.domain.i18n import _, format_number, ngettext
from assetmap.domain.outlines import clipped, grown
from assetmap.domain.query import check_radius

# How far past a catchment's edge a check looks for related strengths, in geodesic metres.
EDGE_M = 500.0
GEOJSON_MAX = 200_000
VERTICES_MAX = 5000


class How(enum.StrEnum):
    """How a catchment was given."""

    POLYGON = "polygon"
    NEIGHBOURHOODS = "neighbourhoods"
    RADIUS = "radius"


class NamedArea(NamedTuple):
    """A neighbourhood a catchment may be made of: its name and boundary (EPSG:4326)."""

    name: str
    boundary: BaseGeometry


@dataclass(frozen=True)
class Catchment:
    """An area (``area``: a polygon or multipolygon) or a circle (``centre``, ``radius_m``)."""

    how: How
    area: BaseGeometry | None = None
    neighbourhoods: tuple[tuple[str, str], ...] = ()
    centre: tuple[float, float] | None = None
    radius_m: float | None = None

    def contains(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Return, for each point, whether it lies in the catchment or on its edge."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        if self.area is None:
            return self._from_centre(lons, lats) <= self._radius()
        shapely.prepare(self.area)
        return np.asarray(shapely.covers(self.area, shapely.points(lons, lats)), dtype=bool)

    def edge_distances(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Return the geodesic metres from each point to the nearest point of the edge."""
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        if lons.size == 0:
            return np.empty(0)
        if self.area is None:
            return np.abs(self._from_centre(lons, lats) - self._radius())
        return distances_to_edges(self.area, lons, lats)

    def search_box(self, margin_m: float = 0.0) -> BBox:
        """Return a box holding the catchment and every point within ``margin_m`` of it."""
        if self.area is None:
            lon, lat = self._centre()
            return bbox_around(lon, lat, self._radius() + margin_m)
        return grown(BBox(*self.area.bounds), margin_m)

    def outline(self) -> BaseGeometry:
        """Return the catchment as a shape: the area, or the circle as a 72-sided polygon."""
        if self.area is not None:
            return self.area
        lon, lat = self._centre()
        bearings = np.arange(0.0, 360.0, 5.0)
        n = bearings.size
        lons, lats, _ = geod().fwd(
            np.full(n, lon), np.full(n, lat), bearings, np.full(n, self._radius())
        )
        return orient(Polygon(zip(lons, lats, strict=True)), 1.0)

    def as_json(self) -> dict[str, Any]:
        """Return the catchment as plain JSON values; ``area`` is a GeoJSON geometry."""
        out: dict[str, Any] = {"how": self.how.value}
        if self.area is not None:
            out["area"] = orjson.loads(orjson.dumps(mapping(self.area)))
        if self.neighbourhoods:
            out["neighbourhoods"] = [{"code": c, "name": n} for c, n in self.neighbourhoods]
        if self.centre is not None:
            out["lon"], out["lat"] = self.centre
            out["radius_m"] = self.radius_m
        return out

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Catchment:
        """Read a catchment written by ``as_json``."""
        centre = (value["lon"], value["lat"]) if "lon" in value else None
        return cls(
            how=How(value["how"]),
            area=shape(value["area"]) if "area" in value else None,
            neighbourhoods=tuple((n["code"], n["name"]) for n in value.get("neighbourhoods", [])),
            centre=centre,
            radius_m=value.get("radius_m"),
        )

    def _centre(self) -> tuple[float, float]:
        assert self.centre is not None, "a catchment without an area has a centre"
        return self.centre

    def _radius(self) -> float:
        assert self.radius_m is not None, "a catchment without an area has a radius"
        return self.radius_m

    def _from_centre(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        lon, lat = self._centre()
        return distances_m(lon, lat, lons, lats)


class CentreProblem(ValueError):
    """A centre or radius that can't be used, naming which: ``lon``, ``lat``, ``radius_m`` or
    ``centre``; ``reason`` says why, in the reader's language."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field} {reason}")


def polygon_catchment(text: Any, area: BBox | None = None) -> tuple[Catchment, list[str]]:
    """Read a drawn or pasted GeoJSON polygon; return it mended, with notes on what was mended.

    What lies further than ``EDGE_M`` outside ``area`` is trimmed off: nothing there can be
    found, and a check's work stays bounded by the area, however far the outline reaches.
    Raises ValueError saying what is wrong where the polygon is empty, crosses itself or lies
    outside ``area``.
    """
    notes: list[str] = []
    polygons = [_mend_polygon(rings, notes) for rings in _polygon_rings(_geojson(text))]
    geometry: BaseGeometry = polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
    if not geometry.is_valid:
        raise ValueError(_("is not a usable outline: %(reason)s", reason=_reason(geometry)))
    if shapely.get_num_coordinates(geometry) > VERTICES_MAX:
        raise ValueError(
            _("has more than %(most)d points; draw a simpler outline", most=VERTICES_MAX)
        )
    return Catchment(How.POLYGON, area=_fit_to_area(geometry, area, notes)), notes


def neighbourhood_catchment(
    codes: Sequence[str], known: Mapping[str, NamedArea]
) -> tuple[Catchment, list[str]]:
    """Return the union of the named neighbourhoods, or raise ValueError naming an unknown one."""
    codes = list(dict.fromkeys(code for code in codes if code))
    if not codes:
        raise ValueError(_("choose at least one neighbourhood"))
    for code in codes:
        if code not in known:
            raise ValueError(_("%(code)r is not a neighbourhood; choose from the list", code=code))
    union = shapely.union_all([known[code].boundary for code in codes])
    area = orient(union, 1.0) if isinstance(union, Polygon) else _oriented_parts(union)
    named = tuple((code, known[code].name) for code in codes)
    return Catchment(How.NEIGHBOURHOODS, area=area, neighbourhoods=named), []


def radius_catchment(
    lon: Any, lat: Any, radius_m: Any, area: BBox | None = None
) -> tuple[Catchment, list[str]]:
    """Return a circle of ``radius_m`` geodesic metres around ``(lon, lat)``.

    Raises ValueError naming the bad value: ``lon``, ``lat``, ``radius_m`` or ``centre``.
    """
    for name, value in (("lon", lon), ("lat", lat), ("radius_m", radius_m)):
        if value is None or value == "":
            raise CentreProblem(name, _("is required"))
    lon, lat = check_lon_lat(_coordinate(lon, "lon", 180), _coordinate(lat, "lat", 90))
    try:
        radius = check_radius(float(radius_m))
    except (TypeError, ValueError):
        raise CentreProblem(
            "radius_m",
            _(
                "must be a number of metres above 0 and at most 100000, got %(got)r",
                got=radius_m,
            ),
        ) from None
    if area is not None and not area.contains(lon, lat):
        raise CentreProblem("centre", _("is outside the area this assetmap covers"))
    return Catchment(How.RADIUS, centre=(lon, lat), radius_m=radius), []


def _coordinate(value: Any, name: str, most: int) -> float:
    """Return a longitude or latitude typed in, or raise ``CentreProblem`` saying what is wrong
    with it in the reader's language."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise CentreProblem(name, _("must be a number, got %(got)r", got=value)) from None
    if not math.isfinite(number):
        raise CentreProblem(name, _("must be a finite number, got %(got)r", got=value))
    if not -most <= number <= most:
        raise CentreProblem(
            name,
            _(
                "must be between %(low)s and %(high)s, got %(got)s",
                low=-most,
                high=most,
                got=number,
            ),
        )
    return number


def _geojson(text: Any) -> Any:
    if isinstance(text, Mapping):
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError(_("draw the catchment on the map, or paste it as GeoJSON"))
    if len(text) > GEOJSON_MAX:
        raise ValueError(
            _(
                "must be at most %(most)d characters of GeoJSON, got %(got)d",
                most=GEOJSON_MAX,
                got=len(text),
            )
        )
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(_("is not GeoJSON: %(error)s", error=str(exc))) from None


def _polygon_rings(value: Any) -> list[list[Any]]:
    """Return each polygon's rings from a GeoJSON geometry, Feature or FeatureCollection."""
    if not isinstance(value, Mapping):
        raise ValueError(_("must be a GeoJSON object, got %(got)s", got=type(value).__name__))
    kind = value.get("type")
    if kind == "FeatureCollection":
        features = value.get("features") or []
        if not features:
            raise ValueError(_("is empty: the collection holds no outline"))
        return [rings for feature in features for rings in _polygon_rings(feature)]
    if kind == "Feature":
        return _polygon_rings(value.get("geometry") or {})
    coordinates = value.get("coordinates")
    parts: list[Any]
    if kind == "Polygon":
        parts = [coordinates]
    elif kind == "MultiPolygon":
        parts = coordinates if isinstance(coordinates, list) else [None]
    else:
        raise ValueError(_("must be a Polygon or MultiPolygon, got %(got)r", got=kind))
    if not parts or not all(isinstance(p, list) and p for p in parts):
        raise ValueError(_("is empty: draw at least three points"))
    return parts


def _mend_polygon(rings: list[Any], notes: list[str]) -> Polygon:
    shell, *holes = [_mend_ring(ring, notes) for ring in rings]
    polygon = Polygon(shell, holes)
    if polygon.convex_hull.area == 0:
        raise ValueError(_("is empty: its points lie on one line"))
    if not polygon.exterior.is_ccw:
        _note(
            notes,
            _("The outline ran clockwise; it now runs anticlockwise. It covers the same area."),
        )
    if any(ring.is_ccw for ring in polygon.interiors):
        _note(
            notes,
            _("A hole ran anticlockwise; it now runs clockwise. It leaves out the same area."),
        )
    return orient(polygon, 1.0)


def _mend_ring(ring: Any, notes: list[str]) -> list[tuple[float, float]]:
    if not isinstance(ring, list):
        raise ValueError(_("is not a list of [lon, lat] points"))
    points = [_position(p) for p in ring]
    closed = len(points) > 1 and points[0] == points[-1]
    if closed:
        points = points[:-1]
    kept = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    while len(kept) > 1 and kept[-1] == kept[0]:
        kept.pop()
    if len(kept) < 3:
        raise ValueError(_("is empty: draw at least three different points"))
    if not closed:
        _note(notes, _("The outline was not closed; its last point now joins its first."))
    if len(kept) < len(points):
        removed = len(points) - len(kept)
        _note(
            notes,
            ngettext(
                "%(num)d repeated point was removed.",
                "%(num)d repeated points were removed.",
                removed,
            ),
        )
    return [*kept, kept[0]]


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise ValueError(_("has a point that is not [lon, lat]: %(got)r", got=value))
    try:
        return check_lon_lat(value[0], value[1])
    except ValueError as exc:
        raise ValueError(_("has a point out of range: %(error)s", error=str(exc))) from None


def _note(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)


def _reason(geometry: BaseGeometry) -> str:
    reason = shapely.is_valid_reason(geometry)
    if "Self-intersection" in reason:
        return _("it crosses itself; draw it again without crossing lines")
    if "Hole lies outside shell" in reason:
        return _("a hole lies outside the outline")
    if "Nested shells" in reason or "overlap" in reason.lower():
        return _("two of its parts overlap")
    return reason.split("[")[0].lower()


def _fit_to_area(geometry: BaseGeometry, area: BBox | None, notes: list[str]) -> BaseGeometry:
    if area is None:
        return geometry
    frame = box(*area.as_tuple())
    if not geometry.intersects(frame):
        raise ValueError(_("is outside the area this assetmap covers"))
    if frame.covers(geometry):
        return geometry
    _note(
        notes,
        _(
            "Part of the catchment lies outside the area this assetmap covers; "
            "nothing is mapped there."
        ),
    )
    reach = grown(area, EDGE_M)
    if box(*reach.as_tuple()).covers(geometry):
        return geometry
    kept = clipped(geometry, reach)
    if kept is None:
        raise ValueError(_("is outside the area this assetmap covers"))
    _note(
        notes,
        _(
            "The catchment was trimmed to the area and the %(metres)s metres around it, "
            "as far as a check looks past its edge.",
            metres=format_number(EDGE_M),
        ),
    )
    return kept


def _oriented_parts(geometry: BaseGeometry) -> BaseGeometry:
    parts = [orient(part, 1.0) for part in getattr(geometry, "geoms", [])]
    return MultiPolygon(parts) if parts else geometry
