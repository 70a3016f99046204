"""Every page with a map embeds it one way: an element naming it, and its script publishing it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import add_asset


def embedded_maps(page: str) -> list[str]:
    names = re.findall(
        r'<div(?: class="[^"]*")? data-map="(map_\w+)" dir="ltr">\s*<div class="folium-map"', page
    )
    for name in names:
        assert f'(window.assetmapMaps = window.assetmapMaps || {{}})["{name}"]' in page
    return names


@pytest.mark.parametrize("path", ["/map", "/search"])
def test_a_map_page_embeds_one_map_its_script_can_find(client: FlaskClient, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert len(embedded_maps(page)) == 1
    assert page.index("/static/js/maps.js") < page.index("window.assetmapMaps")


def test_a_strengths_page_embeds_its_map_with_no_script_of_its_own(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get(f"/assets/{add_asset(app)}").get_data(as_text=True)
    assert len(embedded_maps(page)) == 1
    assert "/static/js/maps.js" not in page
