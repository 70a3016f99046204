"""The JSON API, on SQLite and on PostGIS: searches, paging, who sees what, writes and errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Geod

from assetmap import create_app
from assetmap.domain.assets import AssetDraft
from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Kind, ShareMode, Theme
from assetmap.storage import assets as store
from assetmap.storage import database as storage_db
from assetmap.storage import tokens
from assetmap.web import db
from tests.web.helpers import MARKET_PLACE, add_at_market, add_user, bearer, sign_in

WGS84 = Geod(ellps="WGS84")
NEAR = f"{MARKET_PLACE[0]},{MARKET_PLACE[1]}"
WORDS = ("garden", "guitar", "repair", "lunch")
# The area strengths must lie in here: a configured box around the town.
TOWN_BOX = "-2.42,51.19,-2.24,51.27"


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "AREA_BBOX": TOWN_BOX}
    )
    yield app
    db.database(app).dispose()


def error_of(response: Any) -> dict[str, Any]:
    body = response.get_json(force=True)
    assert set(body) == {"error"}
    return body["error"]


def synthetic(count: int) -> list[AssetDraft]:
    rng = np.random.default_rng(20261130)
    themes, kinds = list(Theme), list(Kind)
    drafts = []
    for i in range(count):
        kind = kinds[i % 3]
        drafts.append(
            AssetDraft(
                kind=kind,
                title=f"{WORDS[i % 4].title()}ing circle {i}",
                lon=round(float(rng.uniform(-2.34, -2.30)), 6),
                lat=round(float(rng.uniform(51.22, 51.24)), 6),
                themes=tuple(dict.fromkeys((themes[i % 12], themes[(i * 5 + 1) % 12]))),
                share_modes=(ShareMode.TEACH,) if kind is Kind.SKILL else (),
            )
        )
    return drafts


@pytest.fixture
def town(app: Flask) -> Flask:
    with app.app_context(), db.database().session() as session:
        store.add_assets(session, synthetic(600), owner_id=None, cell_m=400.0)
        session.commit()
    return app


def storage_near(
    app: Flask, lon: float, lat: float, radius: float, filters: AssetFilter, limit: int
) -> list[Any]:
    with app.app_context(), db.database().session() as session:
        return store.assets_near(session, lon, lat, radius, filters, limit)


def test_near_answers_a_geojson_feature_collection_nearest_first(
    app: Flask, client: FlaskClient
) -> None:
    far = add_at_market(app, title="Far club", lon=MARKET_PLACE[0] + 0.004)
    near = add_at_market(app, title="Near club", lon=MARKET_PLACE[0] + 0.0005)
    response = client.get(f"/api/assets?near={NEAR}&radius=1000")
    body = response.get_json(force=True)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [near, far]
    feature = body["features"][0]
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [MARKET_PLACE[0] + 0.0005, MARKET_PLACE[1]],
    }
    assert set(feature["properties"]) == {
        "id",
        "kind",
        "title",
        "themes",
        "last_confirmed",
        "unconfirmed",
        "url",
        "distance_m",
    }
    assert feature["properties"]["themes"] == ["learning"]


def test_api_order_equals_storage_and_distances_match_pyproj(
    town: Flask, client: FlaskClient
) -> None:
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(25):
        lon, lat = round(rng.uniform(-2.345, -2.295), 6), round(rng.uniform(51.215, 51.245), 6)
        radius = float(rng.choice([150, 400, 800, 1600, 5000]))
        limit = int(rng.choice([1, 7, 50, 200]))
        kinds = [str(k) for k in rng.choice(list(Kind), size=rng.integers(0, 3), replace=False)]
        themes = [str(t) for t in rng.choice(list(Theme), size=rng.integers(0, 3), replace=False)]
        words = str(rng.choice(WORDS)) if rng.random() < 0.3 else ""
        query = {"near": f"{lon},{lat}", "radius": radius, "limit": limit, "kind": kinds}
        query.update(theme=themes, q=words)
        features = client.get("/api/assets", query_string=query).get_json(force=True)["features"]
        expected = storage_near(
            town, lon, lat, radius, AssetFilter.parse(kinds, themes, words), limit
        )
        assert [f["id"] for f in features] == [item.id for item in expected]
        points = np.array([f["geometry"]["coordinates"] for f in features]).reshape(-1, 2)
        n = len(features)
        _, _, metres = WGS84.inv([lon] * n, [lat] * n, points[:, 0], points[:, 1])
        found = [f["properties"]["distance_m"] for f in features]
        assert found == pytest.approx(list(metres), abs=0.051)
        checked += n
    assert checked > 100


def test_gardening_finds_gardens_through_the_api(app: Flask, client: FlaskClient) -> None:
    garden = add_at_market(app, title="Community gardens", themes=["environment"])
    add_at_market(app, title="Chess club")
    response = client.get(f"/api/assets?near={NEAR}&q=gardening")
    assert [f["id"] for f in response.get_json(force=True)["features"]] == [garden]


def test_kind_and_theme_repeat_and_combine(app: Flask, client: FlaskClient) -> None:
    hall = add_at_market(app, kind="space", title="Hall", themes=["arts"])
    add_at_market(app, kind="space", title="Gym", themes=["sport"])
    choir = add_at_market(app, kind="group", title="Choir", themes=["arts"])
    add_at_market(app, kind="skill", title="Drawing", themes=["arts"])
    response = client.get(f"/api/assets?near={NEAR}&kind=space&kind=group&theme=arts&theme=faith")
    assert sorted(f["id"] for f in response.get_json(force=True)["features"]) == [hall, choir]


def _pages(client: FlaskClient, url: str) -> list[list[int]]:
    pages = []
    while url:
        body = client.get(url).get_json(force=True)
        pages.append([f["id"] for f in body["features"]])
        assert body["numberReturned"] == len(body["features"])
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), "")
    return pages


def test_near_pages_follow_each_other_to_the_end(town: Flask, client: FlaskClient) -> None:
    pages = _pages(client, f"/api/assets?near={NEAR}&radius=1500&limit=15&theme=food")
    expected = storage_near(town, *MARKET_PLACE, 1500, AssetFilter.parse(themes=["food"]), 1000)
    assert [len(page) for page in pages[:-1]] == [15] * (len(pages) - 1)
    assert sum(pages, []) == [item.id for item in expected]
    assert len(pages) > 1


def test_box_pages_follow_each_other_by_id(town: Flask, client: FlaskClient) -> None:
    pages = _pages(client, "/api/assets?bbox=-2.33,51.225,-2.31,51.235&kind=group&limit=25")
    everything = sum(pages, [])
    assert everything == sorted(everything) and len(everything) == len(set(everything))
    with town.app_context(), db.database().session() as session:
        box = store.assets_in_bbox(
            session,
            BBox(-2.33, 51.225, -2.31, 51.235),
            AssetFilter.parse(kinds=["group"]),
        )
    assert everything == [item.id for item in box]
    assert len(pages) > 1


def test_no_place_at_all_pages_through_everything(town: Flask, client: FlaskClient) -> None:
    assert len(sum(_pages(client, "/api/assets?limit=500"), [])) == 600


def _next_href(client: FlaskClient, url: str) -> str:
    links = client.get(url).get_json(force=True)["links"]
    return str(links[0]["href"])


def test_the_next_link_keeps_the_query_as_written_with_one_cursor(
    town: Flask, client: FlaskClient
) -> None:
    first = _next_href(client, f"/api/assets?near={NEAR}&limit=5&theme=food&q=gardening%20circle")
    assert first.startswith(
        f"/api/assets?near={NEAR}&limit=5&theme=food&q=gardening%20circle&cursor="
    )
    second = _next_href(client, first.replace("cursor=", "curs%6Fr="))
    assert second.count("cursor=") == 1 and "curs%6Fr" not in second
    assert second != first


def test_the_next_link_percent_encodes_what_the_client_sent_raw(
    town: Flask, client: FlaskClient
) -> None:
    raw = f"near={NEAR}&limit=5&q=gardening circle&from=café".encode()
    first = client.get("/api/assets", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    href = first.get_json(force=True)["links"][0]["href"]
    assert "q=gardening%20circle&from=caf%C3%A9&cursor=" in href
    second = client.get(href)
    assert second.status_code == 200
    ids = [{f["id"] for f in page.get_json(force=True)["features"]} for page in (first, second)]
    assert ids[1] and not ids[0] & ids[1]


def test_a_changed_cursor_is_refused(town: Flask, client: FlaskClient) -> None:
    href = _next_href(client, f"/api/assets?near={NEAR}&limit=5")
    response = client.get(href[:-3] + ("AAA" if not href.endswith("AAA") else "BBB"))
    assert response.status_code == 400
    assert error_of(response)["field"] == "cursor"


def test_a_cursor_from_another_search_is_refused(town: Flask, client: FlaskClient) -> None:
    href = _next_href(client, f"/api/assets?near={NEAR}&limit=5")
    cursor = href.split("cursor=")[1]
    response = client.get(f"/api/assets?near={NEAR}&limit=5&kind=skill&cursor={cursor}")
    assert response.status_code == 400
    assert error_of(response) == {
        "status": 400,
        "field": "cursor",
        "message": "cursor belongs to another search; start again without it",
    }


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("near=", "near", "near must be lon,lat"),
        ("near=-2.32", "near", "near must be lon,lat"),
        ("near=abc,51", "near", "lon must be a number"),
        ("near=-2.32,91", "near", "lat must be between -90 and 90"),
        ("near=-2.32,-90.5", "near", "lat must be between -90 and 90"),
        ("near=200,51", "near", "lon must be between -180 and 180"),
        ("near=nan,51", "near", "lon must be a finite number"),
        (f"near={NEAR}&radius=-5", "radius", "radius must be more than 0"),
        (f"near={NEAR}&radius=0", "radius", "radius must be more than 0"),
        (f"near={NEAR}&radius=1e9", "radius", "at most 100000 metres"),
        (f"near={NEAR}&radius=far", "radius", "radius must be a number of metres"),
        ("radius=800", "radius", "radius needs near"),
        (f"near={NEAR}&bbox=-2.4,51.2,-2.3,51.3", "bbox", "near or bbox, not both"),
        ("bbox=1,2,3", "bbox", "expected minlon,minlat,maxlon,maxlat"),
        ("bbox=-2.3,51.3,-2.4,51.2", "bbox", "is east of max lon"),
        ("kind=club", "kind", "kind 'club' is unknown"),
        ("theme=gardening", "theme", "theme 'gardening' is unknown"),
        ("q=" + "x" * 201, "q", "q must be at most 200 characters"),
        ("limit=0", "limit", "limit must be a whole number from 1 to 500"),
        ("limit=501", "limit", "limit must be a whole number from 1 to 500"),
        ("limit=ten", "limit", "limit must be a whole number from 1 to 500"),
        ("cursor=", "cursor", "cursor was not given out by this API"),
        ("cursor=eyJ4IjoxfQ.bad", "cursor", "cursor was not given out by this API"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(
    client: FlaskClient, query: str, field: str, says: str
) -> None:
    response = client.get(f"/api/assets?{query}")
    error = error_of(response)
    assert (response.status_code, error["status"], error["field"]) == (400, 400, field)
    assert says in error["message"]


def test_one_strength_carries_its_public_fields(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Chess club", description="Rapid games on Fridays.")
    response = client.get(f"/api/assets/{asset_id}")
    feature = response.get_json(force=True)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert feature["id"] == asset_id
    assert feature["properties"]["description"] == "Rapid games on Fridays."
    assert feature["properties"]["connections"] == 0
    assert "contact" not in feature["properties"] and "owner_id" not in feature["properties"]


@pytest.mark.parametrize("path", ["/api/assets/999", "/api/assets/0", "/api/assets/" + "9" * 30])
def test_an_unknown_strength_is_a_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and error_of(response)["status"] == 404


def test_a_withdrawn_strength_is_a_404(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app)
    with app.app_context(), db.database().session() as session:
        store.withdraw_asset(session, asset_id, by=None)
        session.commit()
    assert client.get(f"/api/assets/{asset_id}").status_code == 404
    assert client.get(f"/api/assets?near={NEAR}").get_json(force=True)["features"] == []


def test_the_public_never_sees_a_contact(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, contact="07700 900123", contact_via_coach=True)
    listed = client.get(f"/api/assets?near={NEAR}").get_data(as_text=True)
    one = client.get(f"/api/assets/{asset_id}").get_data(as_text=True)
    assert "07700 900123" not in listed and "07700 900123" not in one


def test_a_coach_sees_a_contact_the_owner_agreed_to(app: Flask, client: FlaskClient) -> None:
    agreed = add_at_market(app, title="Choir", contact="choir@example.org", contact_via_coach=True)
    quiet = add_at_market(app, title="Quiet", contact="quiet@example.org", contact_via_coach=False)
    coach = bearer(app, add_user(app, "cleo@example.org", "coach", password=None))
    listed = client.get(f"/api/assets?near={NEAR}", headers=coach).get_json(force=True)
    contacts = {f["id"]: f["properties"].get("contact") for f in listed["features"]}
    assert contacts == {agreed: "choir@example.org", quiet: None}
    one = client.get(f"/api/assets/{agreed}", headers=coach).get_json(force=True)
    assert one["properties"]["contact"] == "choir@example.org"


def test_a_signed_in_coach_s_cookie_gives_the_api_nothing(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, contact="choir@example.org", contact_via_coach=True)
    sign_in(app, client, "coach", cookie=True)
    listed = client.get(f"/api/assets?near={NEAR}")
    one = client.get(f"/api/assets/{asset_id}")
    for response in (listed, one):
        assert response.status_code == 200
        assert "choir@example.org" not in response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.vary


def test_a_resident_token_sees_no_one_elses_contact(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, contact="choir@example.org", contact_via_coach=True)
    resident = bearer(app, add_user(app, "rae@example.org", password=None))
    one = client.get(f"/api/assets/{asset_id}", headers=resident).get_json(force=True)
    assert "contact" not in one["properties"]


def test_a_skill_is_generalised_for_everyone_but_its_owner(app: Flask, client: FlaskClient) -> None:
    owner = add_user(app, "ann@example.org", password=None)
    asset_id = add_at_market(
        app, owner, kind="skill", title="Bike repair", lon=-2.321234, lat=51.230987
    )
    coach = bearer(app, add_user(app, "cleo@example.org", "coach", password=None))
    for headers in ({}, coach):
        feature = client.get(f"/api/assets/{asset_id}", headers=headers).get_json(force=True)
        assert feature["geometry"]["coordinates"] != [-2.321234, 51.230987]
        assert feature["properties"]["location_generalised"] is True
    mine = client.get(f"/api/assets/{asset_id}", headers=bearer(app, owner)).get_json(force=True)
    assert mine["geometry"]["coordinates"] == [-2.321234, 51.230987]
    assert mine["properties"]["location_generalised"] is False


NEW_GROUP = {
    "kind": "group",
    "title": "Repair cafe",
    "themes": ["environment"],
    "lon": -2.3205,
    "lat": 51.2301,
    "contact": "fix@example.org",
}


def test_a_token_adds_a_strength_owned_by_its_holder(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    response = client.post("/api/assets", json=NEW_GROUP, headers=bearer(app, ann))
    feature = response.get_json(force=True)
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/assets/{feature['id']}"
    assert feature["properties"]["title"] == "Repair cafe"
    assert feature["properties"]["contact"] == "fix@example.org"
    with app.app_context(), db.database().session() as session:
        stored = store.get_asset(session, feature["id"])
        assert stored is not None and stored.owner_id == ann


@pytest.mark.parametrize(
    ("headers", "says"),
    [
        ({}, "writing needs a personal API token: 'Bearer <token>'"),
        ({"Authorization": "Basic YW5uOnB3"}, "send a personal API token as 'Bearer <token>'"),
        ({"Authorization": "Bearer "}, "send a personal API token as 'Bearer <token>'"),
        ({"Authorization": "Bearer amt_" + "x" * 43}, "the API token is wrong or was revoked"),
    ],
)
def test_writing_without_a_good_token_is_a_401(
    client: FlaskClient, headers: dict[str, str], says: str
) -> None:
    response = client.post("/api/assets", json=NEW_GROUP, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(response) == {"status": 401, "message": says, "field": "Authorization"}


def test_a_revoked_token_is_a_401(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    with app.app_context(), db.database().session() as session:
        made = tokens.create_token(session, ann, "old")
        tokens.revoke_token(session, ann, made.token.id)
        session.commit()
    headers = {"Authorization": f"Bearer {made.secret}"}
    assert client.post("/api/assets", json=NEW_GROUP, headers=headers).status_code == 401
    assert client.get(f"/api/assets?near={NEAR}", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({**NEW_GROUP, "title": ""}, "title", "title: must not be empty"),
        ({**NEW_GROUP, "lat": 91}, "lat", "lat: must be between -90 and 90"),
        ({**NEW_GROUP, "lon": -1.0}, "location", "outside the area"),
        ({**NEW_GROUP, "kind": "party"}, "kind", "must be one of skill, group, space"),
        ({**NEW_GROUP, "owner_id": 1}, "owner_id", "is not a field of an asset"),
        ({**NEW_GROUP, "capacity": 1e300}, "capacity", "does not apply to a group"),
        ({**NEW_GROUP, "themes": {"a": 1}}, "themes", "must be a list"),
    ],
)
def test_a_refused_field_is_a_400_naming_it(
    app: Flask, client: FlaskClient, body: dict[str, Any], field: str, says: str
) -> None:
    headers = bearer(app, add_user(app, "ann@example.org", password=None))
    response = client.post("/api/assets", json=body, headers=headers)
    error = error_of(response)
    assert (response.status_code, error["field"]) == (400, field)
    assert says in error["message"]


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[1, 2]", b'"text"', b"null", b'{"title": "\\ud800"}', b"[" * 5000],
)
def test_a_body_that_is_not_a_json_object_is_a_400(
    app: Flask, client: FlaskClient, data: bytes
) -> None:
    headers = bearer(app, add_user(app, "ann@example.org", password=None))
    response = client.post(
        "/api/assets", data=data, headers=headers, content_type="application/json"
    )
    assert response.status_code == 400 and error_of(response)["field"] == "body"


def test_a_body_over_64_kib_is_a_413(app: Flask, client: FlaskClient) -> None:
    headers = bearer(app, add_user(app, "ann@example.org", password=None))
    body = json.dumps({**NEW_GROUP, "description": "x" * 70_000})
    response = client.post(
        "/api/assets", data=body, headers=headers, content_type="application/json"
    )
    assert response.status_code == 413 and error_of(response)["status"] == 413


def test_the_owner_changes_their_strength(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    asset_id = add_at_market(app, ann, title="Chess club")
    response = client.patch(
        f"/api/assets/{asset_id}", json={"title": "Riverside chess"}, headers=bearer(app, ann)
    )
    assert response.status_code == 200
    assert response.get_json(force=True)["properties"]["title"] == "Riverside chess"
    assert client.get(f"/api/assets/{asset_id}").get_json(force=True)["properties"]["title"] == (
        "Riverside chess"
    )


def test_an_admin_changes_anyones_strength(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(app, add_user(app, "ann@example.org", password=None))
    admin = bearer(app, add_user(app, "ada@example.org", "admin", password=None))
    response = client.patch(f"/api/assets/{asset_id}", json={"title": "Renamed"}, headers=admin)
    assert response.status_code == 200


def test_nobody_else_changes_or_withdraws_it(app: Flask, client: FlaskClient) -> None:
    asset_id = add_at_market(
        app, add_user(app, "ann@example.org", password=None), title="Chess club"
    )
    coach = bearer(app, add_user(app, "cleo@example.org", "coach", password=None))
    changed = client.patch(f"/api/assets/{asset_id}", json={"title": "Mine now"}, headers=coach)
    withdrawn = client.delete(f"/api/assets/{asset_id}", headers=coach)
    for response in (changed, withdrawn):
        assert response.status_code == 403
        assert error_of(response)["field"] == "asset_id"
    assert client.get(f"/api/assets/{asset_id}").get_json(force=True)["properties"]["title"] == (
        "Chess club"
    )


def test_a_refused_change_is_a_400_and_changes_nothing(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    asset_id = add_at_market(app, ann, title="Chess club")
    response = client.patch(
        f"/api/assets/{asset_id}", json={"title": "", "kind": "space"}, headers=bearer(app, ann)
    )
    assert response.status_code == 400 and error_of(response)["field"] == "kind"
    assert client.get(f"/api/assets/{asset_id}").get_json(force=True)["properties"]["title"] == (
        "Chess club"
    )


def test_delete_withdraws_and_the_strength_is_gone(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    asset_id = add_at_market(app, ann)
    headers = bearer(app, ann)
    response = client.delete(f"/api/assets/{asset_id}", headers=headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert client.get(f"/api/assets/{asset_id}").status_code == 404
    again = client.patch(f"/api/assets/{asset_id}", json={"title": "Back"}, headers=headers)
    assert again.status_code == 409 and error_of(again)["field"] == "asset_id"


def test_writing_to_an_unknown_strength_is_a_404(app: Flask, client: FlaskClient) -> None:
    headers = bearer(app, add_user(app, "ada@example.org", "admin", password=None))
    assert client.patch("/api/assets/999", json={"title": "x"}, headers=headers).status_code == 404
    assert client.delete("/api/assets/999", headers=headers).status_code == 404


def test_an_unsupported_method_is_a_405_in_the_error_shape(client: FlaskClient) -> None:
    response = client.put("/api/assets", json={})
    assert response.status_code == 405 and error_of(response)["status"] == 405


def test_places_are_looked_up_in_the_gazetteer(client: FlaskClient) -> None:
    response = client.get("/api/places?q=catherine")
    body = response.get_json(force=True)
    assert response.status_code == 200
    assert [f["properties"]["name"] for f in body["features"]] == [
        "Catherine Hill",
        "Catherine Street",
    ]
    assert body["features"][0]["geometry"]["coordinates"] == [-2.3227, 51.22985]


@pytest.mark.parametrize("query", ["", "?q=", "?q=" + "x" * 101])
def test_an_unusable_place_query_is_a_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/places{query}")
    assert response.status_code == 400 and error_of(response)["field"] == "q"


def test_a_strengths_answer_carries_its_provenance(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    asset_id = add_at_market(app, ann)
    body = client.get(f"/api/assets/{asset_id}").get_json(force=True)
    assert body["properties"]["provenance"] == {
        "source": None,
        "checked_at": None,
        "unlisted_at": None,
        "assured_date": body["properties"]["last_confirmed"],
        "assured_by": "owner",
    }


def test_a_skills_provenance_says_who_confirmed_it_by_their_part_alone(
    app: Flask, client: FlaskClient
) -> None:
    ann = add_user(app, "ann@example.org", password=None, name="Ann Example")
    ada = add_user(app, "ada@example.org", "admin", password=None, name="Ada Admin")
    asset_id = add_at_market(app, ann, kind="skill", contact="07700 900123")
    confirmed = client.post(f"/api/assets/{asset_id}/confirm", headers=bearer(app, ada))
    assert confirmed.get_json(force=True)["properties"]["provenance"]["assured_by"] == "staff"
    answer = client.get(f"/api/assets/{asset_id}")
    provenance = answer.get_json(force=True)["properties"]["provenance"]
    assert provenance["assured_by"] == "staff"
    assert set(provenance) == {"source", "checked_at", "unlisted_at", "assured_date", "assured_by"}
    for secret in ("Ann", "Ada", "ann@example.org", "ada@example.org", "07700 900123"):
        assert secret not in answer.get_data(as_text=True)


def test_written_strengths_answer_with_their_provenance(app: Flask, client: FlaskClient) -> None:
    ann = add_user(app, "ann@example.org", password=None)
    headers = bearer(app, ann)
    made = client.post(
        "/api/assets",
        json={"kind": "group", "title": "Choir", "themes": ["arts"], "lon": -2.32, "lat": 51.23},
        headers=headers,
    )
    assert made.status_code == 201
    assert made.get_json(force=True)["properties"]["provenance"]["assured_by"] == "owner"
    asset_id = made.get_json(force=True)["id"]
    changed = client.patch(f"/api/assets/{asset_id}", json={"title": "Choir!"}, headers=headers)
    assert changed.get_json(force=True)["properties"]["provenance"]["source"] is None
