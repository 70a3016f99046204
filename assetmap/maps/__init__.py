"""Folium maps built from GeoDataFrames.

This package is the only place where WGS84 ``lon, lat`` becomes Leaflet's ``[lat, lon]``.
Every script and stylesheet a map needs is served by assetmap itself, never a CDN.
``builder`` makes the map and its areas, ``markers`` every point on it with its popup and
tooltip; the page embeds the rendered parts with ``templates/macros/map.html``.
"""

from assetmap.maps.builder import (
    MapParts,
    MapSettings,
    add_area_outline,
    add_neighbourhoods,
    new_map,
    render,
)
from assetmap.maps.markers import add_assets, add_origin, add_point, place_map

__all__ = [
    "MapParts",
    "MapSettings",
    "add_area_outline",
    "add_assets",
    "add_neighbourhoods",
    "add_origin",
    "add_point",
    "new_map",
    "place_map",
    "render",
]
