"""The explore map: a base map, neighbourhoods shaded by count, and a layer control.

Strengths are not drawn into it. The page's script (``static/js/explore.js``) fetches them for
the view from the features endpoint, so the page weighs the same whatever the register holds.
The Leaflet map, its layer control and its overlays are handed to that script as
``window.assetmapMaps[<map variable>]``.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from branca.element import MacroElement
from jinja2 import Template

from assetmap.maps.builder import (
    CLUSTER_CSS,
    CLUSTER_JS,
    MapSettings,
    add_neighbourhoods,
    new_map,
)

# About 5 m: outlines stay true at street zoom and lose most of their vertices.
NEIGHBOURHOOD_TOLERANCE = 0.00005


class Expose(MacroElement):
    """Publish a map, its layer control and named overlays to the page's own script."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(window.assetmapMaps = window.assetmapMaps || {})[{{ this.map.get_name() | tojson }}] = "
        "{map: {{ this.map.get_name() }}, control: {{ this.control.get_name() }}, overlays: { "
        "{% for key, layer in this.overlays.items() %}"
        "{{ key | tojson }}: {{ layer.get_name() }},"
        "{% endfor %}}};"
        "{% endmacro %}"
    )

    def __init__(
        self,
        fmap: folium.Map,
        control: folium.LayerControl,
        overlays: dict[str, folium.map.Layer],
    ) -> None:
        super().__init__()
        self._name = "Expose"
        self.map = fmap
        self.control = control
        self.overlays = overlays


def explore_map(
    settings: MapSettings,
    neighbourhoods: gpd.GeoDataFrame,
    *,
    bounds: tuple[float, float, float, float],
) -> folium.Map:
    """Return the explore map fitted to ``bounds`` (minlon, minlat, maxlon, maxlat, EPSG:4326).

    ``neighbourhoods`` is ``neighbourhood_layer``'s GeoDataFrame: each is shaded by its count.
    """
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
    control = folium.LayerControl(collapsed=True)
    control.add_to(fmap)
    Expose(fmap, control, overlays).add_to(fmap)
    return fmap
