"""A skill's "When are you available?": kept on adding and on changing it, and shown everywhere
a skill's details are: the preview, its page, the person's data download and the public API."""

from __future__ import annotations

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import add_asset, csrf, signed_in, stored, text
from tests.web.test_strengths import Steps

WHEN = "Tuesday evenings after 6pm"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return signed_in(app, email="ann@example.org")


def owner_id(client: FlaskClient) -> int:
    return int(orjson.loads(client.get("/account/my-data").data)["user"]["id"])


def published_skill(app: Flask, client: FlaskClient) -> int:
    steps = Steps(client)
    steps.details(availability=WHEN)
    steps.pin()
    assert steps.publish().status_code == 302
    [asset_id] = (
        asset["id"] for asset in orjson.loads(client.get("/account/my-data").data)["strengths"]
    )
    return int(asset_id)


def test_the_preview_shows_when_a_new_skill_is_available(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details(availability=WHEN)
    assert f"When {WHEN}" in text(steps.pin().get_data(as_text=True))


def test_a_new_skill_is_stored_with_when_it_is_available(app: Flask, client: FlaskClient) -> None:
    asset_id = published_skill(app, client)
    assert stored(app, asset_id).availability == WHEN


def test_a_new_skills_page_says_when_it_is_available(app: Flask, client: FlaskClient) -> None:
    asset_id = published_skill(app, client)
    page = app.test_client().get(f"/assets/{asset_id}").get_data(as_text=True)
    assert f"When {WHEN}" in text(page)


def test_the_data_download_says_when_a_new_skill_is_available(
    app: Flask, client: FlaskClient
) -> None:
    published_skill(app, client)
    [strength] = orjson.loads(client.get("/account/my-data").data)["strengths"]
    assert strength["availability"] == WHEN


def test_the_api_says_when_a_new_skill_is_available(app: Flask, client: FlaskClient) -> None:
    asset_id = published_skill(app, client)
    feature = app.test_client().get(f"/api/assets/{asset_id}").get_json()
    assert feature["properties"]["availability"] == WHEN


def test_the_change_form_shows_when_a_skill_is_available(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app, owner_id(client), kind="skill", availability=WHEN)
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    assert f'value="{WHEN}"' in page


def test_changing_when_a_skill_is_available_is_saved_and_shown(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, owner_id(client), kind="skill", availability="Weekends")
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    response = client.post(
        f"/strengths/{asset_id}/edit",
        data={
            "csrf_token": csrf(page),
            "title": "Bike repair",
            "themes": ["learning"],
            "share_modes": ["teach"],
            "availability": WHEN,
        },
    )
    assert response.headers["Location"] == "/strengths/mine"
    assert stored(app, asset_id).availability == WHEN
    assert f"When {WHEN}" in text(client.get(f"/assets/{asset_id}").get_data(as_text=True))


def test_clearing_when_a_skill_is_available_is_saved(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app, owner_id(client), kind="skill", availability=WHEN)
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "title": "Bike repair", "themes": ["learning"]}
    client.post(f"/strengths/{asset_id}/edit", data={**data, "share_modes": ["teach"]})
    assert stored(app, asset_id).availability == ""
