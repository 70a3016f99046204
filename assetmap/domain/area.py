"""The area strengths must lie in and maps open on (WGS84, EPSG:4326).

It is either a box (``geo.BBox``, as ``ASSETMAP_AREA_BBOX`` gives one) or an outline, such as
the neighbourhoods grown by a margin. Both answer the same two questions: which box a map
opens on, and whether a point lies inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import shapely
from shapely.geometry.base import BaseGeometry

from assetmap.domain.geo import BBox

OUTSIDE = "is outside the area this assetmap covers"


class Area(Protocol):
    """Where strengths may lie: ``bbox`` is what a map opens on, ``contains`` the test."""

    @property
    def bbox(self) -> BBox:
        """Return the smallest box holding the area."""
        ...

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point lies inside the area or on its edge."""
        ...


@dataclass(frozen=True, eq=False)
class OutlinedArea:
    """An area drawn by polygons in EPSG:4326; its edge counts as inside."""

    outline: BaseGeometry
    bbox: BBox = field(init=False)

    def __post_init__(self) -> None:
        if self.outline.is_empty or self.outline.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"an area must be a polygon, got {self.outline.geom_type}")
        # Prepared once, each point test after the first is a quick walk of an index.
        shapely.prepare(self.outline)
        object.__setattr__(self, "bbox", BBox(*self.outline.bounds))

    def contains(self, lon: float, lat: float) -> bool:
        """Return whether the point lies inside the outline or on its edge."""
        return self.bbox.contains(lon, lat) and bool(shapely.intersects_xy(self.outline, lon, lat))
