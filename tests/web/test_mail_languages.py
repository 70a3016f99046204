"""Mail in the recipient's language, error pages in the reader's, and a sign-in form that
lets password managers and pasting do the remembering.

The shipped catalogues are translated after the pages are marked, so these tests bring a tiny
catalogue of their own (``BABEL_TRANSLATION_DIRECTORIES``): a mail is in Welsh when its subject
and body are the Welsh ones written here.
"""

from __future__ import annotations

import email.message
import re
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.storage.models import User
from assetmap.web import db
from tests.trust.world import MARKERS, World, client_as, config, copy
from tests.web.helpers import form_token, write_catalogue

WELSH = {
    "“%(title)s” has been hidden": "Mae “%(title)s” wedi’i guddio",
    "Hello,": "Helo,",
    "Reset your assetmap password": "Ailosodwch eich cyfrinair assetmap",
    "Page not found": "Heb ddod o hyd i’r dudalen",
    "Go to the front page": "Ewch i’r dudalen flaen",
}
POLISH = {
    "Reset your assetmap password": "Zresetuj hasło do assetmap",
    "Someone asked to reset the password of your assetmap account.": (
        "Ktoś poprosił o zresetowanie hasła do Twojego konta assetmap."
    ),
    "Confirm your email address for assetmap": "Potwierdź swój adres e-mail w assetmap",
}


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    folder = tmp_path / "translations"
    write_catalogue(folder, "cy", WELSH)
    write_catalogue(folder, "pl", POLISH)
    return folder


@pytest.fixture
def app(world: World, tmp_path: Path, translations: Path) -> Iterator[Flask]:
    served = create_app(
        config(copy(world, tmp_path), BABEL_TRANSLATION_DIRECTORIES=str(translations))
    )
    yield served
    db.database(served).dispose()


def mails(app: Flask) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    found = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in found
    ]


def body(message: email.message.EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def choose(app: Flask, user_id: int, language: str) -> None:
    with app.app_context():
        db.session().get(User, user_id).language = language  # type: ignore[union-attr]
        db.session().commit()


def hide(app: Flask, world: World, asset: str) -> None:
    admin = client_as(app, world, "admin")
    token = form_token(admin, f"/moderation/assets/{world.ids[asset]}/hide")
    answer = admin.post(
        f"/moderation/assets/{world.ids[asset]}/hide",
        data={"reason": "Closed for good", "csrf_token": token},
    )
    assert answer.status_code == 302


def test_a_welsh_speaking_owner_is_told_in_welsh_that_a_moderator_hid_their_strength(
    app: Flask, world: World
) -> None:
    choose(app, world.users["owner"], "cy")
    hide(app, world, "victim")
    [message] = mails(app)
    assert message["To"] == MARKERS["email"]
    assert message["Subject"] == "Mae “Allotment society” wedi’i guddio"
    assert body(message).startswith("Helo,")
    # What the moderator wrote is never translated.
    assert "Closed for good" in body(message)


def test_the_moderator_reads_their_own_language_while_the_owner_is_mailed_in_theirs(
    app: Flask, world: World
) -> None:
    choose(app, world.users["owner"], "cy")
    choose(app, world.users["admin"], "pl")
    hide(app, world, "victim")
    [message] = mails(app)
    assert message["Subject"] == "Mae “Allotment society” wedi’i guddio"


def test_an_owner_who_never_chose_a_language_is_told_in_english(app: Flask, world: World) -> None:
    choose(app, world.users["owner"], "")
    choose(app, world.users["admin"], "cy")  # the moderator's language is not the owner's
    hide(app, world, "victim")
    [message] = mails(app)
    assert message["Subject"] == "“Allotment society” has been hidden"
    assert body(message).startswith("Hello,")


def test_a_reset_asked_for_from_a_polish_page_is_mailed_in_polish(app: Flask, world: World) -> None:
    client = app.test_client()
    headers = {"Accept-Language": "pl"}
    token = form_token(client, "/reset-password")
    answer = client.post(
        "/reset-password",
        data={"email": MARKERS["email"], "csrf_token": token},
        headers=headers,
    )
    assert answer.status_code == 200
    [message] = mails(app)
    assert message["Subject"] == "Zresetuj hasło do assetmap"
    assert body(message).startswith("Ktoś poprosił o zresetowanie hasła")


def test_a_reset_goes_in_the_language_the_account_keeps_whatever_the_page(
    app: Flask, world: World
) -> None:
    choose(app, world.users["owner"], "cy")
    client = app.test_client()
    token = form_token(client, "/reset-password")
    client.post(
        "/reset-password",
        data={"email": MARKERS["email"], "csrf_token": token},
        headers={"Accept-Language": "pl"},
    )
    [message] = mails(app)
    assert message["Subject"] == "Ailosodwch eich cyfrinair assetmap"


def test_a_reset_asked_for_from_an_english_page_is_in_english(app: Flask, world: World) -> None:
    client = app.test_client()
    token = form_token(client, "/reset-password")
    client.post("/reset-password", data={"email": MARKERS["email"], "csrf_token": token})
    [message] = mails(app)
    assert message["Subject"] == "Reset your assetmap password"


def test_signing_up_from_a_polish_page_keeps_polish_for_the_account_and_its_mail(
    app: Flask,
) -> None:
    client = app.test_client()
    client.set_cookie("assetmap_language", "pl")
    token = form_token(client, "/sign-up")
    answer = client.post(
        "/sign-up",
        data={
            "email": "nowa@example.org",
            "password": "a long enough password",
            "password_again": "a long enough password",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 200
    with app.app_context():
        user = db.session().query(User).filter_by(email="nowa@example.org").one()
        assert user.language == "pl"
    [message] = mails(app)
    assert message["Subject"] == "Potwierdź swój adres e-mail w assetmap"


def test_the_account_page_shows_the_language_and_offers_to_change_it(
    app: Flask, world: World
) -> None:
    client = client_as(app, world, "resident")
    page = client.get("/account").get_data(as_text=True)
    assert 'action="/language"' in page
    assert re.search(r'<select[^>]*name="language"', page)
    assert "Not chosen" in page
    choose(app, world.users["resident"], "pl")
    page = client_as(app, world, "resident").get("/account").get_data(as_text=True)
    assert re.search(r'<option value="pl" lang="pl" selected>', page)


def test_a_page_not_found_in_welsh_says_so_in_welsh(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/no-such-page", headers={"Accept-Language": "cy"})
    assert answer.status_code == 404
    page = answer.get_data(as_text=True)
    assert '<html lang="cy"' in page
    assert "Heb ddod o hyd i’r dudalen" in page
    assert "Ewch i’r dudalen flaen" in page
    assert "Not Found" not in page


def test_the_api_keeps_its_technical_error(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/api/no-such-thing", headers={"Accept-Language": "cy"})
    assert answer.status_code == 404
    assert answer.get_json()["error"]["status"] == 404


def test_the_sign_in_fields_let_a_password_manager_fill_them(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    email_field = re.search(r'<input[^>]*name="email"[^>]*>', page)
    password_field = re.search(r'<input[^>]*name="password"[^>]*>', page)
    assert email_field and 'autocomplete="email"' in email_field.group()
    assert password_field and 'autocomplete="current-password"' in password_field.group()
    # Nothing stops pasting or asks the person to remember part of a secret.
    assert "onpaste" not in page.lower()
    assert "oncopy" not in page.lower()


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        (
            "/sign-up",
            {"email": "email", "password": "new-password", "password_again": "new-password"},
        ),
        ("/reset-password", {"email": "email"}),
    ],
)
def test_the_account_forms_name_what_each_field_holds(
    client: FlaskClient, path: str, fields: dict[str, str]
) -> None:
    page = client.get(path).get_data(as_text=True)
    for name, purpose in fields.items():
        found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert found and f'autocomplete="{purpose}"' in found.group(), name


def test_a_person_slowed_down_is_told_how_long_to_wait(
    world: World, tmp_path: Path, translations: Path
) -> None:
    app = create_app(
        config(
            copy(world, tmp_path),
            BABEL_TRANSLATION_DIRECTORIES=str(translations),
            RATELIMIT_ENABLED=True,
            RATELIMIT_SIGN_IN="1 per minute",
        )
    )
    client = app.test_client()
    token = form_token(client, "/sign-in")
    data = {"email": "nobody@example.org", "password": "not this one", "csrf_token": token}
    assert client.post("/sign-in", data=data).status_code == 400
    slowed = client.post("/sign-in", data=data)
    assert slowed.status_code == 429
    wait = int(slowed.headers["Retry-After"])
    page = slowed.get_data(as_text=True)
    assert "Too many requests" in page
    assert f"Try again in {wait} second" in page
    db.database(app).dispose()


def test_a_form_sent_without_its_token_is_said_plainly(client: FlaskClient) -> None:
    answer = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "The form has expired" in page
    assert "CSRF" not in page
