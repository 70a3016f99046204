"""Folium maps built from GeoDataFrames.

This package is the only place where WGS84 ``lon, lat`` becomes Leaflet's ``[lat, lon]``.
Every script and stylesheet a map needs is served by assetmap itself, never a CDN.
"""

from assetmap.maps.builder import (
    KIND_COLOURS,
    MapParts,
    MapSettings,
    add_area_outline,
    add_assets,
    add_neighbourhoods,
    add_origin,
    add_point,
    new_map,
    place_map,
    render,
)

__all__ = [
    "KIND_COLOURS",
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
