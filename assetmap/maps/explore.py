"""The explore map: a base map, neighbourhoods shaded by count, and a layer control.

Strengths are not drawn into it. The page's script (``static/js/explore.js``) fetches them for
the view from the features endpoint, so the page weighs the same whatever the register holds.
The Leaflet map, its layer control and its overlays are handed to that script as
``window.assetmapMaps[<map variable>]``, as every map is (``builder.Publish``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assetmap.maps.builder import (
    CLUSTER_CSS,
    CLUSTER_JS,
    MapSettings,
    Publish,
    add_neighbourhoods,
    new_map,
)
from assetmap.maps.markers import add_funded
from assetmap.maps.ties import TieLayers, add_ties

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

# About 5 m: outlines stay true at street zoom and lose most of their vertices.
NEIGHBOURHOOD_TOLERANCE = 0.00005


def explore_map(
    settings: MapSettings,
    neighbourhoods: gpd.GeoDataFrame,
    *,
    bounds: tuple[float, float, float, float],
    ties: TieLayers | None = None,
    ties_name: str = "",
    link: Callable[[int], str] | None = None,
    funded: gpd.GeoDataFrame | None = None,
    funded_name: str = "",
    round_link: Callable[[int], str | None] | None = None,
) -> folium.Map:
    """Return the explore map fitted to ``bounds`` (minlon, minlat, maxlon, maxlat, EPSG:4326).

    ``neighbourhoods`` is ``neighbourhood_layer``'s GeoDataFrame: each is shaded by its count.
    Given ``ties`` (``maps.ties.tie_layers``), it draws one strength's ties as an overlay named
    ``ties_name``, its markers linking to each strength's page with ``link``. Given
    ``funded`` (``storage.fund_grants.funded_points`` with a ``note`` column), it draws the
    funded projects as an overlay named ``funded_name``, each linking to its round with
    ``round_link``.
    """
    import folium

    fmap = new_map(settings, bounds=bounds)
    # The script clusters the points it draws with Leaflet.markercluster.
    fmap.default_js = [*fmap.default_js, (CLUSTER_JS[0], settings.static_url(CLUSTER_JS[1]))]
    fmap.default_css = [
        *fmap.default_css,
        *((key, settings.static_url(path)) for key, path in CLUSTER_CSS),
    ]
    overlays: dict[str, folium.map.Layer] = {}
    if len(neighbourhoods):
        overlays["neighbourhoods"] = add_neighbourhoods(
            fmap, neighbourhoods, tolerance=NEIGHBOURHOOD_TOLERANCE
        )
    if ties is not None:
        overlays["ties"] = add_ties(fmap, ties, settings, name=ties_name, link=link)
    if funded is not None:
        overlays["funded"] = add_funded(fmap, funded, settings, name=funded_name, link=round_link)
    control = folium.LayerControl(collapsed=True)
    control.add_to(fmap)
    Publish(fmap, control, overlays).add_to(fmap)
    return fmap
