"""Draw a strength check's catchment on a folium map."""

from __future__ import annotations

from typing import Any

import folium
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from assetmap.maps.builder import add_point

CATCHMENT_COLOUR = "#1d70b8"


def add_catchment(
    fmap: folium.Map,
    *,
    area: BaseGeometry | None = None,
    centre: tuple[float, float] | None = None,
    radius_m: float | None = None,
    name: str = "Catchment",
) -> Any:
    """Outline an area (EPSG:4326), or ring ``centre`` (lon, lat) at ``radius_m`` metres."""
    if area is None:
        if centre is None or radius_m is None:
            raise ValueError("a catchment is an area, or a centre with a radius")
        return add_point(fmap, centre[0], centre[1], label=name, radius_m=radius_m)
    layer = folium.GeoJson(
        {"type": "Feature", "properties": {}, "geometry": mapping(area)},
        name=name,
        style_function=lambda _feature: {
            "color": CATCHMENT_COLOUR,
            "weight": 3,
            "fillColor": CATCHMENT_COLOUR,
            "fillOpacity": 0.08,
        },
    )
    layer.add_to(fmap)
    return layer
