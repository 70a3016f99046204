from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from assetmap import create_app
from assetmap.web import db
from tests.web.helpers import PASSWORD, form_token, post, sign_in_as, text


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
            "RATELIMIT_ENABLED": False,
        }
    )
    yield app
    db.database(app).dispose()


def signed_up(client: FlaskClient, address: str = "new@example.org") -> None:
    """Sign up through the form and sign in, without following the mailed link."""
    post(client, "/sign-up", email=address, password=PASSWORD, password_again=PASSWORD)
    sign_in_as(client, address)


def mailed_links(outbox: Path, path: str) -> list[str]:
    found = []
    for file in sorted(outbox.glob("*.eml")):
        body = email.message_from_bytes(file.read_bytes()).get_payload(decode=True).decode()
        found += re.findall(rf"http://127\.0\.0\.1:5000({path}/\S+)", body)
    return found


def test_the_page_to_add_a_strength_asks_an_unconfirmed_person_to_confirm_first(
    client: FlaskClient,
) -> None:
    signed_up(client)
    response = client.get("/strengths/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "we sent a link to new@example.org" in text(page)
    assert "Send the link again" in page


def test_following_the_mailed_link_lets_the_person_add_a_strength(
    client: FlaskClient, outbox: Path
) -> None:
    signed_up(client)
    [link] = mailed_links(outbox, "/confirm-email")
    assert client.get(link).headers["Location"] == "/strengths/mine"
    assert client.get("/strengths/new").status_code == 200
    assert post(client, "/strengths/new", kind="group").status_code == 302


def test_send_the_link_again_mails_a_new_link_that_works(client: FlaskClient, outbox: Path) -> None:
    signed_up(client)
    token = form_token(client, "/strengths/new")
    response = client.post("/confirm-email/send-again", data={"csrf_token": token})
    assert response.headers["Location"] == "/account"
    first, again = mailed_links(outbox, "/confirm-email")
    client.get(again)
    assert client.get("/strengths/new").status_code == 200


def test_a_changed_confirmation_link_does_not_work(client: FlaskClient, outbox: Path) -> None:
    signed_up(client)
    [link] = mailed_links(outbox, "/confirm-email")
    response = client.get(link[:-2] + ("AA" if not link.endswith("AA") else "BB"))
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    assert client.get("/strengths/new").status_code == 403


def test_a_confirmation_link_expires_after_three_days(
    client: FlaskClient, outbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    three_days_ago = int(time.time()) - 3 * 24 * 3600 - 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: three_days_ago)
    signed_up(client)
    monkeypatch.undo()
    [link] = mailed_links(outbox, "/confirm-email")
    assert client.get(link).status_code == 400


def test_a_password_reset_by_mail_confirms_the_address(client: FlaskClient, outbox: Path) -> None:
    signed_up(client)
    post(client, "/reset-password", email="new@example.org")
    [link] = mailed_links(outbox, "/reset-password")
    new = "a brand new passphrase"
    post(client, link, password=new, password_again=new)
    assert post(client, "/sign-in", email="new@example.org", password=new).status_code == 302
    assert client.get("/strengths/new").status_code == 200


def test_an_unconfirmed_person_can_still_sign_out_and_delete_their_account(
    client: FlaskClient,
) -> None:
    signed_up(client)
    response = post(client, "/account/delete", password=PASSWORD)
    assert response.status_code == 302
    assert post(client, "/sign-in", email="new@example.org", password=PASSWORD).status_code == 400


def test_the_account_page_offers_to_send_the_link_again_until_confirmed(
    client: FlaskClient, outbox: Path
) -> None:
    signed_up(client)
    assert "Send the link again" in client.get("/account").get_data(as_text=True)
    [link] = mailed_links(outbox, "/confirm-email")
    client.get(link)
    assert "Send the link again" not in client.get("/account").get_data(as_text=True)
