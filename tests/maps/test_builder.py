from __future__ import annotations

import json
import re

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from assetmap.maps import MapSettings, add_assets, add_neighbourhoods, add_point, new_map, render

SETTINGS = MapSettings(
    "https://tiles.example.org/{z}/{x}/{y}.png", "Tiles", lambda path: f"/static/{path}"
)


def layer(title: str = "Chess club") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [7], "kind": ["group"], "title": [title], "themes": [["learning"]]},
        geometry=[Point(-2.32, 51.23)],
        crs="EPSG:4326",
    )


def rendered(title: str = "Chess club", cluster: bool = True) -> str:
    fmap = new_map(SETTINGS, bounds=(-2.35, 51.21, -2.29, 51.25))
    add_assets(
        fmap, layer(title), SETTINGS, name="Groups", link=lambda i: f"/assets/{i}", cluster=cluster
    )
    add_neighbourhoods(
        fmap,
        gpd.GeoDataFrame(
            {"code": ["a"], "name": ["<i>Ward</i>"], "assets": [1]},
            geometry=[box(-2.33, 51.22, -2.31, 51.24)],
            crs=4326,
        ),
    )
    add_point(fmap, -2.3, 51.2, label="`${alert(1)}`", radius_m=400)
    parts = render(fmap)
    return parts.html + parts.script + " ".join(parts.scripts + parts.styles)


def test_every_script_and_style_is_served_by_the_app() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    add_assets(fmap, layer(), SETTINGS, name="Groups", cluster=True)
    parts = render(fmap)
    assert all(url.startswith("/static/") for url in parts.scripts + parts.styles)
    assert "/static/vendor/markercluster/leaflet.markercluster.js" in parts.scripts
    assert not re.search(r"https?://(?!tiles\.example\.org)", parts.html + parts.script)


def test_points_are_placed_lat_lon_for_leaflet() -> None:
    assert "[51.23, -2.32]" in rendered()


def test_user_text_cannot_run_as_script_or_html() -> None:
    page = rendered(title="<img src=x onerror=alert(1)> ${alert(2)} `")
    assert "<img" not in page
    assert "<i>Ward</i>" not in page
    # Text reaches Leaflet only as JSON strings, never inside a JavaScript template literal.
    assert 'bindTooltip("`${alert(1)}`")' in page
    assert "bindTooltip(`" not in page and "$(`" not in page


def test_layers_must_be_wgs84() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    with pytest.raises(ValueError, match="EPSG:4326"):
        add_assets(fmap, layer().to_crs(27700), SETTINGS, name="Groups")


def test_popups_say_when_a_strength_is_unconfirmed() -> None:
    fmap = new_map(SETTINGS, center=(-2.32, 51.23))
    stale = layer("Old chess club").assign(unconfirmed=[True])
    add_assets(fmap, stale, SETTINGS, name="Groups")
    add_assets(fmap, layer("New chess club"), SETTINGS, name="More groups")
    script = render(fmap).script
    popups = [json.loads(data) for data in re.findall(r"assetmapPopup\((\{.*?\})\)", script)]
    assert [(popup["title"], popup["unconfirmed"]) for popup in popups] == [
        ("Old chess club", True),
        ("New chess club", False),
    ]
