"""Outlines against boxes and areas: grown by metres, clipped, and tested for lying within.

Outlines and boxes are in EPSG:4326 with edges straight in lon/lat. Growing an area by metres
happens in its local UTM zone (pyproj), and the grown outline is brought back to lon/lat.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from assetmap.domain.geo import BBox, bbox_around

if TYPE_CHECKING:
    from pyproj import Transformer

# A grown outline's curves are followed at this spacing (metres) when brought back to lon/lat.
_GROWN_STEP_M = 10.0


def grown(frame: BBox, margin_m: float) -> BBox:
    """Return a box holding ``frame`` and every point within ``margin_m`` geodesic metres of it."""
    boxes = [
        bbox_around(lon, lat, margin_m)
        for lon in (frame.min_lon, frame.max_lon)
        for lat in (frame.min_lat, frame.max_lat)
    ]
    return BBox(
        max(min(b.min_lon for b in boxes), -180.0),
        max(min(b.min_lat for b in boxes), -90.0),
        min(max(b.max_lon for b in boxes), 180.0),
        min(max(b.max_lat for b in boxes), 90.0),
    )


def clipped(geometry: BaseGeometry, frame: BBox) -> BaseGeometry | None:
    """Return the polygons of ``geometry`` inside ``frame``, anticlockwise; None if none are."""
    parts = [
        orient(part, 1.0)
        for part in shapely.get_parts(shapely.intersection(geometry, box(*frame.as_tuple())))
        if isinstance(part, Polygon) and part.area > 0
    ]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def lies_within(outline: BaseGeometry, areas: Sequence[BaseGeometry], tolerance_m: float) -> bool:
    """Return whether the whole outline lies within the union of ``areas`` grown by
    ``tolerance_m`` metres (measured in the union's UTM zone)."""
    if not areas or outline.is_empty:
        return False
    return bool(grown_union(areas, tolerance_m).covers(outline))


def grown_union(areas: Sequence[BaseGeometry], margin_m: float) -> BaseGeometry:
    """Return the union of ``areas`` (EPSG:4326) grown by ``margin_m`` metres, measured in the
    union's UTM zone; its edges are split finely enough to keep their shape in degrees."""
    union = shapely.union_all(list(areas))
    forward, inverse = _utm(*union.centroid.coords[0])
    metric = shapely.transform(union, _through(forward)).buffer(margin_m)
    return shapely.transform(shapely.segmentize(metric, _GROWN_STEP_M), _through(inverse))


def _through(transformer: Transformer) -> Any:
    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return apply


@lru_cache(maxsize=16)
def _utm_by_zone(epsg: int) -> tuple[Transformer, Transformer]:
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    inverse = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    return forward, inverse


def _utm(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    zone = min(max(int((lon + 180.0) // 6.0) + 1, 1), 60)
    return _utm_by_zone((32600 if lat >= 0 else 32700) + zone)
