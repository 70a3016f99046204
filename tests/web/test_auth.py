from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage import users as user_store
from assetmap.web import db
from tests.web.helpers import PASSWORD, add_user, csrf, form_token, post


def test_sign_in_and_out(app: Flask, client: FlaskClient) -> None:
    add_user(app, name="Ann")
    response = post(client, "/sign-in", email="Ann@Example.org", password=PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page and "Ann" in page
    client.post("/sign-out", data={"csrf_token": csrf(page)})
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_without_saying_which_part(
    app: Flask, client: FlaskClient
) -> None:
    add_user(app, name="Ann")
    response = post(client, "/sign-in", email="ann@example.org", password="wrong password!")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The email address or password is not right" in page
    assert 'value="ann@example.org"' in page


def test_form_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    add_user(app, name="Ann")
    response = client.post("/sign-in", data={"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Sign out" not in client.get("/").get_data(as_text=True)


def test_next_must_stay_on_this_site(app: Flask, client: FlaskClient) -> None:
    add_user(app, name="Ann")
    token = form_token(client)
    response = client.post(
        "/sign-in?next=https://evil.example.com/",
        data={"email": "ann@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_session_cookie_is_httponly_and_samesite(app: Flask, client: FlaskClient) -> None:
    add_user(app, name="Ann")
    response = post(client, "/sign-in", email="ann@example.org", password=PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app: Flask) -> None:
    add_user(app, name="Ann")
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost").get_data(as_text=True)
    response = client.post(
        "/sign-in",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},
        data={
            "email": "ann@example.org",
            "password": PASSWORD,
            "csrf_token": csrf(page),
        },
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_changing_the_password_signs_out_other_sessions(app: Flask, client: FlaskClient) -> None:
    add_user(app, name="Ann")
    post(client, "/sign-in", email="ann@example.org", password=PASSWORD)
    assert "Sign out" in client.get("/").get_data(as_text=True)
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user_by_email(session, "ann@example.org")
        user_store.set_password(user, "a brand new passphrase")
        session.commit()
    assert "Sign out" not in client.get("/").get_data(as_text=True)
