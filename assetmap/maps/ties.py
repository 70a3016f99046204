"""The ties of one strength on a map: it, the strengths it is tied to, and a line to each.

Every point is a public point (a skill's is its grid cell's centre), so a line never leads to
anyone's home. The layers are GeoDataFrames in EPSG:4326, drawn by ``add_ties``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from shapely.geometry import LineString, Point

from assetmap.domain.ties import TieEnd
from assetmap.maps.builder import MapSettings, check_crs
from assetmap.maps.markers import Bound, add_assets

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

TIE_COLOUR = "#0b0c0c"
# About 300 m: a strength with no ties, or ties close by, is still shown in its streets.
MARGIN = 0.003


@dataclass(frozen=True)
class TieLayers:
    """A strength and its ties as layers: ``points`` (the strength first) and ``lines``."""

    points: gpd.GeoDataFrame
    lines: gpd.GeoDataFrame

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return the box holding every point, with a margin (minlon, minlat, maxlon, maxlat)."""
        minx, miny, maxx, maxy = (float(v) for v in self.points.total_bounds)
        return minx - MARGIN, miny - MARGIN, maxx + MARGIN, maxy + MARGIN


def tie_layers(
    focus: Mapping[str, Any], ends: Sequence[TieEnd], themes: Mapping[int, Sequence[str]]
) -> TieLayers:
    """Return the layers of a strength (``focus``: id, kind, title, lon, lat at its public
    point) and the ends of its ties, each with its ``themes`` where known."""
    import geopandas as gpd

    origin = Point(focus["lon"], focus["lat"])
    points = gpd.GeoDataFrame(
        {
            "id": [focus["id"], *(end.asset_id for end in ends)],
            "kind": [str(focus["kind"]), *(end.asset_kind.value for end in ends)],
            "title": [focus["title"], *(end.title for end in ends)],
            "themes": [list(themes.get(n, ())) for n in (focus["id"], *(e.asset_id for e in ends))],
        },
        geometry=[origin, *(Point(end.lon, end.lat) for end in ends)],
        crs="EPSG:4326",
    )
    lines = gpd.GeoDataFrame(
        {
            "to": [end.asset_id for end in ends],
            "label": [f"{end.label}: {end.title}" for end in ends],
        },
        geometry=[LineString([origin, Point(end.lon, end.lat)]) for end in ends],
        crs="EPSG:4326",
    )
    return TieLayers(points, lines)


def add_ties(
    fmap: folium.Map,
    layers: TieLayers,
    settings: MapSettings,
    *,
    name: str,
    link: Callable[[int], str] | None = None,
) -> folium.FeatureGroup:
    """Draw the ties as lines, beneath markers for the strength and the strengths tied to it.

    Each line's tooltip says what the tie is ("Meets at: Church hall"), escaped.
    """
    import folium

    check_crs(layers.lines)
    # Added first, so the lines are drawn beneath the markers they join.
    lines = folium.FeatureGroup(name=f"{name}: lines", control=False)
    lines.add_to(fmap)
    for row in layers.lines.itertuples(index=False):
        line = folium.PolyLine(
            locations=[[lat, lon] for lon, lat in row.geometry.coords],
            color=TIE_COLOUR,
            weight=3,
            dash_array="6 6",
            class_name="map-tie",
        )
        line.add_child(Bound("Tooltip", escape(row.label)))
        line.add_to(lines)
    return add_assets(fmap, layers.points, settings, name=name, link=link)
