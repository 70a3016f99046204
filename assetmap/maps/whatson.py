"""The what's on map: where the groups listed meet, one marker per group.

A group is drawn where its sessions are: the first space it meets at, else its own public point
(``domain.whatson.Candidate.point``). Popups link to the group's page, built like every other
map's (``markers.add_assets``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markupsafe import escape

from assetmap.domain.geo import bbox_around
from assetmap.domain.i18n import _
from assetmap.domain.whatson import Candidate
from assetmap.maps.builder import MapSettings, new_map
from assetmap.maps.markers import add_assets, add_origin

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

# A lone place is shown with this much around it, in metres.
LONE_PLACE_M = 300.0
# The box around the places is widened by this share of its size, so no marker sits on an edge.
MARGIN = 0.08


def places_layer(groups: Sequence[Candidate]) -> gpd.GeoDataFrame:
    """Return one row per group (``id``, ``kind``, ``title``, ``themes``) at where it meets, in
    EPSG:4326."""
    import geopandas as gpd

    points = [group.point for group in groups]
    return gpd.GeoDataFrame(
        {
            "id": [group.asset_id for group in groups],
            "kind": ["group"] * len(groups),
            "title": [group.title for group in groups],
            "themes": [[theme.value for theme in group.themes] for group in groups],
        },
        geometry=gpd.points_from_xy([p[0] for p in points], [p[1] for p in points]),
        crs="EPSG:4326",
    )


def whatson_map(
    settings: MapSettings,
    layer: gpd.GeoDataFrame,
    *,
    fallback: tuple[float, float, float, float],
    link: Callable[[int], str],
    origin: tuple[float, float, str, float] | None = None,
) -> folium.Map:
    """Return a map of ``places_layer``'s groups, fitted to them, else to ``fallback`` (minlon,
    minlat, maxlon, maxlat). ``origin`` (lon, lat, label, radius in metres) marks where a search
    measured from."""
    fmap = new_map(settings, bounds=places_bounds(layer) or fallback)
    if origin is not None:
        lon, lat, label, radius_m = origin
        add_origin(fmap, lon, lat, label=label, radius_m=radius_m)
    if len(layer):
        name = str(escape(_("Groups meeting")))
        add_assets(fmap, layer, settings, name=name, link=link)
    return fmap


def places_bounds(layer: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    """Return the box the layer's points fill, with a margin; None for an empty layer."""
    if not len(layer):
        return None
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in layer.total_bounds)
    if max_lon - min_lon < 1e-6 and max_lat - min_lat < 1e-6:
        return bbox_around(min_lon, min_lat, LONE_PLACE_M).as_tuple()
    pad_lon, pad_lat = (max_lon - min_lon) * MARGIN, (max_lat - min_lat) * MARGIN
    return (min_lon - pad_lon, min_lat - pad_lat, max_lon + pad_lon, max_lat + pad_lat)
