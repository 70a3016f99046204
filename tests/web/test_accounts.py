from __future__ import annotations

import datetime as dt
import email
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from assetmap import create_app
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as store
from assetmap.storage import users as user_store
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from tests.web.helpers import (
    PASSWORD,
    PRIVATE_SKILL,
    add_asset,
    add_user,
    form_token,
    post,
    sign_in_as,
)


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def app(sqlite_url: str, outbox: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test",
            "MAIL_OUTBOX_DIR": str(outbox),
        }
    )
    yield app
    app.extensions["assetmap.db"].dispose()


def sign_up(client: FlaskClient, **fields: str) -> Any:
    values = {
        "email": "new@example.org",
        "display_name": "New Person",
        "password": PASSWORD,
        "password_again": PASSWORD,
        **fields,
    }
    return post(client, "/sign-up", **values)


def mails(outbox: Path) -> list[email.message.Message]:
    return [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]


def link_in(message: email.message.Message, path: str) -> str:
    """Return the path of the link under ``path`` in a mail, checking it starts PUBLIC_URL."""
    body = message.get_payload(decode=True).decode()
    match = re.search(rf"http://127\.0\.0\.1:5000({path}/\S+)", body)
    assert match, body
    return match.group(1)


def reset_link(message: email.message.Message) -> str:
    return link_in(message, "/reset-password")


def test_sign_up_creates_an_account_and_mails_a_link_to_confirm_it(
    client: FlaskClient, outbox: Path
) -> None:
    response = sign_up(client)
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [message] = mails(outbox)
    assert (message["To"], message["Subject"]) == (
        "new@example.org",
        "Confirm your email address for assetmap",
    )
    confirmed = client.get(link_in(message, "/confirm-email"))
    assert confirmed.headers["Location"] == "/sign-in?next=/strengths/mine"
    sign_in_as(client, "new@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Sign out" in page and "New Person" in page


def test_sign_up_offers_to_sign_in_and_go_on_to_where_the_person_was_going(
    client: FlaskClient,
) -> None:
    token = form_token(client, "/sign-up")
    response = client.post(
        "/sign-up?next=/strengths/new",
        data={
            "csrf_token": token,
            "email": "new@example.org",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert 'href="/sign-in?next=/strengths/new"' in response.get_data(as_text=True)


def test_sign_up_hashes_the_password(app: Flask, client: FlaskClient) -> None:
    sign_up(client)
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user_by_email(session, "new@example.org")
        assert user is not None and user.password_hash is not None
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short", "password_again": "short"}, "Your password must be at least 10"),
        ({"password_again": "something else entirely"}, "The two passwords are not the same"),
        ({"email": "not an address"}, "Enter an email address like name@example.org"),
        ({"email": ""}, "Enter your email address"),
        ({"display_name": "x" * 101}, "Your name must be at most 100 characters"),
    ],
)
def test_sign_up_refuses_bad_input_beside_the_field_keeping_what_was_typed(
    client: FlaskClient, fields: dict[str, str], message: str
) -> None:
    response = sign_up(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert "govuk-error-summary" in page and "govuk-error-message" in page
    assert 'value="New Person"' in page or "display_name" in fields


def test_sign_up_with_an_address_that_has_an_account_mails_its_holder_a_reset_link(
    app: Flask, client: FlaskClient, outbox: Path
) -> None:
    add_user(app, "new@example.org")
    response = sign_up(client, email="New@Example.org")
    assert response.status_code == 200
    [message] = mails(outbox)
    assert message["To"] == "new@example.org"
    assert "you already have one" in message.get_payload(decode=True).decode()
    new = "a brand new passphrase"
    post(client, reset_link(message), password=new, password_again=new)
    with app.app_context(), db.database().session() as session:
        assert user_store.authenticate(session, "new@example.org", new) is not None


def test_sign_up_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/sign-up",
        data={"email": "new@example.org", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 400
    with app.app_context(), db.database().session() as session:
        assert user_store.get_user_by_email(session, "new@example.org") is None


def test_visitors_see_sign_up_and_people_signed_in_see_their_account(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sign-up"' in page and 'href="/account"' not in page
    add_user(app)
    sign_in_as(client)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/sign-up"' not in page and 'href="/account"' in page


def test_sign_in_page_offers_a_reset_and_a_new_account(client: FlaskClient) -> None:
    page = client.get("/sign-in?next=/strengths/new").get_data(as_text=True)
    assert "Forgotten your password?" in page
    assert 'href="/sign-up?next=/strengths/new"' in page


def test_password_reset_mails_a_link_that_sets_a_new_password(
    app: Flask, client: FlaskClient, outbox: Path
) -> None:
    add_user(app)
    response = post(client, "/reset-password", email="ann@example.org")
    assert "Check your email" in response.get_data(as_text=True)
    [message] = mails(outbox)
    assert message["To"] == "ann@example.org"
    link = reset_link(message)
    new = "a brand new passphrase"
    response = post(client, link, password=new, password_again=new)
    assert response.headers["Location"] == "/sign-in"
    with app.app_context(), db.database().session() as session:
        assert user_store.authenticate(session, "ann@example.org", new) is not None
        assert user_store.authenticate(session, "ann@example.org", PASSWORD) is None


def test_a_reset_link_dies_once_used(app: Flask, client: FlaskClient, outbox: Path) -> None:
    add_user(app)
    post(client, "/reset-password", email="ann@example.org")
    link = reset_link(mails(outbox)[0])
    new = "a brand new passphrase"
    post(client, link, password=new, password_again=new)
    response = client.get(link)
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def test_an_earlier_reset_link_dies_when_a_later_one_is_used(
    app: Flask, client: FlaskClient, outbox: Path
) -> None:
    add_user(app)
    post(client, "/reset-password", email="ann@example.org")
    post(client, "/reset-password", email="ann@example.org")
    first, second = (reset_link(m) for m in mails(outbox))
    post(client, second, password="a brand new passphrase", password_again="a brand new passphrase")
    assert client.get(first).status_code == 400


def test_a_reset_link_expires_after_an_hour(
    app: Flask, client: FlaskClient, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(app)
    an_hour_ago = int(time.time()) - 3601
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: an_hour_ago)
    post(client, "/reset-password", email="ann@example.org")
    monkeypatch.undo()
    assert client.get(reset_link(mails(outbox)[0])).status_code == 400


def test_a_changed_reset_link_does_not_work(app: Flask, client: FlaskClient, outbox: Path) -> None:
    add_user(app)
    post(client, "/reset-password", email="ann@example.org")
    link = reset_link(mails(outbox)[0])
    assert client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB")).status_code == 400


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client: FlaskClient, outbox: Path
) -> None:
    response = post(client, "/reset-password", email="nobody@example.org")
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert mails(outbox) == []


def test_a_person_without_a_password_sets_one_by_reset(
    app: Flask, client: FlaskClient, outbox: Path
) -> None:
    add_user(app, password=None)
    post(client, "/reset-password", email="ann@example.org")
    post(client, reset_link(mails(outbox)[0]), password=PASSWORD, password_again=PASSWORD)
    sign_in_as(client)


def test_a_new_password_that_is_too_short_is_refused_beside_the_field(
    app: Flask, client: FlaskClient, outbox: Path
) -> None:
    add_user(app)
    post(client, "/reset-password", email="ann@example.org")
    response = post(client, reset_link(mails(outbox)[0]), password="short", password_again="short")
    assert response.status_code == 400
    assert "Your password must be at least 10 characters" in response.get_data(as_text=True)


def test_my_data_downloads_everything_held_about_the_person(
    app: Flask, client: FlaskClient
) -> None:
    ann = add_user(app)
    add_asset(app, ann, **PRIVATE_SKILL)
    sign_in_as(client)
    response = client.get("/account/my-data")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="assetmap-my-data.json"'
    data = response.get_json()
    assert data["user"]["email"] == "ann@example.org"
    [skill] = data["strengths"]
    assert (skill["contact"], skill["lon"], skill["lat"]) == ("07700 900123", -2.321234, 51.230987)
    assert [r["action"] for r in data["revisions"]] == ["create"]


def test_my_data_holds_the_persons_schedules_and_ties(app: Flask, client: FlaskClient) -> None:
    """When their group meets, and the ties to and from their strengths, are held about them."""
    ann = add_user(app)
    bob = add_user(app, "bob@example.org")
    choir = add_asset(app, ann, title="Ann's choir")
    skill = add_asset(app, ann, **PRIVATE_SKILL)
    hall = add_asset(app, bob, kind="space", title="Bob's hall")
    bobs_band = add_asset(app, bob, title="Bob's band")
    with app.app_context(), db.database().session() as session:
        weekly = {"frequency": "weekly", "weekdays": "TU", "start_time": "19:30"}
        set_schedules(
            session, choir, [validate_schedule(weekly, today=dt.date(2026, 12, 7))], by=ann
        )
        add_tie(session, TieKind.MEETS_AT, choir, hall, by=ann)
        add_tie(session, TieKind.OFFERS, skill, bobs_band, by=ann)
        session.commit()
    sign_in_as(client)
    data = client.get("/account/my-data").get_json()
    schedules = {row["title"]: row["schedules"] for row in data["strengths"]}
    assert [s["description"] for s in schedules["Ann's choir"]] == ["Every Tuesday, 7.30pm"]
    assert [(t["kind"], t["from_id"], t["to_id"], t["state"]) for t in data["ties"]] == [
        ("meets-at", choir, hall, "accepted"),
        ("offers", skill, bobs_band, "proposed"),
    ]
    # The other strengths are named by id alone: they are Bob's to describe.
    assert "Bob's" not in str(data["ties"])


def test_my_data_holds_nobody_elses_data(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    bob = add_user(app, "bob@example.org")
    add_asset(app, bob, title="Bob's choir", contact="bob@example.org")
    sign_in_as(client)
    data = client.get("/account/my-data").get_json()
    assert data["strengths"] == [] and data["revisions"] == []
    assert "bob@example.org" not in str(data)


def test_my_data_needs_a_sign_in(client: FlaskClient) -> None:
    response = client.get("/account/my-data")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_deleting_an_account_needs_the_password(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    sign_in_as(client)
    response = post(client, "/account/delete", password="not the password")
    assert response.status_code == 400
    assert "The password is not right" in response.get_data(as_text=True)
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_deleting_an_account_withdraws_its_strengths_from_public_view_and_signs_out(
    app: Flask, client: FlaskClient
) -> None:
    ann = add_user(app)
    asset_id = add_asset(app, ann, title="Ann's chess club", contact="07700 900123")
    sign_in_as(client)
    response = post(client, "/account/delete", password=PASSWORD)
    assert response.headers["Location"] == "/"
    front = client.get("/").get_data(as_text=True)
    assert "Sign out" not in front and "Ann's chess club" not in front
    assert client.get(f"/assets/{asset_id}").status_code == 404
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user(session, ann)
        asset = store.get_asset(session, asset_id)
        assert user is not None and asset is not None
        assert (user.email, user.display_name, user.password_hash) == (
            f"deleted-{ann}@invalid",
            "",
            None,
        )
        assert asset.contact == ""
        assert "07700 900123" not in str([r.changes for r in asset.revisions])


def test_a_deleted_account_cannot_sign_in_again(app: Flask, client: FlaskClient) -> None:
    add_user(app)
    sign_in_as(client)
    post(client, "/account/delete", password=PASSWORD)
    response = post(client, "/sign-in", email="ann@example.org", password=PASSWORD)
    assert response.status_code == 400
