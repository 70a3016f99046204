from __future__ import annotations

import json
import re

import geopandas as gpd
from shapely.geometry import Point

from assetmap.maps import MapSettings, add_assets, new_map, place_map, render

SETTINGS = MapSettings(
    "https://tiles.example.org/{z}/{x}/{y}.png", "Tiles", lambda path: f"/static/{path}"
)


def strengths(*kinds: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": list(range(1, len(kinds) + 1)),
            "kind": list(kinds),
            "title": [f"A {kind}" for kind in kinds],
            "themes": [["learning"] for _ in kinds],
        },
        geometry=[Point(-2.32, 51.23) for _ in kinds],
        crs="EPSG:4326",
    )


def test_a_strength_takes_its_kinds_colour_from_the_stylesheet() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    add_assets(fmap, strengths("skill", "space"), SETTINGS, name="Strengths")
    script = render(fmap).script
    assert '"className": "map-dot map-dot--skill"' in script
    assert '"className": "map-dot map-dot--space"' in script
    assert not re.search(r"#6a3d9a|#a34800", script)


def test_a_strength_of_no_known_kind_is_grey() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    add_assets(fmap, strengths("other"), SETTINGS, name="Strengths")
    assert '"fillColor": "#505a5f"' in render(fmap).script


def test_a_strengths_popup_is_built_in_the_page_by_the_script_every_map_shares() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    add_assets(fmap, strengths("skill"), SETTINGS, name="Strengths", link=lambda i: f"/assets/{i}")
    parts = render(fmap)
    found = re.search(
        r"bindPopup\(function \(\) \{ return window\.assetmapPopup\((\{.*?\})\);", parts.script
    )
    assert found, "the popup is not built by assetmapPopup"
    assert json.loads(found.group(1)) == {
        "title": "A skill",
        "kind": "skill",
        "themes": ["Learning"],
        "unconfirmed": False,
        "url": "/assets/1",
    }
    assert "/static/js/maps.js" in parts.scripts
    assert parts.scripts.index("/static/js/maps.js") > parts.scripts.index(
        "/static/vendor/leaflet/leaflet.js"
    )


def test_every_map_is_published_under_its_name_for_the_pages_scripts() -> None:
    parts = render(place_map(SETTINGS, -2.32, 51.23, label="Choir"))
    published = f'assetmapMaps || {{}})["{parts.name}"] = {{map: {parts.name}, control: null'
    assert published in parts.script


def test_a_map_rendered_twice_is_published_once() -> None:
    fmap = place_map(SETTINGS, -2.32, 51.23, label="Choir")
    render(fmap)
    assert render(fmap).script.count("] = {map: ") == 1
