"""A coach's note on a connection says what it was for: never how to reach anyone."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage import connections
from assetmap.web import db
from tests.web.helpers import add_at_market, error_beside, form_token, sign_in


@pytest.fixture
def coach(app: Flask, client: FlaskClient) -> FlaskClient:
    sign_in(app, client, "coach", "cleo@example.org", cookie=True)
    return client


def record(client: FlaskClient, asset_id: int, note: str) -> tuple[int, str]:
    token = form_token(client, f"/connections/new?asset={asset_id}")
    data = {"csrf_token": token, "asset": asset_id, "on": "2026-11-02", "note": note}
    response = client.post("/connections/new", data=data)
    return response.status_code, response.get_data(as_text=True)


def recorded(app: Flask, asset_id: int) -> list[str]:
    with app.app_context(), db.database().session() as session:
        return [found.note for found in connections.connections_of(session, asset_id)]


def test_a_note_with_a_phone_number_is_refused_and_says_why(app: Flask, coach: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    status, page = record(coach, asset_id, "Mrs Jones at 12 High Street, 07700 900111")
    assert status == 400
    assert error_beside(page, "note") == (
        "Error: The note must not include a phone number. Say what the connection was for, "
        "not who it was for or how to reach them"
    )
    assert recorded(app, asset_id) == []


def test_a_note_with_an_email_address_is_refused_and_says_why(
    app: Flask, coach: FlaskClient
) -> None:
    asset_id = add_at_market(app, title="Choir")
    status, page = record(coach, asset_id, "write to jo.jones@example.org about Tuesdays")
    assert status == 400
    assert "The note must not include an email address." in error_beside(page, "note")
    assert recorded(app, asset_id) == []


def test_a_refused_note_is_shown_again_to_put_right(app: Flask, coach: FlaskClient) -> None:
    asset_id = add_at_market(app, title="Choir")
    _status, page = record(coach, asset_id, "wants to sing, call 07700 900111")
    assert "wants to sing, call 07700 900111</textarea>" in page


def test_a_note_about_what_the_connection_was_for_is_recorded(
    app: Flask, coach: FlaskClient
) -> None:
    asset_id = add_at_market(app, title="Choir")
    status, _page = record(coach, asset_id, "wants to sing on Tuesdays, from 2 January")
    assert status == 302
    assert recorded(app, asset_id) == ["wants to sing on Tuesdays, from 2 January"]
