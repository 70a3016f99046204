"""Draw a strength check's catchment on a folium map."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from assetmap.domain.geo import bbox_around
from assetmap.domain.i18n import _
from assetmap.maps.markers import add_origin

if TYPE_CHECKING:
    import folium

CATCHMENT_COLOUR = "#1d70b8"
# Room left around what a map is fitted to, so a marker on its edge is drawn whole (metres).
MARGIN_M = 80.0


def catchment_bounds(
    outline: BaseGeometry, points: Iterable[tuple[float, float]] = ()
) -> tuple[float, float, float, float]:
    """Return the box that holds a catchment's outline and every ``(lon, lat)`` point given,
    with a margin: ``(minlon, minlat, maxlon, maxlat)``, EPSG:4326 in and out."""
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    for lon, lat in points:
        min_lon, min_lat = min(min_lon, lon), min(min_lat, lat)
        max_lon, max_lat = max(max_lon, lon), max(max_lat, lat)
    south_west = bbox_around(min_lon, min_lat, MARGIN_M)
    north_east = bbox_around(max_lon, max_lat, MARGIN_M)
    return (south_west.min_lon, south_west.min_lat, north_east.max_lon, north_east.max_lat)


def add_catchment(
    fmap: folium.Map,
    *,
    area: BaseGeometry | None = None,
    centre: tuple[float, float] | None = None,
    radius_m: float | None = None,
    name: str | None = None,
) -> Any:
    """Outline an area (EPSG:4326), or ring ``centre`` (lon, lat) at ``radius_m`` metres.

    The layer is named ``name``, else "Catchment" in the reader's language."""
    import folium

    name = str(_("Catchment")) if name is None else name
    if area is None:
        if centre is None or radius_m is None:
            raise ValueError("a catchment is an area, or a centre with a radius")
        return add_origin(fmap, centre[0], centre[1], label=name, radius_m=radius_m)
    layer = folium.GeoJson(
        {"type": "Feature", "properties": {}, "geometry": mapping(area)},
        name=str(escape(name)),
        style_function=lambda _feature: {
            "color": CATCHMENT_COLOUR,
            "weight": 3,
            "fillColor": CATCHMENT_COLOUR,
            "fillOpacity": 0.08,
        },
    )
    layer.add_to(fmap)
    return layer
