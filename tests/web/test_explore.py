from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assetmap.domain.assets import AssetDraft
from assetmap.domain.vocab import Kind, ShareMode, Theme
from assetmap.storage import assets as store
from assetmap.storage import clusters
from assetmap.storage import users as user_store
from assetmap.web import db
from tests.web.helpers import PRIVATE_SKILL, add_asset, text

TOWN = "-2.42,51.19,-2.24,51.27"


def add_many(app: Flask, count: int, title: str = "Strength {i}") -> None:
    kinds = list(Kind)
    drafts = [
        AssetDraft(
            kind=kinds[i % 3],
            title=title.format(i=i)[:120],
            lon=-2.3200 + (i % 40) * 0.00005,
            lat=51.2300 + (i // 40) * 0.00005,
            themes=tuple(Theme)[: 1 + i % 4],
            share_modes=(ShareMode.TEACH,) if kinds[i % 3] is Kind.SKILL else (),
        )
        for i in range(count)
    ]
    with app.app_context(), db.database().session() as session:
        store.add_assets(session, drafts, owner_id=None, cell_m=400.0)
        session.commit()


def features(client: FlaskClient, **args: Any) -> Any:
    response = client.get("/api/map/features", query_string={"bbox": TOWN, "zoom": 16, **args})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/geo+json"
    return response.get_json()


def test_features_in_a_street_view_are_geojson_points(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app, title="Chess club", lon=-2.3215, lat=51.2305)
    answer = features(client)
    assert answer["type"] == "FeatureCollection" and answer["clustered"] is False
    assert answer["features"] == [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [-2.3215, 51.2305]},
            "properties": {
                "id": asset_id,
                "kind": "group",
                "title": "Chess club",
                "themes": ["learning"],
                "url": f"/assets/{asset_id}",
                "unconfirmed": False,
            },
        }
    ]


def test_a_city_view_answers_clusters_counted_by_kind(app: Flask, client: FlaskClient) -> None:
    add_many(app, 30)
    answer = features(client, zoom=11)
    assert answer["clustered"] is True
    [cluster] = answer["features"]
    assert cluster["properties"] == {
        "cluster": True,
        "count": 30,
        "kinds": {"skill": 10, "group": 10, "space": 10},
    }


def test_features_follow_kind_theme_and_words(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Chess club", themes=["learning"])
    add_asset(app, title="Community garden", kind="space", themes=["food", "environment"])
    add_asset(app, title="Garden tools", kind="space", themes=["environment"])
    answer = features(client, kind=["space"], theme=["food", "sport"], q="gardens")
    assert [f["properties"]["title"] for f in answer["features"]] == ["Community garden"]


def test_a_skill_is_served_at_its_public_point_without_contact(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, **PRIVATE_SKILL)
    body = client.get("/api/map/features", query_string={"bbox": TOWN, "zoom": 16}).data
    assert b"07700" not in body and b"2.321234" not in body and b"51.230987" not in body
    assert b"2.3212" not in body and b"51.2309" not in body


def test_an_answer_at_the_points_limit_stays_under_200_kb(app: Flask, client: FlaskClient) -> None:
    add_many(
        app,
        clusters.MAX_POINTS,
        title="A long title that fills every one of its characters {i} " * 3,
    )
    response = client.get("/api/map/features", query_string={"bbox": TOWN, "zoom": 16})
    assert response.get_json()["clustered"] is False
    assert len(response.get_json()["features"]) == clusters.MAX_POINTS
    assert len(response.data) < 200_000


def test_a_view_over_the_points_limit_is_clustered(app: Flask, client: FlaskClient) -> None:
    add_many(app, clusters.MAX_POINTS + 1)
    answer = features(client, zoom=16)
    assert answer["clustered"] is True
    assert sum(f["properties"]["count"] for f in answer["features"]) == clusters.MAX_POINTS + 1


@pytest.mark.parametrize(
    ("args", "field", "reason"),
    [
        ({"zoom": 12}, "bbox", "bbox is required"),
        ({"bbox": "1,2,3", "zoom": 12}, "bbox", "expected minlon,minlat,maxlon,maxlat"),
        ({"bbox": "3,2,1,4", "zoom": 12}, "bbox", "min lon 3.0 is east of max lon 1.0"),
        ({"bbox": "1,4,3,2", "zoom": 12}, "bbox", "min lat 4.0 is north of max lat 2.0"),
        ({"bbox": "1,2,3,95", "zoom": 12}, "bbox", "lat must be between -90 and 90"),
        ({"bbox": "a,2,3,4", "zoom": 12}, "bbox", "minlon must be a number"),
        ({"bbox": "nan,2,3,4", "zoom": 12}, "bbox", "minlon must be a finite number"),
        ({"bbox": TOWN}, "zoom", "zoom is required"),
        ({"bbox": TOWN, "zoom": 23}, "zoom", "zoom must be a whole number from 0 to 22"),
        ({"bbox": TOWN, "zoom": -1}, "zoom", "zoom must be a whole number from 0 to 22"),
        ({"bbox": TOWN, "zoom": "12.5"}, "zoom", "zoom must be a whole number from 0 to 22"),
        ({"bbox": TOWN, "zoom": 12, "kind": "need"}, "kind", "kind 'need' is unknown"),
        ({"bbox": TOWN, "zoom": 12, "theme": "crime"}, "theme", "theme 'crime' is unknown"),
        ({"bbox": TOWN, "zoom": 12, "q": "x" * 201}, "q", "q must be at most 200 characters"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter_and_reason(
    client: FlaskClient, args: dict[str, Any], field: str, reason: str
) -> None:
    response = client.get("/api/map/features", query_string=args)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["field"] == field
    assert reason in error["message"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    bbox=st.one_of(
        st.text(max_size=40),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=3, max_size=5).map(
            lambda numbers: ",".join(repr(n) for n in numbers)
        ),
    ),
    zoom=st.one_of(st.text(max_size=4), st.integers(-5, 40).map(str)),
    kind=st.lists(st.sampled_from(["skill", "group", "space", "", "need", "Skill,group"])),
    theme=st.lists(st.one_of(st.sampled_from([t.value for t in Theme]), st.text(max_size=8))),
    q=st.text(max_size=220),
)
def test_no_input_to_the_features_endpoint_is_a_server_error(
    client: FlaskClient, bbox: str, zoom: str, kind: list[str], theme: list[str], q: str
) -> None:
    args = {"bbox": bbox, "zoom": zoom, "kind": kind, "theme": theme, "q": q}
    response = client.get("/api/map/features", query_string=args)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.get_json()["error"]["field"] in ("bbox", "zoom", "kind", "theme", "q")


def test_the_whole_world_at_street_zoom_is_answered(app: Flask, client: FlaskClient) -> None:
    add_many(app, 10)
    answer = features(client, bbox="-180,-90,180,90", zoom=22)
    assert sum(f["properties"].get("count", 1) for f in answer["features"]) == 10


def test_the_map_page_carries_no_strengths(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Chess club")
    page = client.get("/map").get_data(as_text=True)
    assert "Map of strengths" in page
    assert "Chess club" not in page
    assert 'data-features-url="/api/map/features"' in page
    assert '<script src="/static/js/explore.js"></script>' in page


def test_the_map_page_loads_nothing_from_elsewhere_and_runs_only_nonced_script(
    client: FlaskClient,
) -> None:
    response = client.get("/map")
    page = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce is not None
    # Data blocks (type="application/json") are never run.
    inline = r"<script(?![^>]* src=)(?![^>]* type=\"application/json\")[^>]*>"
    assert re.findall(inline, page) == [f'<script nonce="{nonce[1]}">']
    assert not re.search(r"(src|href)=\"https?://", page)
    assert " style=" not in page and " onclick=" not in page


def test_the_map_page_shades_neighbourhoods_and_lists_their_counts(
    app: Flask, client: FlaskClient
) -> None:
    from shapely.geometry import box

    from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, [Area("k", "Keyford", box(-2.33, 51.22, -2.31, 51.24))])
        session.commit()
    add_asset(app)
    add_asset(app, title="Choir")
    page = client.get("/map").get_data(as_text=True)
    assert '"neighbourhoods": geo_json_' in page
    assert re.search(r"Keyford</td><td[^>]*>2</td>", page)


def test_the_filter_form_shows_the_filter_from_the_url(client: FlaskClient) -> None:
    page = client.get("/map?kind=skill&theme=food&q=garden+tools").get_data(as_text=True)
    assert re.search(r'id="kind-skill"[^>]*value="skill" checked', page)
    assert not re.search(r'id="kind-group"[^>]*checked', page)
    assert re.search(r'id="theme-food"[^>]*value="food" checked', page)
    assert 'value="garden tools"' in page
    assert 'data-filter="kind=skill&amp;theme=food&amp;q=garden+tools"' in page


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/map?kind=need", "unknown"),
        ("/list?theme=crime", "unknown"),
        ("/list?bbox=3,2,1,4", "The map area in this link can&#39;t be used"),
    ],
)
def test_a_bad_filter_on_a_page_is_a_400_saying_why(
    client: FlaskClient, path: str, reason: str
) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)


def test_the_list_shows_the_same_strengths_as_the_map_for_the_same_filter(
    app: Flask, client: FlaskClient
) -> None:
    add_many(app, 40)
    query = {"kind": "group", "theme": "sport", "bbox": "-2.3200,51.2300,-2.3190,51.2303"}
    on_map = features(client, **query)["features"]
    page = client.get("/list", query_string=query).get_data(as_text=True)
    listed = re.findall(r'<a class="govuk-link" href="/assets/(\d+)"', page)
    assert sorted(int(i) for i in listed) == sorted(f["properties"]["id"] for f in on_map)
    assert f"{len(on_map)} strengths match the filter in the area shown on the map" in page


def test_the_list_is_sorted_by_the_column_chosen(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Choir", last_confirmed="2026-01-01")
    add_asset(app, title="Allotment", kind="space", last_confirmed="2026-03-01")
    by_title = client.get("/list").get_data(as_text=True)
    by_date = client.get("/list?sort=confirmed").get_data(as_text=True)
    assert by_title.index("Allotment") < by_title.index("Choir")
    assert by_date.index("Allotment") < by_date.index("Choir")
    assert re.search(r'aria-sort="descending">\s*<a[^>]*>Last confirmed', by_date)
    assert 'href="/list?sort=confirmed&amp;order=asc&amp;page=1"' in by_date


def test_the_list_is_paged(app: Flask, client: FlaskClient) -> None:
    add_many(app, 55)
    first = client.get("/list").get_data(as_text=True)
    second = client.get("/list?page=2").get_data(as_text=True)
    assert first.count('<tr class="govuk-table__row"') == 51
    assert second.count('<tr class="govuk-table__row"') == 6
    assert 'href="/list?page=2" rel="next"' in first
    assert 'aria-current="page">2</a>' in second
    assert client.get("/list?page=3").status_code == 404
    assert client.get("/list?page=0").status_code == 400


def test_a_bad_sort_is_a_400(client: FlaskClient) -> None:
    assert client.get("/list?sort=owner").status_code == 400
    assert client.get("/list?order=sideways").status_code == 400


@pytest.mark.parametrize("query", ["sort=owner", "order=sideways", "sort=kind&order=up"])
def test_a_bad_sort_says_how_the_list_can_be_sorted(client: FlaskClient, query: str) -> None:
    response = client.get(f"/list?{query}")
    shown = text(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Sort by title, kind or confirmed, in asc or desc order." in shown


@pytest.mark.parametrize("number", ["0", "01", "two", "1000000000"])
def test_a_list_page_that_is_not_a_page_number_is_refused_as_no_such_page(
    client: FlaskClient, number: str
) -> None:
    response = client.get(f"/list?page={number}")
    assert response.status_code == 400
    assert "There is no such page of the list." in text(response.get_data(as_text=True))


def test_the_list_shows_public_fields_only(app: Flask, client: FlaskClient) -> None:
    add_asset(app, kind="skill", title="Bike repair", share_modes=["do"], contact="07700 900123")
    page = client.get("/list").get_data(as_text=True)
    assert "Bike repair" in page and "07700" not in page


def test_the_map_and_the_list_are_in_the_navigation(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/map">Map</a>' in page and 'href="/list">List</a>' in page


def test_a_strengths_page_has_a_small_map_at_its_public_point(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, kind="skill", title="Bike repair", share_modes=["do"], lon=-2.321234)
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in page
    assert re.search(r"L\.marker\(\s*\[51\.\d+, -2\.\d+\]", page)
    assert "-2.321234" not in page
    assert re.search(r'"radius": 282\.8', page)


def test_a_strengths_history_gives_counts_and_dates_but_no_people(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, contact="chair@example.org")
    with app.app_context(), db.database().session() as session:
        editor = user_store.create_user(session, "editor@example.org", display_name="Edith")
        for title in ("Chess club", "Frome chess club", "Frome chess and draughts club"):
            store.update_asset(session, asset_id, {"title": title}, by=editor.id, cell_m=400.0)
        store.confirm_asset(session, asset_id, by=editor.id)
        session.commit()
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert re.search(r"Added</dt><dd[^>]*>On \d+ \w+ 20\d\d<", history)
    assert re.search(r"Changed</dt><dd[^>]*>2 times, last on \d+ \w+ 20\d\d<", history)
    assert "Confirmed as current" in history
    assert "Edith" not in page and "editor@example.org" not in page
    assert "chair@example.org" not in page
