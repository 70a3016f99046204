"""Markers, popups and tooltips: every point folium draws, and the text bound to it.

A strength's circle takes its kind's colour from the page's stylesheet (``map-dot--<kind>``),
where the kind colours are defined once. Its popup is built in the page by the function every
map's popups come from (``assetmapPopup`` in ``static/js/maps.js``), from data passed as JSON
(``Popup``); a tooltip reaches Leaflet as escaped HTML in a JSON string (``Bound``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from branca.element import MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

from assetmap.domain.vocab import Theme
from assetmap.maps.builder import CLUSTER_CSS, CLUSTER_JS, MapSettings, check_crs, new_map

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

# The page's script that builds every popup.
MAPS_JS = ("assetmap_maps", "js/maps.js")
THEME_VALUES = frozenset(theme.value for theme in Theme)
# The fill of a strength of no known kind; the stylesheet fills each known kind.
NEUTRAL_FILL = "#505a5f"
RING_COLOUR = "#1d70b8"
ORIGIN_COLOUR = "#0b0c0c"
# Leaflet's z-index offset that keeps a funded project above the strengths around it.
FUNDED_ABOVE = 1000
# A funded project: a yellow diamond ringed in black, apart from every kind's round dot. The
# map's key draws the same picture.
FUNDED_ICON = (
    '<svg width="22" height="22" viewBox="0 0 22 22" aria-hidden="true" focusable="false">'
    '<path d="M11 1 21 11 11 21 1 11Z" fill="#ffdd00" stroke="#0b0c0c" stroke-width="2"/></svg>'
)


class Bound(MacroElement):
    """A tooltip bound from an HTML string passed as JSON.

    folium's own Tooltip places text inside a JavaScript template literal, where ``${...}`` in
    user text would run.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bind{{ this.what }}({{ this.content | tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, what: str, content: Markup) -> None:
        super().__init__()
        self._name = what
        self.what = what
        self.content = str(content)


class Popup(MacroElement):
    """A strength's popup, built in the page by ``assetmapPopup`` (``static/js/maps.js``).

    Every map builds its popups there, from data passed as JSON: user text never becomes HTML.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup(function () {"
        " return window.assetmapPopup({{ this.strength | tojson }}); });"
        "{% endmacro %}"
    )

    def __init__(self, strength: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Popup"
        self.strength = strength


def popup_data(row: Any, link: Callable[[int], str] | None) -> dict[str, Any]:
    """Return what a strength's popup shows, from a layer's row: themes as people read them."""
    strength: dict[str, Any] = {
        "title": row.title,
        "kind": row.kind,
        "themes": [_theme_label(theme) for theme in row.themes],
        "unconfirmed": bool(getattr(row, "unconfirmed", False)),
    }
    if link:
        strength["url"] = link(row.id)
    return strength


def _theme_label(value: str) -> str:
    return Theme(value).label if value in THEME_VALUES else value


def asset_marker(row: Any, link: Callable[[int], str] | None) -> folium.CircleMarker:
    """Return one strength (a layer's row) as a circle with its popup and tooltip."""
    import folium

    marker = folium.CircleMarker(
        location=[row.geometry.y, row.geometry.x],
        radius=8,
        color="#0b0c0c",
        weight=1,
        fill=True,
        fill_color=NEUTRAL_FILL,
        fill_opacity=0.9,
        class_name=f"map-dot map-dot--{row.kind}",
    )
    marker.add_child(Popup(popup_data(row, link)))
    marker.add_child(Bound("Tooltip", escape(row.title)))
    return marker


def add_assets(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    settings: MapSettings,
    *,
    name: str,
    link: Callable[[int], str] | None = None,
    cluster: bool = False,
    show: bool = True,
) -> folium.FeatureGroup:
    """Add a layer of assets (``id``, ``kind``, ``title``, ``themes``) as coloured markers.

    A boolean ``unconfirmed`` column, where the layer has one, marks popups "Unconfirmed".
    """
    import folium
    from folium.plugins import MarkerCluster

    check_crs(layer)
    group = folium.FeatureGroup(name=name, show=show)
    # render() lists each script once, however many layers ask for it.
    fmap.default_js = [*fmap.default_js, (MAPS_JS[0], settings.static_url(MAPS_JS[1]))]
    group.add_to(fmap)
    parent: Any = group
    if cluster:
        parent = MarkerCluster(control=False)
        parent.add_to(group)
        parent.default_js = [(CLUSTER_JS[0], settings.static_url(CLUSTER_JS[1]))]
        parent.default_css = [(key, settings.static_url(path)) for key, path in CLUSTER_CSS]
    for row in layer.itertuples(index=False):
        asset_marker(row, link).add_to(parent)
    return group


def add_funded(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    settings: MapSettings,
    *,
    name: str,
    link: Callable[[int], str | None] | None = None,
) -> folium.FeatureGroup:
    """Add a layer of funded projects (``title``, ``round_id``, ``note``: what was funded, in
    words) as diamonds whose popups link to each project's round with ``link``."""
    import folium

    check_crs(layer)
    group = folium.FeatureGroup(name=name)
    fmap.default_js = [*fmap.default_js, (MAPS_JS[0], settings.static_url(MAPS_JS[1]))]
    group.add_to(fmap)
    for row in layer.itertuples(index=False):
        funded_marker(row, link).add_to(group)
    return group


def funded_marker(row: Any, link: Callable[[int], str | None] | None) -> folium.Marker:
    """Return one funded project (a layer's row) as a diamond with its popup and tooltip."""
    import folium

    project: dict[str, Any] = {"title": row.title, "note": row.note}
    url = link(int(row.round_id)) if link else None
    if url:
        project["url"] = url
    icon = folium.DivIcon(
        html=FUNDED_ICON, icon_size=(22, 22), icon_anchor=(11, 11), class_name="funded-marker"
    )
    # Above the strengths' dots and clusters the page's script draws, so none hides it.
    marker = folium.Marker(
        location=[row.geometry.y, row.geometry.x],
        icon=icon,
        title=row.title,
        z_index_offset=FUNDED_ABOVE,
    )
    marker.add_child(Popup(project))
    marker.add_child(Bound("Tooltip", escape(row.title)))
    return marker


def add_point(
    fmap: folium.Map, lon: float, lat: float, *, label: str, radius_m: float | None = None
) -> folium.Marker:
    """Mark one point, optionally ringed by a circle of ``radius_m`` metres."""
    import folium

    marker = folium.Marker(location=[lat, lon]).add_child(Bound("Tooltip", escape(label)))
    marker.add_to(fmap)
    if radius_m:
        _ring(fmap, lon, lat, radius_m)
    return marker


def add_origin(
    fmap: folium.Map, lon: float, lat: float, *, label: str, radius_m: float | None = None
) -> folium.CircleMarker:
    """Mark where a search measures from: a small ring, drawn beneath the results' markers.

    Leaflet draws circle markers in its overlay pane, under the marker pane, so the origin
    never covers a strength found at the same spot.
    """
    import folium

    if radius_m:
        _ring(fmap, lon, lat, radius_m)
    marker = folium.CircleMarker(
        location=[lat, lon],
        radius=7,
        color=ORIGIN_COLOUR,
        weight=3,
        fill=True,
        fill_color="#ffffff",
        fill_opacity=1.0,
        class_name="map-origin",
    )
    marker.add_child(Bound("Tooltip", escape(label))).add_to(fmap)
    return marker


def place_map(
    settings: MapSettings,
    lon: float,
    lat: float,
    *,
    label: str,
    radius_m: float | None = None,
    zoom: int = 15,
) -> folium.Map:
    """Return a small map of one point (EPSG:4326), optionally ringed by ``radius_m`` metres."""
    fmap = new_map(settings, center=(lon, lat), zoom=zoom)
    add_point(fmap, lon, lat, label=label, radius_m=radius_m)
    return fmap


def _ring(fmap: folium.Map, lon: float, lat: float, radius_m: float) -> None:
    import folium

    folium.Circle(location=[lat, lon], radius=radius_m, color=RING_COLOUR, fill=False).add_to(fmap)
