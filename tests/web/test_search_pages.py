"""The search counts every strength in its radius and lists them all, a page at a time, with
the map showing the page the list shows; the print list holds them all. On SQLite and PostGIS."""

from __future__ import annotations

import html as markup
import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.storage import database as db
from assetmap.web import db as web_db
from tests.web.helpers import MARKET_PLACE, text

AT_MARKET = "where=place&place=Market+Place"
# 120 groups from Market Place eastwards, about 5.6 m apart: all within 800 m, 72 within 400 m.
INSIDE = 120
STEP = 0.00008


@pytest.fixture
def served(database: db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    with app.app_context(), web_db.database().session() as session:
        drafts = [
            validate_asset(
                {
                    "kind": "group",
                    "title": f"Club {i}",
                    "themes": ["sport"],
                    "lon": MARKET_PLACE[0] + STEP * i,
                    "lat": MARKET_PLACE[1],
                }
            )
            for i in range(INSIDE)
        ]
        far = validate_asset(
            {"kind": "space", "title": "Far hall", "themes": ["arts"], "lon": -2.30, "lat": 51.23}
        )
        store.add_assets(session, [*drafts, far], owner_id=None, cell_m=400.0)
        session.commit()
    yield app
    web_db.database(app).dispose()


@pytest.fixture
def client(served: Flask) -> FlaskClient:
    return served.test_client()


def search(client: FlaskClient, query: str, status: int = 200) -> str:
    response = client.get(f"/search?{query}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def listed(page: str) -> list[tuple[int, int]]:
    found = re.findall(r'class="search-result" data-asset-id="(\d+)" data-rank="(\d+)"', page)
    return [(int(rank), int(asset_id)) for asset_id, rank in found]


def mapped(page: str) -> list[tuple[int, int]]:
    data = re.search(r'<script type="application/json" id="search-results">(.*?)</script>', page)
    assert data
    features = json.loads(data.group(1))["features"]
    return [(f["properties"]["rank"], f["id"]) for f in features]


def distances(page: str) -> list[float]:
    return [float(m.replace(",", "")) for m in re.findall(r"([\d,]+) m away", text(page))]


def test_the_heading_counts_every_strength_within_the_radius(client: FlaskClient) -> None:
    page = search(client, f"{AT_MARKET}&radius=800")
    assert f"{INSIDE} strengths within 800 m of Market Place" in text(page)
    assert "Showing 1 to 50, nearest first" in text(page)


def test_a_longer_distance_finds_more_strengths(client: FlaskClient) -> None:
    counts = []
    for radius in (400, 800, 1600):
        found = re.search(
            r"([\d,]+) strengths within", text(search(client, f"{AT_MARKET}&radius={radius}"))
        )
        assert found
        counts.append(int(found.group(1).replace(",", "")))
    assert counts == [72, INSIDE, INSIDE + 1]


def test_the_pages_together_list_every_strength_once_nearest_first(client: FlaskClient) -> None:
    pages = [search(client, f"{AT_MARKET}&radius=800&page={n}") for n in (1, 2, 3)]
    ranks = [rank for page in pages for rank, _ in listed(page)]
    ids = [asset_id for page in pages for _, asset_id in listed(page)]
    metres = [d for page in pages for d in distances(page)]
    assert ranks == list(range(1, INSIDE + 1))
    assert len(set(ids)) == INSIDE
    assert metres == sorted(metres)
    assert "Showing 101 to 120, nearest first" in text(pages[2])


def test_the_map_shows_the_strengths_the_list_shows_on_each_page(client: FlaskClient) -> None:
    for n in (1, 2, 3):
        page = search(client, f"{AT_MARKET}&radius=800&page={n}")
        assert mapped(page) == listed(page)


def test_the_pages_are_linked_from_each_other(client: FlaskClient) -> None:
    page = search(client, f"{AT_MARKET}&radius=800&page=2")
    links = dict(re.findall(r'href="([^"]+)" rel="(prev|next)"', page))
    assert {rel: markup.unescape(href) for href, rel in links.items()} == {
        "prev": f"/search?{AT_MARKET}&radius=800#results",
        "next": f"/search?{AT_MARKET}&radius=800&page=3#results",
    }
    assert 'aria-label="Page 2" aria-current="page"' in page


def test_one_page_of_results_has_no_page_links(client: FlaskClient) -> None:
    page = search(client, f"{AT_MARKET}&radius=other&other_radius=100")
    assert len(listed(page)) < 50
    assert "govuk-pagination" not in page


def test_a_page_past_the_last_is_not_found_and_says_how_many_there_are(
    client: FlaskClient,
) -> None:
    page = search(client, f"{AT_MARKET}&radius=800&page=4", status=404)
    assert "This search has 3 pages of results, so there is no page 4." in text(page)


@pytest.mark.parametrize("number", ["0", "two", "-1", "1.5", "9999999"])
def test_a_page_that_is_not_a_page_number_is_refused(client: FlaskClient, number: str) -> None:
    page = search(client, f"{AT_MARKET}&radius=800&page={number}", status=400)
    assert "The page must be a whole number from 1" in text(page)


def test_the_print_list_holds_every_strength_found(client: FlaskClient) -> None:
    response = client.get(f"/search/print?{AT_MARKET}&radius=800&page=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="print-list__item"') == INSIDE
    assert f"{INSIDE} strengths found on" in text(page)


def test_the_print_link_prints_the_whole_search_not_the_page(client: FlaskClient) -> None:
    page = search(client, f"{AT_MARKET}&radius=800&page=3")
    href = re.search(r'<a class="govuk-link" href="([^"]+)">Print-friendly list</a>', page)
    assert href
    assert markup.unescape(href.group(1)) == f"/search/print?{AT_MARKET}&radius=800"
