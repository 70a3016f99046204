"""Build folium maps from GeoDataFrames (EPSG:4326), in the spirit of ``GeoDataFrame.explore``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from markupsafe import Markup, escape
from shapely.geometry.base import BaseGeometry

from assetmap.domain.area import Area, OutlinedArea
from assetmap.domain.i18n import _

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

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
    import folium

    lon, lat = center or (0.0, 0.0)
    fmap = folium.Map(location=[lat, lon], zoom_start=zoom, tiles=None, control_scale=True)
    fmap.default_js = [(LEAFLET_JS[0], settings.static_url(LEAFLET_JS[1]))]
    fmap.default_css = [(LEAFLET_CSS[0], settings.static_url(LEAFLET_CSS[1]))]
    folium.TileLayer(
        tiles=settings.tiles_url,
        attr=settings.tiles_attribution,
        name=str(escape(_("Streets"))),
        control=False,
    ).add_to(fmap)
    if bounds is not None:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def add_neighbourhoods(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    *,
    name: str | None = None,
    show: bool = True,
    tolerance: float = 0.0,
) -> folium.GeoJson:
    """Add neighbourhood outlines shaded by how many strengths each holds (column ``assets``).

    A ``tolerance`` in degrees simplifies the outlines and rounds them to six decimals, for a
    lighter page.
    """
    import folium

    check_crs(layer)
    name = str(escape(_("Neighbourhoods"))) if name is None else name
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
            fields=["name", "assets"],
            aliases=[str(escape(_("Neighbourhood"))), str(escape(_("Strengths")))],
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


AREA_COLOUR = "#1d3d2f"
# About 1 m in degrees: the area's line loses points no one could see.
AREA_TOLERANCE = 0.00001


def add_area_outline(fmap: folium.Map, area: Area) -> folium.Polygon:
    """Outline the area strengths must lie in (EPSG:4326): its polygons, or its box.

    Only its line is drawn, every ring in one path, and a click on it reaches the map too
    (Leaflet bubbles it). The line is simplified by about 1 m, so it stays true at any zoom.
    """
    import folium

    outline = folium.Polygon(
        locations=_rings(area_shape(area).simplify(AREA_TOLERANCE)),
        color=AREA_COLOUR,
        weight=3,
        dash_array="8 6",
        fill=False,
        class_name="map-area",
    )
    outline.add_to(fmap)
    return outline


def area_shape(area: Area) -> BaseGeometry:
    """Return the shape of an area: an outlined area's polygons, else its box (EPSG:4326)."""
    if isinstance(area, OutlinedArea):
        return area.outline
    return shapely.box(*area.bbox.as_tuple())


def _rings(shape: BaseGeometry) -> list[list[list[float]]]:
    """Return every ring of a polygon or multipolygon as Leaflet's ``[lat, lon]`` pairs."""
    polygons = getattr(shape, "geoms", [shape])
    rings = [ring for polygon in polygons for ring in (polygon.exterior, *polygon.interiors)]
    return [[[lat, lon] for lon, lat in ring.coords] for ring in rings]


class Publish(MacroElement):
    """Publish a map, its layer control and named overlays to the page's scripts.

    Every page script finds its map one way: ``window.assetmapMaps[<name>]``, under the name
    the map macro writes in its element's ``data-map`` (``static/js/maps.js`` reads it).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(window.assetmapMaps = window.assetmapMaps || {})[{{ this.map.get_name() | tojson }}] = "
        "{map: {{ this.map.get_name() }}, "
        "control: {{ this.control.get_name() if this.control else 'null' }}, overlays: { "
        "{% for key, layer in this.overlays.items() %}"
        "{{ key | tojson }}: {{ layer.get_name() }},"
        "{% endfor %}}};"
        "{% endmacro %}"
    )

    def __init__(
        self,
        fmap: folium.Map,
        control: folium.LayerControl | None = None,
        overlays: dict[str, folium.map.Layer] | None = None,
    ) -> None:
        super().__init__()
        self._name = "Publish"
        self.map = fmap
        self.control = control
        self.overlays = overlays or {}


def render(fmap: folium.Map) -> MapParts:
    """Render a map into the parts a page places: element, script and needed files.

    A map not yet published to the page's scripts is published last, after all it holds.
    """
    if not any(isinstance(child, Publish) for child in fmap._children.values()):
        Publish(fmap).add_to(fmap)
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


def check_crs(layer: gpd.GeoDataFrame) -> None:
    """Raise ValueError unless ``layer`` is in EPSG:4326."""
    if layer.crs is None or layer.crs.to_epsg() != 4326:
        raise ValueError(f"map layers must be in EPSG:4326, got {layer.crs}")
