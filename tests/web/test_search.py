"""The search page, its print list, coaches' connections, and who sees what on them."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box

from assetmap.storage import connections, users
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import (
    MARKET_PLACE,
    add_at_market,
    csrf,
    error_beside,
    form_token,
    sign_in,
    text,
)

AT_MARKET = "where=place&place=Market+Place"


def page(client: FlaskClient, query: str, status: int = 200) -> str:
    response = client.get(f"/search?{query}")
    assert response.status_code == status
    return response.get_data(as_text=True)


def listed(html: str) -> list[int]:
    return [
        int(found) for found in re.findall(r'class="search-result" data-asset-id="(\d+)"', html)
    ]


def record(client: FlaskClient, asset_id: int, **fields: Any) -> Any:
    token = form_token(client, f"/connections/new?asset={asset_id}")
    data = {"csrf_token": token, "asset": asset_id, "on": "2026-11-02", **fields}
    return client.post("/connections/new", data=data)


def test_the_search_page_offers_the_form_and_a_map(client: FlaskClient) -> None:
    html = page(client, "")
    assert 'id="place"' in html and 'class="folium-map"' in html
    assert 'class="search-result"' not in html


def test_a_typed_place_lists_strengths_nearest_first_in_metres(
    app: Flask, client: FlaskClient
) -> None:
    far = add_at_market(app, title="Far club", lon=MARKET_PLACE[0] + 0.004)
    near = add_at_market(app, title="Near club", lon=MARKET_PLACE[0] + 0.0005)
    html = page(client, f"{AT_MARKET}&radius=800")
    assert listed(html) == [near, far]
    assert "2 strengths within 800 m of Market Place" in text(html)
    assert re.search(r"35 m away", html) and re.search(r"279 m away", html)


def test_the_url_holds_the_search(app: Flask, client: FlaskClient) -> None:
    html = page(client, f"{AT_MARKET}&radius=other&other_radius=1200&kind=space&theme=arts&q=hall")
    assert 'id="place" name="place" type="text" value="Market Place"' in html
    assert 'name="radius" type="radio" value="other" checked' in html
    assert 'name="other_radius" type="text" inputmode="decimal" value="1200"' in html
    assert re.search(r'name="kind" type="checkbox" value="space" checked', html)
    assert re.search(r'name="theme" type="checkbox" value="arts" checked', html)
    assert 'name="q" type="text" value="hall"' in html
    assert "within 1,200 m of Market Place" in text(html)


def test_distance_is_kept_to_the_chosen_radius(app: Flask, client: FlaskClient) -> None:
    near = add_at_market(app, title="Near club", lon=MARKET_PLACE[0] + 0.004)
    add_at_market(app, title="Far club", lon=MARKET_PLACE[0] + 0.008)
    assert listed(page(client, f"{AT_MARKET}&radius=400")) == [near]


def test_kinds_themes_and_stemmed_words_filter_the_results(app: Flask, client: FlaskClient) -> None:
    gardens = add_at_market(app, kind="space", title="Community gardens", themes=["environment"])
    add_at_market(app, kind="group", title="Gardening club", themes=["environment"])
    add_at_market(app, kind="space", title="Church hall", themes=["faith"])
    html = page(client, f"{AT_MARKET}&radius=800&kind=space&theme=environment&q=gardening")
    assert listed(html) == [gardens]


def test_a_neighbourhood_searches_from_the_centre_of_its_polygon(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(
            session, [Area("east", "East Frome", box(-2.31, 51.22, -2.29, 51.24))]
        )
        session.commit()
    centre = add_at_market(app, title="Centre club", lon=-2.3, lat=51.23)
    add_at_market(app, title="Edge club", lon=-2.309, lat=51.23)
    html = page(client, "where=neighbourhood&neighbourhood=1&radius=400")
    assert listed(html) == [centre]
    assert "within 400 m of East Frome" in text(html)


def test_a_point_on_the_map_searches_from_there(app: Flask, client: FlaskClient) -> None:
    there = add_at_market(app, title="There", lon=-2.3, lat=51.24)
    add_at_market(app, title="Elsewhere", lon=-2.33, lat=51.22)
    html = page(client, "where=point&at=-2.300100,51.240000&radius=400")
    assert listed(html) == [there]
    assert "within 400 m of the point 51.24000, -2.30010" in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("where=place&place=", "place", "Enter a postcode, street or place name"),
        (
            "where=place&place=Atlantis",
            "place",
            "No postcode, street or place called ‘Atlantis’ was found",
        ),
        ("where=neighbourhood&neighbourhood=", "neighbourhood", "Choose a neighbourhood"),
        ("where=point&at=", "at", "Click the map where the search should start"),
        ("where=point&at=-2.3,95", "at", "Click the map where the search should start"),
        (f"{AT_MARKET}&radius=other&other_radius=far", "other_radius", "Enter a distance"),
        (f"{AT_MARKET}&radius=other&other_radius=-5", "other_radius", "Enter a distance"),
        (f"{AT_MARKET}&radius=other&other_radius=200000", "other_radius", "at most 100000"),
        (f"{AT_MARKET}&radius=3", "radius", "Choose how far to look"),
        (f"{AT_MARKET}&kind=club", "kind", "Choose skills, groups or spaces"),
        (f"{AT_MARKET}&theme=x", "theme", "Choose themes from the list"),
        (f"{AT_MARKET}&q=" + "x" * 201, "q", "Words must be at most 200 characters"),
    ],
)
def test_bad_input_is_answered_beside_its_field(
    client: FlaskClient, query: str, field: str, message: str
) -> None:
    html = page(client, query, status=400)
    assert message in error_beside(html, field)
    assert 'class="govuk-error-summary"' in html and f'href="#{field}"' in html
    assert "<title>Error:" in html


def test_a_place_with_several_matches_offers_the_others(client: FlaskClient) -> None:
    html = page(client, "where=place&place=catherine&radius=800")
    assert "within 800 m of Catherine Hill" in text(html)
    assert re.search(
        r"Also found:\s*<a class=\"govuk-link\" href=\"[^\"]+\"[^>]*>Catherine Street", html
    )


def test_the_public_never_sees_a_contact(app: Flask, client: FlaskClient) -> None:
    add_at_market(app, title="Choir", contact="choir@example.org", contact_via_coach=True)
    for path in (f"/search?{AT_MARKET}", f"/search/print?{AT_MARKET}"):
        assert "choir@example.org" not in client.get(path).get_data(as_text=True)


def test_a_coach_sees_a_contact_only_where_the_owner_agreed(
    app: Flask, client: FlaskClient
) -> None:
    add_at_market(app, title="Choir", contact="choir@example.org", contact_via_coach=True)
    add_at_market(app, title="Quiet", contact="quiet@example.org", contact_via_coach=False)
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    html = page(client, AT_MARKET)
    assert "choir@example.org" in html and "quiet@example.org" not in html


def test_the_print_list_carries_no_contact_even_for_a_coach(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_at_market(
        app,
        title="Choir",
        contact="choir@example.org",
        contact_via_coach=True,
        meeting_pattern="Tuesdays 7pm",
    )
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    response = client.get(f"/search/print?{AT_MARKET}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-asset-id="{asset_id}"' in html and "Tuesdays 7pm" in html
    assert "choir@example.org" not in html
    assert "ask your coach: contact details are not printed" in html


def test_a_skill_is_never_shown_at_its_exact_point(app: Flask, client: FlaskClient) -> None:
    add_at_market(app, kind="skill", title="Bike repair", lon=-2.321234, lat=51.230987)
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    html = page(client, AT_MARKET)
    assert "Bike repair" in html
    assert "-2.321234" not in html and "51.230987" not in html


def test_the_map_data_lists_the_same_strengths_in_the_same_order(
    app: Flask, client: FlaskClient
) -> None:
    for offset in (0.003, 0.001, 0.002):
        add_at_market(app, title=f"Club {offset}", lon=MARKET_PLACE[0] + offset)
    html = page(client, AT_MARKET)
    data = re.search(r'<script type="application/json" id="search-results">(.*?)</script>', html)
    assert data
    import json

    features = json.loads(data.group(1))["features"]
    assert [f["id"] for f in features] == listed(html)
    assert [f["properties"]["rank"] for f in features] == [1, 2, 3]


def test_the_page_and_the_api_answer_the_same_search(app: Flask, client: FlaskClient) -> None:
    for i in range(12):
        add_at_market(
            app, title=f"Club {i}", lon=MARKET_PLACE[0] + 0.0003 * i, lat=MARKET_PLACE[1] + 0.0001
        )
    html = page(client, f"{AT_MARKET}&radius=1600")
    href = re.search(r'<a class="govuk-link" href="([^"]+)">This search as GeoJSON</a>', html)
    assert href
    features = client.get(href.group(1).replace("&amp;", "&")).get_json(force=True)["features"]
    assert [f["id"] for f in features] == listed(html)


def test_a_coach_records_a_connection_and_the_count_shows(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    back = f"/search?{AT_MARKET}"
    form = client.get(f"/connections/new?asset={asset_id}&back={quote(back)}")
    assert form.status_code == 200
    assert "No names, addresses or other personal details" in form.get_data(as_text=True)
    response = client.post(
        "/connections/new",
        data={
            "csrf_token": csrf(form.get_data(as_text=True)),
            "asset": asset_id,
            "back": back,
            "on": "2026-11-02",
            "note": "wants to sing",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    assert "connected 1 time" in page(client, AT_MARKET)
    asset_page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert "Coaches have connected someone with this group 1 time." in asset_page


def test_a_long_note_is_refused_beside_the_field(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    response = record(client, asset_id, note="x" * 201)
    assert response.status_code == 400
    assert "Note must be 200 characters or fewer" in response.get_data(as_text=True)
    with app.app_context(), db.database().session() as session:
        assert connections.connection_count(session, asset_id) == 0


def test_a_connection_goes_back_only_to_this_site(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    response = record(client, asset_id, back="//evil.example.com/")
    assert response.headers["Location"] == f"/assets/{asset_id}"


def test_only_coaches_and_admins_record_connections(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    assert client.get(f"/connections/new?asset={asset_id}").status_code == 302
    sign_in(app, client, "resident", "rae@example.org", cookie=True)
    assert client.get(f"/connections/new?asset={asset_id}").status_code == 403
    html = page(client, AT_MARKET)
    assert "Record a connection" not in html


def test_everyone_sees_how_often_a_strength_was_connected(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    with app.app_context(), db.database().session() as session:
        coach = users.create_user(session, "cleo@example.org", role="coach")
        session.flush()
        for _ in range(3):
            connections.add_connection(
                session, asset_id, coach_id=coach.id, on=coach.created_at.date()
            )
        session.commit()
    assert "connected 3 times" in page(client, AT_MARKET)
    assert "connected someone with this group 3 times" in client.get(
        f"/assets/{asset_id}"
    ).get_data(as_text=True)
