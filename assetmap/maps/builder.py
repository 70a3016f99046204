"""Build folium maps from GeoDataFrames (EPSG:4326), in the spirit of ``GeoDataFrame.explore``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template
from markupsafe import Markup, escape

KIND_COLOURS = {"skill": "#6a3d9a", "group": "#1b7a3e", "space": "#a34800"}

# Paths under the app's static folder that replace folium's CDN links.
LEAFLET_JS = ("leaflet", "vendor/leaflet/leaflet.js")
LEAFLET_CSS = ("leaflet_css", "vendor/leaflet/leaflet.css")
CLUSTER_JS = ("markerclusterjs", "vendor/markercluster/leaflet.markercluster.js")
CLUSTER_CSS = (
    ("markerclustercss", "vendor/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "vendor/markercluster/MarkerCluster.Default.css"),
)


@dataclass(frozen=True)
class MapSettings:
    """Where tiles come from, and how to turn a static path into a URL."""

    tiles_url: str
    tiles_attribution: str
    static_url: Callable[[str], str]


@dataclass(frozen=True)
class MapParts:
    """A rendered map: its element, its script, the files it needs, and its Leaflet variable."""

    html: Markup
    script: Markup
    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    name: str = ""


def new_map(
    settings: MapSettings,
    *,
    bounds: tuple[float, float, float, float] | None = None,
    center: tuple[float, float] | None = None,
    zoom: int = 14,
) -> folium.Map:
    """Return an empty map fitted to ``bounds`` (minlon, minlat, maxlon, maxlat) or ``center``."""
    lon, lat = center or (0.0, 0.0)
    fmap = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True)
    fmap.default_js = [(LEAFLET_JS[0], settings.static_url(LEAFLET_JS[1]))]
    fmap.default_css = [(LEAFLET_CSS[0], settings.static_url(LEAFLET_CSS[1]))]
    folium.TileLayer(
        tiles=settings.tiles_url, attr=settings.tiles_attribution, name="Streets", control=False
    ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


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
    _check_crs(layer)
    group = folium.FeatureGroup(name=name, show=show)
    group.add_to(fmap)
    parent: Any = group
    if cluster:
        parent = MarkerCluster(control=False)
        parent.add_to(group)
        parent.default_js = [(CLUSTER_JS[0], settings.static_url(CLUSTER_JS[1]))]
        parent.default_css = [(key, settings.static_url(path)) for key, path in CLUSTER_CSS]
    for row in layer.itertuples(index=False):
        folium.CircleMarker(
            location=[row.geometry.y, row.geometry.x],
            radius=8,
            color="#0b0c0c",
            weight=1,
            fill=True,
            fill_color=KIND_COLOURS.get(row.kind, "#505a5f"),
            fill_opacity=0.9,
        ).add_child(
            Bound(
                "Popup",
                popup_html(
                    row.id,
                    row.kind,
                    row.title,
                    list(row.themes),
                    link,
                    bool(getattr(row, "unconfirmed", False)),
                ),
            )
        ).add_child(Bound("Tooltip", escape(row.title))).add_to(parent)
    return group


class Bound(MacroElement):
    """A popup or tooltip bound from an HTML string passed as JSON.

    folium's own Popup needs jQuery and inline styles, and its Tooltip places text inside a
    JavaScript template literal, where ``${...}`` in user text would run.
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


def popup_html(
    asset_id: int,
    kind: str,
    title: str,
    themes: list[str],
    link: Callable[[int], str] | None,
    unconfirmed: bool = False,
) -> Markup:
    """Return a popup's HTML with every piece of user text escaped."""
    heading = Markup('<a href="{}">{}</a>').format(link(asset_id), title) if link else escape(title)
    html = Markup('<strong class="map-popup__title">{}</strong><br>{} · {}').format(
        heading, kind, ", ".join(themes)
    )
    return html + Markup("<br>Unconfirmed") if unconfirmed else html


def add_neighbourhoods(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    *,
    name: str = "Neighbourhoods",
    show: bool = True,
    tolerance: float = 0.0,
) -> folium.GeoJson:
    """Add neighbourhood outlines shaded by how many strengths each holds (column ``assets``).

    A ``tolerance`` in degrees simplifies the outlines and rounds them to six decimals, for a
    lighter page.
    """
    _check_crs(layer)
    top = shading_top(layer)

    def style(feature: dict) -> dict:
        return {
            "color": "#1d3d2f",
            "weight": 2,
            "fillColor": "#1d70b8",
            "fillOpacity": shading_opacity(feature["properties"]["assets"], top),
        }

    shown = layer[["code", "name", "assets", "geometry"]].copy()
    # The tooltip writes properties into the page as HTML.
    shown["name"] = shown["name"].map(lambda name: str(escape(name)))
    if tolerance > 0:
        simplified = shapely.simplify(shown.geometry.values, tolerance, preserve_topology=True)
        shown["geometry"] = shapely.transform(simplified, lambda xy: np.round(xy, 6))
    geojson = folium.GeoJson(
        shown.to_json(),
        name=name,
        show=show,
        style_function=style,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "assets"], aliases=["Neighbourhood", "Strengths"]
        ),
    )
    geojson.add_to(fmap)
    return geojson


def shading_top(layer: gpd.GeoDataFrame) -> int:
    """Return the count that neighbourhood shading reaches full strength at (at least 1)."""
    return max(int(layer["assets"].max()) if len(layer) else 0, 1)


def shading_opacity(assets: int, top: int) -> float:
    """Return the fill opacity of a neighbourhood holding ``assets`` when the most holds ``top``."""
    return 0.05 + 0.45 * min(assets / top, 1.0)


def add_point(
    fmap: folium.Map, lon: float, lat: float, *, label: str, radius_m: float | None = None
) -> folium.Marker:
    """Mark one point, optionally ringed by a circle of ``radius_m`` metres."""
    marker = folium.Marker(location=[lat, lon]).add_child(Bound("Tooltip", escape(label)))
    marker.add_to(fmap)
    if radius_m:
        folium.Circle(location=[lat, lon], radius=radius_m, color="#1d70b8", fill=False).add_to(
            fmap
        )
    return marker


AREA_COLOUR = "#1d3d2f"


def add_area_outline(
    fmap: folium.Map, bounds: tuple[float, float, float, float]
) -> folium.Rectangle:
    """Outline the area the register covers: ``(minlon, minlat, maxlon, maxlat)``, EPSG:4326.

    Only its line is drawn, and a click on it reaches the map too (Leaflet bubbles it).
    """
    min_lon, min_lat, max_lon, max_lat = bounds
    outline = folium.Rectangle(
        bounds=[[min_lat, min_lon], [max_lat, max_lon]],
        color=AREA_COLOUR,
        weight=3,
        dash_array="8 6",
        fill=False,
        class_name="map-area",
    )
    outline.add_to(fmap)
    return outline


ORIGIN_COLOUR = "#0b0c0c"


def add_origin(
    fmap: folium.Map, lon: float, lat: float, *, label: str, radius_m: float | None = None
) -> folium.CircleMarker:
    """Mark where a search measures from: a small ring, drawn beneath the results' markers.

    Leaflet draws circle markers in its overlay pane, under the marker pane, so the origin
    never covers a strength found at the same spot.
    """
    if radius_m:
        folium.Circle(location=[lat, lon], radius=radius_m, color="#1d70b8", fill=False).add_to(
            fmap
        )
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


def render(fmap: folium.Map) -> MapParts:
    """Render a map into the parts a page places: element, script and needed files."""
    figure: Any = fmap.get_root()
    figure.render()
    scripts: list[str] = []
    styles: list[str] = []
    for element in _walk(fmap):
        scripts += [url for _, url in getattr(element, "default_js", [])]
        styles += [url for _, url in getattr(element, "default_css", [])]
    return MapParts(
        html=Markup(figure.html.render()),
        script=Markup(figure.script.render()),
        scripts=tuple(dict.fromkeys(scripts)),
        styles=tuple(dict.fromkeys(styles)),
        name=fmap.get_name(),
    )


def _walk(element: Element) -> list[Element]:
    found = [element]
    for child in element._children.values():
        found += _walk(child)
    return found


def _check_crs(layer: gpd.GeoDataFrame) -> None:
    if layer.crs is None or layer.crs.to_epsg() != 4326:
        raise ValueError(f"map layers must be in EPSG:4326, got {layer.crs}")
