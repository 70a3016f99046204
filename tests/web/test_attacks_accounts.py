"""Attacks on accounts, sessions, hosts, error pages and files, each carried out end to end.

Each test does what an attacker would and fails if the attack works again: a reset link sent
to a forged host, learning who has an account, a cookie or token that outlives sign-out or a
reset, an id or query that crashes a page, and files others on the machine can read.
"""

from __future__ import annotations

import email
import os
import re
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from assetmap import create_app
from assetmap.storage import database as storage_db
from assetmap.storage import roles as role_store
from assetmap.web import db
from tests.web.helpers import (
    PASSWORD,
    add_user,
    bearer,
    csrf,
    form_token,
    post,
    sign_in,
    sign_in_as,
    upload,
)

PUBLIC = "https://assetmap.example.org"
ATTACKER = "attacker.example"


def make_app(tmp_path: Path, database_url: str, **extra: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "attacks",
            "PUBLIC_URL": PUBLIC,
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
            **extra,
        }
    )


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    app = make_app(tmp_path, sqlite_url)
    yield app
    db.database(app).dispose()


def mails(tmp_path: Path) -> list[email.message.Message]:
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    return [email.message_from_bytes(path.read_bytes()) for path in files]


def body(message: email.message.Message) -> str:
    return str(message.get_payload(decode=True).decode())


def links(message: email.message.Message) -> list[str]:
    return re.findall(r"https?://\S+", body(message))


# Finding 3: links built from the request's Host.


def test_a_reset_asked_for_under_a_forged_host_is_refused_and_sends_nothing(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    add_user(app, "admin@example.org", "admin")
    token = form_token(client, "/reset-password")
    response = client.post(
        "/reset-password",
        data={"csrf_token": token, "email": "admin@example.org"},
        headers={"Host": ATTACKER},
    )
    assert response.status_code == 400
    assert "does not answer to the address" in response.get_data(as_text=True)
    assert "Content-Security-Policy" in response.headers
    assert mails(tmp_path) == []


def test_a_forwarded_host_cannot_put_itself_in_a_reset_link(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    add_user(app, "admin@example.org", "admin")
    token = form_token(client, "/reset-password")
    client.post(
        "/reset-password",
        data={"csrf_token": token, "email": "admin@example.org"},
        headers={"X-Forwarded-Host": ATTACKER, "X-Forwarded-Proto": "http"},
    )
    [message] = mails(tmp_path)
    assert [link.split("/reset-password/")[0] for link in links(message)] == [PUBLIC]


def test_a_reset_link_starts_with_the_public_url_behind_a_proxy_too(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, PROXY_HOPS=1, TRUSTED_HOSTS=["assetmap.example.org"])
    add_user(app, "admin@example.org", "admin")
    client = app.test_client()
    proxied = {
        "Host": ATTACKER,
        "X-Forwarded-Host": "assetmap.example.org",
        "X-Forwarded-Proto": "https",
        "Referer": f"{PUBLIC}/reset-password",
    }
    page = client.get("/reset-password", headers=proxied, base_url=f"https://{ATTACKER}")
    client.post(
        "/reset-password",
        data={"csrf_token": csrf(page.get_data(as_text=True)), "email": "admin@example.org"},
        headers=proxied,
        base_url=f"https://{ATTACKER}",
    )
    [message] = mails(tmp_path)
    assert all(link.startswith(f"{PUBLIC}/reset-password/") for link in links(message))
    db.database(app).dispose()


def test_a_proxy_cannot_be_told_another_host_than_those_trusted(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, PROXY_HOPS=1, TRUSTED_HOSTS=["assetmap.example.org"])
    response = app.test_client().get("/sign-in", headers={"X-Forwarded-Host": ATTACKER})
    assert response.status_code == 400
    db.database(app).dispose()


def test_the_feed_and_the_api_description_link_to_the_public_url_whatever_the_host(
    client: FlaskClient,
) -> None:
    feed = client.get("/you-said-we-did/feed.atom").get_data(as_text=True)
    document = orjson.loads(client.get("/api/openapi.json").data)
    hrefs = re.findall(r'href="([^"]+)"', feed)
    assert hrefs and all(href.startswith(f"{PUBLIC}/") for href in hrefs)
    assert "localhost" not in feed
    assert document["servers"] == [{"url": PUBLIC}]


def test_a_client_cannot_escape_the_sign_in_limit_by_forging_x_forwarded_for(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, RATELIMIT_SIGN_IN="3 per minute")
    client = app.test_client()
    answers = [
        post(
            client,
            "/sign-in",
            email="admin@example.org",
            password=f"guess number {n}",
        ).status_code
        for n in range(3)
    ]
    token = form_token(client)
    forged = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": "admin@example.org", "password": "guess 4"},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert answers == [400, 400, 400]
    assert forged.status_code == 429
    db.database(app).dispose()


def test_behind_a_proxy_limits_count_each_real_client_and_ignore_what_it_forges(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = make_app(tmp_path, sqlite_url, PROXY_HOPS=1, RATELIMIT_SIGN_IN="2 per minute")
    client = app.test_client()

    def guess(forged: str, real: str) -> int:
        token = form_token(client)
        return client.post(
            "/sign-in",
            data={"csrf_token": token, "email": "admin@example.org", "password": "a guess"},
            headers={"X-Forwarded-For": f"{forged}, {real}"},
        ).status_code

    attacker = [guess(f"198.51.100.{n}", "203.0.113.7") for n in range(3)]
    someone_else = guess("198.51.100.200", "203.0.113.8")
    assert attacker == [400, 400, 429]
    assert someone_else == 400
    db.database(app).dispose()


# Finding 11: learning who has an account.


def sign_up(client: FlaskClient, address: str) -> Any:
    return post(
        client,
        "/sign-up",
        email=address,
        display_name="",
        password=PASSWORD,
        password_again=PASSWORD,
    )


def seen(client: FlaskClient, response: Any, address: str) -> tuple[int, str, int]:
    """Return what the person sees: the status, the page (their address aside), and whether
    they are now signed in (the status of their account page)."""
    page = response.get_data(as_text=True).replace(address, "ADDRESS")
    page = re.sub(r'name="csrf_token" (?:type="hidden" )?value="[^"]+"', "", page)
    return response.status_code, page, client.get("/account").status_code


def attempt(app: Flask, path: str, address: str) -> tuple[int, str, int]:
    client = app.test_client()
    if path == "/sign-up":
        return seen(client, sign_up(client, address), address)
    return seen(client, post(client, path, email=address), address)


def test_sign_up_answers_the_same_for_an_address_with_an_account_and_one_without(
    app: Flask,
) -> None:
    add_user(app, "admin@example.org", "admin")
    known = attempt(app, "/sign-up", "admin@example.org")
    assert known == attempt(app, "/sign-up", "nobody@example.org")


def test_sign_up_tells_the_holder_of_a_known_address_rather_than_the_person_signing_up(
    app: Flask, tmp_path: Path
) -> None:
    add_user(app, "admin@example.org", "admin")
    sign_up(app.test_client(), "admin@example.org")
    [message] = mails(tmp_path)
    assert message["To"] == "admin@example.org"
    assert "Someone tried to create an assetmap account" in body(message)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server_down(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    app = make_app(
        tmp_path,
        sqlite_url,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=closed_port(),
        SMTP_STARTTLS=False,
    )
    yield app
    db.database(app).dispose()


def test_a_reset_answers_the_same_for_a_known_address_when_the_mail_server_is_down(
    mail_server_down: Flask,
) -> None:
    add_user(mail_server_down, "admin@example.org", "admin")
    known = attempt(mail_server_down, "/reset-password", "admin@example.org")
    assert known == attempt(mail_server_down, "/reset-password", "nobody@example.org")
    assert known[0] == 200


def test_sign_up_answers_the_same_for_a_known_address_when_the_mail_server_is_down(
    mail_server_down: Flask,
) -> None:
    add_user(mail_server_down, "admin@example.org", "admin")
    known = attempt(mail_server_down, "/sign-up", "admin@example.org")
    assert known == attempt(mail_server_down, "/sign-up", "nobody@example.org")
    assert known[0] == 200


def test_someone_who_signs_up_with_an_address_not_theirs_cannot_add_a_strength(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    sign_up(client, "victim@example.org")
    sign_in_as(client, "victim@example.org")
    response = post(client, "/strengths/new", kind="group")
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Confirm your email address first" in page
    assert "Send the link again" in page


def test_someone_who_signs_up_with_an_address_not_theirs_cannot_make_an_api_token(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client, "victim@example.org")
    sign_in_as(client, "victim@example.org")
    response = post(client, "/account/tokens", name="scraper")
    assert response.status_code == 403
    assert "amt_" not in response.get_data(as_text=True)


# Finding 12: sessions and tokens that outlive sign-out or a reset.


def stolen_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def replayed(app: Flask, cookie: str) -> int:
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/account").status_code


def test_a_cookie_copied_before_sign_out_does_not_work_after_it(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "admin")
    cookie = stolen_cookie(client)
    assert replayed(app, cookie) == 200
    client.post("/sign-out", data={"csrf_token": form_token(client, "/account")})
    assert replayed(app, cookie) == 302


def test_a_cookie_from_before_a_password_reset_does_not_work_after_it(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    sign_in(app, client, "admin")
    cookie = stolen_cookie(client)
    visitor = app.test_client()
    post(visitor, "/reset-password", email="admin@example.org")
    [message] = mails(tmp_path)
    link = links(message)[0].removeprefix(PUBLIC)
    post(visitor, link, password="a brand new passphrase", password_again="a brand new passphrase")
    assert replayed(app, cookie) == 302


def test_an_api_token_does_not_work_after_a_password_reset(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    user_id = add_user(app, "admin@example.org", "admin")
    header = bearer(app, user_id)
    assert client.get("/api/assets?bbox=-2.4,51.2,-2.2,51.3", headers=header).status_code == 200
    post(client, "/reset-password", email="admin@example.org")
    link = links(mails(tmp_path)[0])[0].removeprefix(PUBLIC)
    post(client, link, password="a brand new passphrase", password_again="a brand new passphrase")
    response = client.get("/api/assets?bbox=-2.4,51.2,-2.2,51.3", headers=header)
    assert response.status_code == 401


def test_a_cookie_from_before_a_change_of_role_does_not_work_after_it(
    app: Flask, client: FlaskClient
) -> None:
    user_id = sign_in(app, client, "admin")
    cookie = stolen_cookie(client)
    with app.app_context(), db.database().session() as session:
        role_store.change_role(session, user_id, role="resident", by=None)
        session.commit()
    assert replayed(app, cookie) == 302


# Finding 13: ids and query parameters that crashed pages.


def int_routes(app: Flask) -> list[tuple[str, str, list[str]]]:
    """Return each rule with an int argument: its rule, a method, and its int arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        ints = [
            name
            for name, converter in (rule._converters or {}).items()
            if isinstance(converter, IntegerConverter)
        ]
        if ints:
            method = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
            found.append((rule.rule, method, ints))
    return found


def path_with(rule: str, ints: list[str], value: int) -> str:
    path = rule
    for name in ints:
        path = re.sub(rf"<int(?:\([^)]*\))?:{name}>", str(value), path)
    return re.sub(r"<(?:[a-z]+:)?[a-z_]+>", "skill", path)


@pytest.fixture
def any_backend(database: storage_db.Database, tmp_path: Path) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = make_app(tmp_path, url, RATELIMIT_ENABLED=False)
    yield app
    db.database(app).dispose()


def largest_id(app: Flask) -> int:
    return 2**31 - 1 if app.config["DATABASE_URL"].startswith("postgresql") else 2**63 - 1


def test_an_id_too_large_for_the_database_is_a_404_page_on_every_route(
    any_backend: Flask,
) -> None:
    client = any_backend.test_client()
    sign_in(any_backend, client, "admin", cookie=True)
    routes = int_routes(any_backend)
    assert len(routes) > 10
    for value in (largest_id(any_backend) + 1, 2**63, 10**30):
        for rule, method, ints in routes:
            path = path_with(rule, ints, value)
            response = client.open(path, method=method)
            assert (path, method, response.status_code) == (path, method, 404)
            assert "Content-Security-Policy" in response.headers, path


def test_the_largest_id_the_database_holds_is_a_404_not_a_crash(any_backend: Flask) -> None:
    largest = largest_id(any_backend)
    client = any_backend.test_client()
    sign_in(any_backend, client, "admin", cookie=True)
    for path in (f"/assets/{largest}", f"/strengths/{largest}/edit", f"/api/assets/{largest}"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "query",
    [
        "endpoint=x",
        "_anchor=x",
        "_method=POST",
        "_scheme=javascript&_external=1",
        "values=x",
        "_external=1",
    ],
)
def test_url_building_words_in_the_list_query_are_ignored(client: FlaskClient, query: str) -> None:
    response = client.get(f"/list?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "javascript:" not in page and "#x" not in page
    assert not re.search(r'href="[a-z]+://', page)


# Finding 17: files others on the machine could read.


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_instance_folder_database_and_outbox_are_readable_by_the_app_user_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.umask(0o022)
    instance = tmp_path / "instance"
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(instance))
    app = create_app({"TESTING": True, "RATELIMIT_ENABLED": False})
    app.test_cli_runner().invoke(args=["init-db"])
    add_user(app, "admin@example.org", "admin")
    post(app.test_client(), "/reset-password", email="admin@example.org")
    outbox = instance / "outbox"
    written = [
        instance / "secret_key",
        instance / "assetmap.db",
        instance / "assetmap.db-wal",
        *outbox.glob("*.eml"),
    ]
    assert [(path.name, mode(path)) for path in written if path.exists()] == [
        (path.name, 0o600) for path in written if path.exists()
    ]
    assert len([path for path in written if path.exists()]) >= 3
    assert (mode(instance), mode(outbox)) == (0o700, 0o700)
    db.database(app).dispose()


def test_an_uploaded_import_is_readable_by_the_app_user_alone(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.umask(0o022)
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path, sqlite_url, RATELIMIT_ENABLED=False)
    client = app.test_client()
    sign_in(app, client, "admin")
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-2.32, 51.23]},
        "properties": {"kind": "group", "title": "Chess club", "themes": ["learning"]},
    }
    data = orjson.dumps({"type": "FeatureCollection", "features": [feature]})
    upload(client, data, "clubs.geojson")
    folder = tmp_path / "instance" / "imports"
    kept = [path for path in folder.rglob("*") if path.is_file()]
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    assert kept and [mode(path) for path in kept] == [0o600] * len(kept)
    assert [mode(path) for path in folders] == [0o700] * len(folders)
    db.database(app).dispose()
