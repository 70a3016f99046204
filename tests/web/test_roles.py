"""Admins list users and their roles, and read the latest role changes in plain words."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage.models import Neighbourhood, User
from assetmap.web import db
from tests.web.helpers import csrf, signed_in, text


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return signed_in(app, "admin", "head-admin@example.org")


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session().scalar(sa.select(User.id).where(User.email == email))
        assert found is not None
        return found


def neighbourhood(app: Flask, name: str) -> int:
    with app.app_context():
        found = db.session().scalar(sa.select(Neighbourhood.id).where(Neighbourhood.name == name))
        assert found is not None
        return found


def test_an_admin_lists_the_users_of_a_register_with_neighbourhoods(
    app: Flask, admin: FlaskClient
) -> None:
    response = admin.get("/admin/users")
    assert response.status_code == 200
    assert "wei.wong@example.org" in response.get_data(as_text=True)


def test_a_user_limited_to_neighbourhoods_is_listed_with_their_names(
    app: Flask, admin: FlaskClient
) -> None:
    wei = user_id(app, "wei.wong@example.org")
    page = admin.get(f"/admin/users/{wei}").get_data(as_text=True)
    data = {
        "csrf_token": csrf(page),
        "role": "planner",
        "neighbourhoods": [neighbourhood(app, "Keyford"), neighbourhood(app, "Oakfield")],
    }
    assert admin.post(f"/admin/users/{wei}", data=data).status_code == 302
    listing = text(admin.get("/admin/users").get_data(as_text=True))
    assert "wei.wong@example.org Planner Keyford, Oakfield No" in listing


def test_the_change_log_says_what_changed_in_plain_words(app: Flask, admin: FlaskClient) -> None:
    wei = user_id(app, "wei.wong@example.org")
    page = admin.get(f"/admin/users/{wei}").get_data(as_text=True)
    data = {
        "csrf_token": csrf(page),
        "role": "coach",
        "moderates": "y",
        "neighbourhoods": [neighbourhood(app, "Keyford")],
    }
    admin.post(f"/admin/users/{wei}", data=data)
    log = text(admin.get("/admin/users").get_data(as_text=True))
    assert "Role: Resident to Coach" in log
    assert "Neighbourhoods: All to Keyford" in log
    assert "Moderates: No to Yes" in log
