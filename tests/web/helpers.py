"""What the web tests share: forms sent with their CSRF token, users made and signed in,
strengths and strength checks added, rows counted, and pages read as text."""

from __future__ import annotations

import contextlib
import html
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.storage import tokens
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset, StrengthCheck, User
from assetmap.web import db
from assetmap.web.accounts.auth import fingerprint

PASSWORD = "correct horse battery"
MARKET_PLACE = (-2.3213, 51.2296)
# A skill whose contact and exact point nobody but its owner may see.
PRIVATE_SKILL = {
    "kind": "skill",
    "title": "Bike repair",
    "share_modes": ["do"],
    "contact": "07700 900123",
    "lon": -2.321234,
    "lat": 51.230987,
}
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-2.33, 51.22], [-2.31, 51.22], [-2.31, 51.24], [-2.33, 51.24], [-2.33, 51.22]]
    ],
}


def csrf(page: str) -> str:
    """Return the CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "the page carries no CSRF token"
    return match.group(1)


def form_token(client: FlaskClient, path: str = "/sign-in") -> str:
    """Open the page at ``path`` and return the CSRF token its form carries."""
    return csrf(client.get(path).get_data(as_text=True))


def post(client: FlaskClient, path: str, **data: Any) -> TestResponse:
    """Open the form at ``path`` and send it back there with ``data`` and its CSRF token."""
    return client.post(path, data={"csrf_token": form_token(client, path), **data})


def text(page: str) -> str:
    """Return the words a person reads on a page, without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def error_beside(page: str, field: str) -> str:
    """Return the error message shown beside a form field, as text."""
    match = re.search(rf'<p id="{field}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert match, f"no error beside {field}"
    return text(match.group(1))


def add_user(
    app: Flask,
    email: str = "ann@example.org",
    role: str = "resident",
    *,
    password: str | None = PASSWORD,
    name: str = "",
) -> int:
    """Add a user, with ``PASSWORD`` unless told another or none, and return their id."""
    with app.app_context(), db.database().session() as session:
        user = user_store.create_user(session, email, role=role, display_name=name)
        if password:
            user_store.set_password(user, password)
        session.commit()
        return user.id


def sign_in_as(client: FlaskClient, email: str = "ann@example.org") -> None:
    """Sign the client in through the sign-in form as a user who has ``PASSWORD``."""
    assert post(client, "/sign-in", email=email, password=PASSWORD).status_code == 302


def sign_in_by_cookie(app: Flask, client: FlaskClient, user_id: int) -> None:
    """Sign the client in as the user by setting the session cookie, without a request."""
    with app.app_context():
        user = db.session().get(User, user_id)
        assert user is not None
        session_id = f"{user.id}:{fingerprint(user)}"
    with client.session_transaction() as cookie:
        cookie["_user_id"] = session_id
        cookie["_fresh"] = True


def sign_in(
    app: Flask,
    client: FlaskClient,
    role: str = "resident",
    email: str | None = None,
    *,
    cookie: bool = False,
) -> int:
    """Add a user with the role (``<role>@example.org`` unless told) and sign the client in:
    through the sign-in form, or with ``cookie=True`` by the session cookie alone."""
    email = email or f"{role}@example.org"
    user_id = add_user(app, email, role, password=None if cookie else PASSWORD)
    if cookie:
        sign_in_by_cookie(app, client, user_id)
    else:
        sign_in_as(client, email)
    return user_id


def signed_in(app: Flask, role: str = "resident", email: str | None = None) -> FlaskClient:
    """Return a new client signed in through the form as a new user with the role."""
    client = app.test_client()
    sign_in(app, client, role, email)
    return client


def bearer(app: Flask, user_id: int) -> dict[str, str]:
    """Make the user a personal API token and return the header that carries it."""
    with app.app_context(), db.database().session() as session:
        made = tokens.create_token(session, user_id, "tests")
        session.commit()
        return {"Authorization": f"Bearer {made.secret}"}


def add_asset(app: Flask, owner_id: int | None = None, **values: Any) -> int:
    """Add a published strength through storage and return its id: a chess club in Frome
    unless told otherwise, and a skill taught unless told how it is shared."""
    raw: dict[str, Any] = {
        "kind": "group",
        "title": "Chess club",
        "themes": ["learning"],
        "lon": -2.32,
        "lat": 51.23,
        **values,
    }
    if raw["kind"] == "skill":
        raw.setdefault("share_modes", ["teach"])
    with app.app_context(), db.database().session() as session:
        asset = store.add_asset(session, validate_asset(raw), owner_id=owner_id, cell_m=400.0)
        session.commit()
        return asset.id


def add_at_market(app: Flask, owner_id: int | None = None, **values: Any) -> int:
    """Add a strength as ``add_asset`` does, about 70 m east of Market Place unless told."""
    near = {"lon": MARKET_PLACE[0] + 0.001, "lat": MARKET_PLACE[1]}
    return add_asset(app, owner_id, **(near | values))


def stored(app: Flask, asset_id: int) -> Asset:
    """Return the strength as it is stored now, detached from its session."""
    with app.app_context(), db.database().session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        session.expunge(asset)
        return asset


def count(app: Flask, model: type[Any]) -> int:
    """Return how many rows of a model are stored."""
    with app.app_context(), db.database().session() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def proposal(**overrides: Any) -> dict[str, Any]:
    """Return the fields of a strength check on food within ``SQUARE``, changed as told."""
    values: dict[str, Any] = {
        "name": "Community kitchen",
        "purpose": "Cook and eat together.",
        "audience": "Everyone in the town centre",
        "themes": ["food"],
        "words": "",
        "catchment": "polygon",
        "polygon": orjson.dumps(SQUARE).decode(),
    }
    return values | overrides


def start(client: FlaskClient, **overrides: Any) -> TestResponse:
    """Start a strength check through its form."""
    return post(client, "/checks/new", **proposal(**overrides))


def decide(client: FlaskClient, check_id: int, **overrides: Any) -> TestResponse:
    """Record a decision on a check through its form: not to proceed, unless told otherwise."""
    values = {
        "kind": "not-proceed",
        "rationale": "Three groups already cook together here.",
        "decided_by": "Health and wellbeing panel",
        "decided_on": "2026-11-02",
        **overrides,
    }
    return post(client, f"/checks/{check_id}/decision", **values)


def publish(client: FlaskClient, check_id: int) -> TestResponse:
    """Publish a check with the button on its page."""
    token = form_token(client, f"/checks/{check_id}")
    return client.post(f"/checks/{check_id}/publish", data={"csrf_token": token})


def published_check(app: Flask, client: FlaskClient, **overrides: Any) -> int:
    """Start, decide and publish a check as the signed-in client; return its id."""
    assert start(client, **overrides).status_code == 302
    check_id = count(app, StrengthCheck)
    assert decide(client, check_id).status_code == 302
    assert publish(client, check_id).status_code == 302
    return check_id


def export(client: FlaskClient, **fields: Any) -> TestResponse:
    """Send the export form of the exchange page: GeoJSON unless told otherwise."""
    token = form_token(client, "/exchange")
    return client.post(
        "/exchange/export", data={"csrf_token": token, "format": "geojson", **fields}
    )


def upload(client: FlaskClient, data: bytes, name: str, **fields: str) -> TestResponse:
    """Send a file to be imported through the exchange page's form."""
    token = form_token(client, "/exchange")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name), **fields}
    return client.post("/exchange/import", data=form, content_type="multipart/form-data")


def confirm(client: FlaskClient) -> TestResponse:
    """Confirm the import last uploaded, with a CSRF token from the exchange page."""
    token = form_token(client, "/exchange")
    return client.post("/exchange/import/confirm", data={"csrf_token": token})


@contextlib.contextmanager
def statements(app: Flask, wanted: Callable[[str], bool]) -> Iterator[list[str]]:
    """Record each SQL statement the app runs meanwhile for which ``wanted`` is true."""
    seen: list[str] = []
    engine = db.database(app).engine

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if wanted(statement):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", executed)


def write_catalogue(
    folder: Path, locale: str, messages: Mapping[str | tuple[str, str], str | tuple[str, ...]]
) -> Path:
    """Compile a small catalogue of ``messages`` (English to translation; a plural's key is its
    two English forms, its value every form the language has) for ``locale`` under ``folder``,
    for an app configured with ``BABEL_TRANSLATION_DIRECTORIES=folder``; return ``folder``."""
    catalog = Catalog(locale=locale, domain="messages")
    for english, translated in messages.items():
        catalog.add(english, translated)
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as file:
        write_mo(file, catalog)
    return folder
