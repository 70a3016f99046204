from __future__ import annotations

import re

import geopandas as gpd
from shapely.geometry import Point

from assetmap.maps import MapSettings, place_map, render
from assetmap.maps.explore import explore_map

SETTINGS = MapSettings(
    "https://tiles.example.org/{z}/{x}/{y}.png", "Tiles", lambda path: f"/static/{path}"
)
TOWN = (-2.42, 51.19, -2.24, 51.27)


def wards(name: str = "Keyford") -> gpd.GeoDataFrame:
    # A ring of 400 vertices, each a few centimetres from the last.
    ring = Point(-2.32, 51.23).buffer(0.01, quad_segs=100)
    return gpd.GeoDataFrame(
        {"id": [1], "code": ["k"], "name": [name], "assets": [12]}, geometry=[ring], crs=4326
    )


def test_the_explore_map_carries_no_strengths_and_loads_nothing_from_elsewhere() -> None:
    parts = render(explore_map(SETTINGS, wards(), bounds=TOWN))
    assert "L.marker" not in parts.script and "circleMarker" not in parts.script
    assert "/static/vendor/markercluster/leaflet.markercluster.js" in parts.scripts
    assert "/static/vendor/markercluster/MarkerCluster.Default.css" in parts.styles
    assert not re.search(r"https?://(?!tiles\.example\.org)", parts.html + parts.script)


def test_the_map_its_layer_control_and_neighbourhoods_are_handed_to_the_page_script() -> None:
    parts = render(explore_map(SETTINGS, wards(), bounds=TOWN))
    exposed = re.search(
        r'assetmapMaps \|\| \{\}\)\["(map_\w+)"\] = \{map: (\w+), control: (\w+), overlays: '
        r'\{ "neighbourhoods": (\w+),\}\};',
        parts.script,
    )
    assert exposed is not None
    assert exposed[1] == exposed[2] == parts.name
    assert f"let {exposed[3]} = L.control.layers(" in parts.script
    assert f"var {exposed[4]} = L.geoJson(" in parts.script


def test_neighbourhood_outlines_are_simplified_and_rounded() -> None:
    script = render(explore_map(SETTINGS, wards(), bounds=TOWN)).script
    vertices = re.findall(r"\[-2\.\d+, 51\.\d+\]", script)
    assert 4 <= len(vertices) < 100
    assert all(len(v.split(", ")[1].rstrip("]")) <= len("51.123456") for v in vertices)


def test_neighbourhood_names_are_escaped() -> None:
    script = render(explore_map(SETTINGS, wards("<b>Keyford</b>"), bounds=TOWN)).script
    assert "<b>" not in script
    assert r'"\u0026lt;b\u0026gt;Keyford\u0026lt;/b\u0026gt;"' in script


def test_a_map_without_neighbourhoods_still_has_a_layer_control() -> None:
    parts = render(explore_map(SETTINGS, wards().iloc[0:0], bounds=TOWN))
    assert "L.control.layers(" in parts.script and "overlays: { }" in parts.script


def test_a_place_map_is_centred_lat_lon_and_rings_the_area() -> None:
    script = render(place_map(SETTINGS, -2.3215, 51.2305, label="Choir", radius_m=283)).script
    assert "[51.2305, -2.3215]" in script
    assert '"radius": 283' in script
