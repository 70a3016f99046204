"""Which language pages speak: the switcher, the account, the cookie and the browser's wish."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage.models import Asset, User
from assetmap.web import db
from assetmap.web.i18n import COOKIE, LANGUAGES, language_code
from tests.trust.world import World, client_as
from tests.web.helpers import form_token


def test_a_visitor_reads_english_unless_their_browser_asks_for_a_shipped_language(
    client: FlaskClient,
) -> None:
    assert b'<html lang="en-GB" dir="ltr"' in client.get("/").data
    welsh = client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"})
    assert b'<html lang="cy" dir="ltr"' in welsh.data
    urdu = client.get("/", headers={"Accept-Language": "ur-PK"})
    assert b'<html lang="ur" dir="rtl"' in urdu.data
    klingon = client.get("/", headers={"Accept-Language": "tlh"})
    assert b'<html lang="en-GB"' in klingon.data


def test_the_switcher_names_each_language_in_itself(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for language in LANGUAGES.values():
        assert f'lang="{language.tag}"' in page
        assert language.name in page


def test_a_choice_is_kept_in_a_cookie_and_beats_the_browser(client: FlaskClient) -> None:
    token = form_token(client, "/")
    answer = client.post(
        "/language", data={"language": "pl", "next": "/map?kind=group", "csrf_token": token}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/map?kind=group"
    assert client.get_cookie(COOKIE).value == "pl"
    page = client.get("/", headers={"Accept-Language": "cy"})
    assert b'<html lang="pl"' in page.data


def test_the_switcher_goes_back_only_to_a_page_of_this_site(client: FlaskClient) -> None:
    token = form_token(client, "/")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        answer = client.post(
            "/language", data={"language": "cy", "next": target, "csrf_token": token}
        )
        assert answer.headers["Location"] == "/"


def test_an_unknown_language_changes_nothing(client: FlaskClient) -> None:
    token = form_token(client, "/")
    answer = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert answer.status_code == 303
    assert client.get_cookie(COOKIE) is None


def test_the_switcher_needs_the_form_token(client: FlaskClient) -> None:
    answer = client.post("/language", data={"language": "cy"})
    assert answer.status_code == 400
    assert client.get_cookie(COOKIE) is None


def test_a_signed_in_choice_is_kept_in_the_account(served: Flask, world: World) -> None:
    client = client_as(served, world, "resident")
    token = form_token(client, "/")
    client.post("/language", data={"language": "cy", "csrf_token": token})
    with served.app_context():
        assert db.session().get(User, world.users["resident"]).language == "cy"
    # On another device, with no cookie, the account's choice still wins over the browser.
    elsewhere = client_as(served, world, "resident")
    page = elsewhere.get("/", headers={"Accept-Language": "pl"})
    assert b'<html lang="cy"' in page.data


def test_language_codes_are_read_from_tags() -> None:
    assert language_code("en-GB") == "en"
    assert language_code("CY") == "cy"
    assert language_code("pl_PL") == "pl"
    assert language_code("de") is None
    assert language_code(None) is None


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_what_people_wrote_is_escaped_and_kept_as_written_in_every_language(
    served: Flask, world: World, code: str
) -> None:
    title = '<script>alert("x")</script> & "Soup"'
    with served.app_context():
        session = db.session()
        asset = session.get(Asset, world.ids["group"])
        assert asset is not None
        asset.title, asset.language = title, "en-GB"
        session.commit()
    client = served.test_client()
    client.set_cookie(COOKIE, code)
    page = client.get(f"/assets/{world.ids['group']}").get_data(as_text=True)
    assert f'<html lang="{LANGUAGES[code].tag}"' in page
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page
    # The title sits in an element carrying the language it was written in.
    assert re.search(r'lang="en-GB"[^>]*>[^<]*&lt;script&gt;alert\(', page)
