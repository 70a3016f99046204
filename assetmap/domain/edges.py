"""Geodesic metres from points to an area's edges, at a cost that grows with the log of its size.

An area's edges are straight in lon/lat (EPSG:4326), as GeoJSON's are. Scaling lon and lat to
metres is an affine map, so an edge stays one straight segment in such a plane and needs no
extra points to follow it. Each point's candidate edges come from an STRtree in one plane
scaled at the middle of the work: the nearest there, and every other within the plane's
distortion of it. Each candidate's nearest point is then found in a plane scaled at the point
itself, and its distance measured geodesically. A point costs a few tree searches, never a pass
over every edge, however long and jagged the outline.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from assetmap.domain.geo import geod

# Points handled at once: bounds the candidate pairs held in memory.
_CHUNK = 256
# The step (degrees) over which metres per degree are measured.
_STEP = 0.001
_POLAR = 89.0
# Rounding in the plane is far below this (metres); it keeps an edge at exactly the nearest
# distance among the candidates.
_SLACK_M = 0.01


def distances_to_edges(area: BaseGeometry, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Return the geodesic metres from each point to the nearest point of the area's edges.

    ``area`` is a polygon or multipolygon in EPSG:4326; its holes' edges count too.
    """
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    if lons.size == 0:
        return np.empty(0)
    starts, ends = edge_segments(area)
    unique, back = np.unique(np.column_stack([lons, lats]), axis=0, return_inverse=True)
    found = np.empty(len(unique))
    plane = _Plane(starts, ends, unique)
    for first in range(0, len(unique), _CHUNK):
        chunk = unique[first : first + _CHUNK]
        found[first : first + _CHUNK] = _nearest(plane, starts, ends, chunk)
    return found[back.ravel()]


def edge_segments(area: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Return the start and end ``(lon, lat)`` of every edge of every ring of the area."""
    rings = shapely.get_rings(shapely.get_parts(area))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[:-1] == ring[1:]
    return coords[:-1][same], coords[1:][same]


class _Plane:
    """Edges scaled to metres at the middle of the points, in an STRtree."""

    def __init__(self, starts: np.ndarray, ends: np.ndarray, points: np.ndarray) -> None:
        self.origin = (points.min(axis=0) + points.max(axis=0)) / 2.0
        self.scale = _metres_per_degree(self.origin[None, :])[0]
        self.tree = shapely.STRtree(shapely.linestrings(self._pairs(starts, ends)))
        everything = np.vstack([starts, ends, points])[:, 1]
        self.widest = _spread(self.scale, float(everything.min()), float(everything.max()))

    def points(self, lon_lat: np.ndarray) -> np.ndarray:
        """Return the points in this plane."""
        xy = (lon_lat - self.origin) * self.scale
        return shapely.points(xy[:, 0], xy[:, 1])

    def spread(self, lats: np.ndarray, reach_m: float) -> float:
        """Return the most a distance in the plane can be off, as a ratio, within ``reach_m``
        plane metres of points at these latitudes."""
        margin = reach_m * self.widest / self.scale[1]
        return _spread(self.scale, float(lats.min()) - margin, float(lats.max()) + margin)

    def _pairs(self, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        return np.stack([(starts - self.origin) * self.scale, (ends - self.origin) * self.scale], 1)


def _nearest(plane: _Plane, starts: np.ndarray, ends: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Return the geodesic metres from each point to its nearest edge."""
    shapes = plane.points(points)
    (near_point, _), gap = plane.tree.query_nearest(shapes, return_distance=True)
    reach = np.full(len(points), np.inf)
    np.minimum.at(reach, near_point, gap)
    spread = plane.spread(points[:, 1], float(reach.max()))
    which, edge = plane.tree.query(shapes, predicate="dwithin", distance=reach * spread + _SLACK_M)
    lon_lat = points[which]
    ends_at = _closest(lon_lat, _metres_per_degree(points)[which], starts[edge], ends[edge])
    _, _, metres = geod().inv(lon_lat[:, 0], lon_lat[:, 1], ends_at[:, 0], ends_at[:, 1])
    found = np.full(len(points), np.inf)
    np.minimum.at(found, which, np.asarray(metres, dtype=float))
    return found


def _closest(
    points: np.ndarray, scale: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Return the point of each segment nearest its point, in a plane scaled (``scale``,
    metres per degree of lon and of lat) at that point."""
    a, b = (starts - points) * scale, (ends - points) * scale
    along = b - a
    length = np.einsum("ij,ij->i", along, along)
    t = -np.einsum("ij,ij->i", a, along) / np.maximum(length, np.finfo(float).tiny)
    return points + (a + np.clip(t, 0.0, 1.0)[:, None] * along) / scale


def _metres_per_degree(lon_lat: np.ndarray) -> np.ndarray:
    """Return the geodesic metres a degree of lon and of lat spans at each point."""
    lons = lon_lat[:, 0]
    lats = np.clip(lon_lat[:, 1], -_POLAR, _POLAR)
    _, _, east = geod().inv(lons, lats, lons + _STEP, lats)
    _, _, north = geod().inv(lons, lats - _STEP / 2, lons, lats + _STEP / 2)
    return np.column_stack([np.asarray(east), np.asarray(north)]) / _STEP


def _spread(scale: np.ndarray, south: float, north: float) -> float:
    """Return the most a distance in a plane of this scale can be off, as a ratio, anywhere
    between ``south`` and ``north``: the widest ratio of the scales met there to each other."""
    south, north = max(south, -_POLAR), min(north, _POLAR)
    lats = np.array([south, north, min(max(0.0, south), north)])
    met = _metres_per_degree(np.column_stack([np.zeros(3), lats]))
    ratios = np.concatenate([met[:, 0] / scale[0], met[:, 1] / scale[1]])
    return float(ratios.max() / ratios.min())
