"""The API tokens page: a signed-in person makes a token, sees it once, and revokes it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import csrf, post, sign_in


def make(client: FlaskClient, name: str) -> tuple[int, str]:
    response = post(client, "/account/tokens", name=name)
    return response.status_code, response.get_data(as_text=True)


def test_the_page_needs_a_signed_in_person(client: FlaskClient) -> None:
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_new_token_is_shown_once_and_works(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, cookie=True)
    status, html = make(client, "allotment survey")
    secret = re.search(r'id="new-token" type="text" readonly value="(amt_[^"]+)"', html)
    assert status == 200 and secret
    assert "allotment survey" in html
    later = client.get("/account/tokens")
    assert secret.group(1) not in later.get_data(as_text=True)
    assert later.headers["Cache-Control"] == "no-store"
    api = app.test_client().post(
        "/api/assets",
        json={"kind": "space", "title": "Hall", "themes": ["arts"], "lon": -2.32, "lat": 51.23},
        headers={"Authorization": f"Bearer {secret.group(1)}"},
    )
    assert api.status_code == 201


def test_a_token_without_a_name_is_refused_beside_the_field(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, cookie=True)
    status, html = make(client, "  ")
    assert status == 400
    assert 'id="name-error"' in html and "Enter a name that says what the token is for" in html


def test_a_revoked_token_stops_working(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, cookie=True)
    _, html = make(client, "old script")
    secret = re.search(r'value="(amt_[^"]+)"', html)
    action = re.search(r'action="(/account/tokens/\d+/revoke)"', html)
    assert secret and action
    response = client.post(action.group(1), data={"csrf_token": csrf(html)})
    assert response.status_code == 302
    assert "old script" not in client.get("/account/tokens").get_data(as_text=True)
    api = app.test_client().get(
        "/api/assets", headers={"Authorization": f"Bearer {secret.group(1)}"}
    )
    assert api.status_code == 401


def test_nobody_revokes_someone_elses_token(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, cookie=True)
    _, html = make(client, "ann's script")
    action = re.search(r'action="(/account/tokens/\d+/revoke)"', html)
    assert action
    other = app.test_client()
    sign_in(app, other, email="bob@example.org", cookie=True)
    page = other.get("/account/tokens").get_data(as_text=True)
    response = other.post(action.group(1), data={"csrf_token": csrf(page)})
    assert response.status_code == 404


def test_forms_without_a_csrf_token_are_refused(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, cookie=True)
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 400
