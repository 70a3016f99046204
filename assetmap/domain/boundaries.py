"""Neighbourhood boundaries as areas: mended where they cross themselves, and checked for
overlapping one another or leaving gaps between them.

Boundaries are in EPSG:4326, their edges straight in lon/lat, so overlaps and gaps are found
there; their areas are measured in square metres in a Lambert azimuthal equal-area projection
centred on the boundaries, true whichever part of the world they cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

if TYPE_CHECKING:
    from pyproj import Transformer

# Neighbouring boundaries drawn from different sources, or reprojected, seldom meet exactly:
# slivers smaller than this (a 10 m square) are not worth a warning.
OVERLAP_MIN_M2 = 100.0
GAP_MIN_M2 = 100.0
_POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Overlap:
    """Two neighbourhoods, by code, covering the same ground."""

    first: str
    second: str
    area_m2: float


@dataclass(frozen=True)
class Gap:
    """A hole inside the neighbourhoods that none of them covers: a point in it and its area."""

    lon: float
    lat: float
    area_m2: float


def as_boundary(geometry: BaseGeometry | None) -> tuple[BaseGeometry, bool]:
    """Return a boundary as flat polygons, mended with ``make_valid`` if it was invalid, and
    whether it was mended; raise ValueError saying why it can't bound an area."""
    if geometry is None or geometry.is_empty:
        raise ValueError("has no shape")
    if geometry.geom_type not in _POLYGONAL:
        raise ValueError(f"is a {geometry.geom_type}, not a polygon or multipolygon")
    flat = shapely.force_2d(geometry)
    if flat.is_valid:
        return flat, False
    mended = _polygons(shapely.make_valid(flat))
    if mended is None:
        raise ValueError("crosses itself so that no area is left once it is mended")
    return mended, True


def _polygons(geometry: BaseGeometry) -> BaseGeometry | None:
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    if not parts:
        return None
    union = shapely.union_all(parts)
    return union if union.geom_type in _POLYGONAL and not union.is_empty else None


def overlaps(
    codes: Sequence[str], shapes: Sequence[BaseGeometry], min_m2: float = OVERLAP_MIN_M2
) -> list[Overlap]:
    """Return each pair of neighbourhoods (EPSG:4326) sharing more than ``min_m2`` of ground."""
    if not shapes:
        return []
    forward = _equal_area(shapes)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            shared = _moved(shapes[i].intersection(shapes[j]), forward).area
            if shared > min_m2:
                found.append(Overlap(codes[i], codes[j], shared))
    return found


def gaps(shapes: Sequence[BaseGeometry], min_m2: float = GAP_MIN_M2) -> list[Gap]:
    """Return each hole larger than ``min_m2`` inside the union of the neighbourhoods
    (EPSG:4326), with a point inside it."""
    if not shapes:
        return []
    forward = _equal_area(shapes)
    holes = [
        Polygon(ring)
        for part in shapely.get_parts(shapely.union_all(list(shapes)))
        if isinstance(part, Polygon)
        for ring in part.interiors
    ]
    found = []
    for hole in holes:
        area = _moved(hole, forward).area
        if area > min_m2:
            lon, lat = hole.point_on_surface().coords[0]
            found.append(Gap(lon, lat, area))
    return found


def _moved(shape: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(shape, transformer.transform, interleaved=False)


def _equal_area(shapes: Sequence[BaseGeometry]) -> Transformer:
    """Return the transformation to an equal-area projection centred on ``shapes``."""
    from pyproj import CRS, Transformer

    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(list(shapes))
    local = CRS.from_dict(
        {
            "proj": "laea",
            "lat_0": (min_lat + max_lat) / 2,
            "lon_0": (min_lon + max_lon) / 2,
            "ellps": "WGS84",
            "units": "m",
        }
    )
    return Transformer.from_crs("EPSG:4326", local, always_xy=True)
