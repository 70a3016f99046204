"""Geodesy on WGS84 (EPSG:4326): validated coordinates, bounding boxes and distances in metres.

Every coordinate pair is ``lon, lat`` in that order. Metres are geodesic, computed with pyproj.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pyproj import Geod


@functools.cache
def geod() -> Geod:
    """The WGS84 ellipsoid's geodesics, built on first use: pyproj is heavy to import, and most
    commands never measure a distance."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def __getattr__(name: str) -> Geod:
    """Keep ``GEOD`` importable by name while building it only when first asked for."""
    if name == "GEOD":
        return geod()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_FAN = np.arange(0.0, 360.0, 10.0)
# Sampling the circle every 10 degrees misses its widest point by under 0.4%; 1% keeps the
# box conservative with room to spare.
_BOX_MARGIN = 0.01


def check_lon_lat(lon: object, lat: object) -> tuple[float, float]:
    """Return ``(lon, lat)`` as floats, or raise ValueError naming the coordinate out of range."""
    lon, lat = _finite(lon, "lon"), _finite(lat, "lat")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"lon must be between -180 and 180, got {lon}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"lat must be between -90 and 90, got {lat}")
    return lon, lat


def _finite(value: object, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class BBox:
    """A longitude/latitude box in EPSG:4326 that does not cross the antimeridian."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def __post_init__(self) -> None:
        check_lon_lat(self.min_lon, self.min_lat)
        check_lon_lat(self.max_lon, self.max_lat)
        if self.min_lon > self.max_lon:
            raise ValueError(f"min lon {self.min_lon} is east of max lon {self.max_lon}")
        if self.min_lat > self.max_lat:
            raise ValueError(f"min lat {self.min_lat} is north of max lat {self.max_lat}")

    @classmethod
    def parse(cls, text: str) -> BBox:
        """Read ``minlon,minlat,maxlon,maxlat``, or raise ValueError saying what is wrong."""
        parts = text.split(",")
        if len(parts) != 4:
            raise ValueError(f"expected minlon,minlat,maxlon,maxlat, got {text!r}")
        numbers = [
            _finite(part.strip(), name) for part, name in zip(parts, _BBOX_NAMES, strict=True)
        ]
        return cls(*numbers)

    @property
    def bbox(self) -> BBox:
        """Return the box itself: as an area (``domain.area.Area``), a box is its own bounds."""
        return self

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point lies inside the box or on its edge."""
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat

    def as_tuple(self) -> tuple[float, float, float, float]:
        """Return ``(min_lon, min_lat, max_lon, max_lat)``."""
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)


_BBOX_NAMES = ("minlon", "minlat", "maxlon", "maxlat")
WORLD = BBox(-180.0, -90.0, 180.0, 90.0)


def bbox_around(lon: float, lat: float, radius_m: float) -> BBox:
    """Return a box holding every point within ``radius_m`` geodesic metres of ``(lon, lat)``.

    Where the circle reaches a pole or the antimeridian, the box widens to every longitude.
    """
    if radius_m <= 0:
        return BBox(lon, lat, lon, lat)
    n = _FAN.size
    lons, lats, _ = geod().fwd(np.full(n, lon), np.full(n, lat), _FAN, np.full(n, radius_m))
    dlon = (np.asarray(lons) - lon + 180.0) % 360.0 - 180.0
    west = lon + float(dlon.min()) * (1 + _BOX_MARGIN)
    east = lon + float(dlon.max()) * (1 + _BOX_MARGIN)
    south = max(lat + (float(np.min(lats)) - lat) * (1 + _BOX_MARGIN), -90.0)
    north = min(lat + (float(np.max(lats)) - lat) * (1 + _BOX_MARGIN), 90.0)
    # Far north or south, or for a circle of continental size, a circle's widest longitudes
    # move too fast for a sampled fan; every longitude is then the safe answer.
    if radius_m > 500_000 or max(abs(south), abs(north)) > 70.0:
        west, east = -180.0, 180.0
        if radius_m >= geod().inv(lon, lat, lon, 90.0)[2]:
            north = 90.0
        if radius_m >= geod().inv(lon, lat, lon, -90.0)[2]:
            south = -90.0
    if west < -180.0 or east > 180.0:
        west, east = -180.0, 180.0
    return BBox(west, south, east, north)


def distances_m(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Return the geodesic distance in metres from ``(lon, lat)`` to each of the points."""
    lons = np.asarray(lons, dtype=float)
    if lons.size == 0:
        return np.empty(0)
    _, _, dist = geod().inv(np.full(lons.size, lon), np.full(lons.size, lat), lons, lats)
    return np.asarray(dist)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the geodesic distance in metres between two points."""
    return float(geod().inv(lon1, lat1, lon2, lat2)[2])
