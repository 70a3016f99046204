"""Attacks on personal data: what a deleted account leaves behind, what "my data" leaves out,
and an owner dating their own strength ahead so the freshness loop never reaches it.

Each attack runs end to end through the pages and the API, on SQLite and on PostGIS.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.storage import database as storage_db
from assetmap.storage.backends import backend_for
from assetmap.storage.models import Asset, CheckResponse, Connection, Report
from assetmap.web import db
from tests.web.helpers import (
    PASSWORD,
    add_asset,
    add_user,
    bearer,
    count,
    form_token,
    post,
    published_check,
    sign_in_as,
    stored,
    text,
)

THEMES = ["food"]
FAR_AHEAD = "9999-12-31"


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


@dataclass
class Words:
    """Unique words, one for each place a person can write, all sharing one prefix."""

    prefix: str = field(default_factory=lambda: "zqx" + secrets.token_hex(4))
    made: dict[str, str] = field(default_factory=dict)

    def __call__(self, where: str) -> str:
        """Return a new word for ``where``: lower case, ending in a digit, so no stemmer
        or lower-casing changes it."""
        word = f"{self.prefix}w{len(self.made):02d}9"
        self.made[where] = word
        return word


@dataclass
class Ann:
    """A coach who wrote something everywhere a person can, and the client she is signed in on."""

    id: int
    email: str
    client: FlaskClient
    words: Words
    strengths: dict[str, int]
    check_id: int


def _api(client: FlaskClient, method: str, path: str, headers: dict[str, str], **body: Any) -> Any:
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code < 300, response.get_data(as_text=True)
    return response


def _strength(words: Words, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": f"Shared {words(f'{kind} title')}",
        "themes": THEMES,
        "lon": -2.32,
        "lat": 51.23,
        "description": f"Ask about {words(f'{kind} description')} any time.",
        "tags": [words(f"{kind} tag")],
        "availability": f"Evenings {words(f'{kind} availability')}",
        "accessibility": f"Step-free {words(f'{kind} accessibility')}",
        "contact": f"Ring {words(f'{kind} contact')}",
        **extra,
    }


def _writes_strengths(client: FlaskClient, headers: dict[str, str], words: Words) -> dict[str, int]:
    kinds = {
        "skill": {"share_modes": ["teach"]},
        "group": {"meeting_pattern": f"Tuesdays {words('group meeting pattern')}"},
        "space": {
            "opening_times": f"Daily {words('space opening times')}",
            "facilities": [words("space facility")],
        },
    }
    made = {}
    for kind, extra in kinds.items():
        response = _api(client, "POST", "/api/assets", headers, **_strength(words, kind, **extra))
        made[kind] = response.get_json()["id"]
    new_text = f"Now {words('skill description, changed')} too."
    _api(client, "PATCH", f"/api/assets/{made['skill']}", headers, description=new_text)
    return made


@pytest.fixture
def ann(app: Flask) -> Ann:
    words = Words()
    email = f"{words('email address')}@example.org"
    ann_id = add_user(app, email, "coach", name=f"Ann {words('name')}")
    client = app.test_client()
    sign_in_as(client, email)
    strengths = _writes_strengths(client, bearer(app, ann_id), words)

    hall = add_asset(app, title="Town hall", themes=THEMES)
    admin = app.test_client()
    add_user(app, "admin@example.org", "admin")
    sign_in_as(admin, "admin@example.org")
    check_id = published_check(app, admin, themes=THEMES)

    respond = {"missed": words("response missed"), "comment": words("response comment")}
    assert (
        post(client, f"/checks/{check_id}/respond", take_part="yes", **respond).status_code == 302
    )
    report = {"problem": "wrong", "reason": f"Closed {words('report reason')}"}
    assert post(client, f"/assets/{hall}/report", **report).status_code == 302
    connection = {"asset": str(hall), "on": "2026-01-05", "note": words("connection note")}
    assert post(client, f"/connections/new?asset={hall}", **connection).status_code == 302
    hide = f"/moderation/assets/{strengths['group']}/hide"
    assert post(admin, hide, reason="Checking who runs it").status_code == 302
    answer = f"/strengths/{strengths['group']}/answer"
    token = form_token(client, "/strengths/mine")
    reply = {"csrf_token": token, "answer": f"I run it {words('answer to moderators')}"}
    assert client.post(answer, data=reply).status_code == 302
    assert post(client, "/account/tokens", name=words("token name")).status_code == 200
    withdraw = f"/api/assets/{strengths['space']}"
    _api(client, "DELETE", withdraw, bearer(app, ann_id))
    return Ann(ann_id, email, client, words, strengths, check_id)


def _delete(ann: Ann) -> None:
    response = post(ann.client, "/account/delete", password=PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)


def _tables_holding(app: Flask, word: str) -> list[str]:
    """Return every table of the database, indexes' own tables included, with a value holding
    ``word`` in any column."""
    engine = db.database(app).engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return _sqlite_tables_holding(connection, word)
        return _postgres_tables_holding(connection, word)


def _sqlite_tables_holding(connection: sa.Connection, word: str) -> list[str]:
    names = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
    ).scalars()
    found = []
    for name in list(names):
        for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"'):
            if any(_holds(value, word) for value in row):
                found.append(name)
                break
    return found


def _holds(value: Any, word: str) -> bool:
    if isinstance(value, str):
        return word in value.lower()
    return isinstance(value, bytes) and word.encode() in value


def _postgres_tables_holding(connection: sa.Connection, word: str) -> list[str]:
    names = connection.execute(
        sa.text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    ).scalars()
    found = []
    for name in list(names):
        query = sa.text(f'SELECT count(*) FROM "{name}" AS t WHERE lower(t::text) LIKE :word')
        if connection.execute(query, {"word": f"%{word}%"}).scalar():
            found.append(name)
    return found


def test_my_data_holds_every_word_the_person_wrote_anywhere(ann: Ann) -> None:
    response = ann.client.get("/account/my-data")
    held = orjson.dumps(response.get_json()).decode().lower()
    missing = {where: word for where, word in ann.words.made.items() if word not in held}
    assert missing == {}


def test_my_data_holds_the_reports_answers_and_responses_as_written(ann: Ann) -> None:
    data = ann.client.get("/account/my-data").get_json()
    [report] = data["reports"]
    [answer] = data["answers_to_moderators"]
    [response] = data["check_responses"]
    assert (report["problem"], report["outcome"]) == ("wrong", "")
    assert ann.words.made["report reason"] in report["reason"]
    assert answer["asset_id"] == ann.strengths["group"]
    assert (response["check_id"], response["take_part"]) == (ann.check_id, "yes")
    assert response["missed"] == ann.words.made["response missed"]


def test_my_data_shows_nobody_elses_report_about_the_persons_strength(app: Flask, ann: Ann) -> None:
    other = app.test_client()
    secret = "Someone else wrote this about Ann"
    post(other, f"/assets/{ann.strengths['skill']}/report", problem="wrong", reason=secret)
    assert secret not in ann.client.get("/account/my-data").get_data(as_text=True)


def test_a_deleted_account_leaves_none_of_its_words_in_any_table(app: Flask, ann: Ann) -> None:
    assert _tables_holding(app, ann.words.prefix) != []
    _delete(ann)
    assert _tables_holding(app, ann.words.prefix) == []


def test_a_deleted_accounts_words_are_gone_from_the_text_index(app: Flask, ann: Ann) -> None:
    words = [ann.words.made[where] for where in ("space description", "skill title", "group tag")]
    _delete(ann)
    with app.app_context():
        session = db.session()
        backend = backend_for(session)
        for word in words:
            query = sa.select(Asset.id).where(backend.words_match([word]))
            assert session.scalars(query).all() == [], word


def test_a_check_page_shows_a_deleted_residents_response_without_their_words(
    app: Flask, ann: Ann
) -> None:
    page = app.test_client().get(f"/checks/{ann.check_id}").get_data(as_text=True)
    assert ann.words.made["response comment"] in page
    _delete(ann)
    page = text(app.test_client().get(f"/checks/{ann.check_id}").get_data(as_text=True))
    assert ann.words.prefix not in page
    assert "Removed: the person who wrote this deleted their account." in page


def test_a_check_page_shows_none_of_a_deleted_persons_strengths_words(app: Flask, ann: Ann) -> None:
    page = app.test_client().get(f"/checks/{ann.check_id}").get_data(as_text=True)
    assert ann.words.made["skill title"] in page
    _delete(ann)
    page = app.test_client().get(f"/checks/{ann.check_id}").get_data(as_text=True)
    assert ann.words.prefix not in page
    assert "Town hall" in page


def test_deleting_an_account_keeps_that_its_reports_responses_and_connections_were_made(
    app: Flask, ann: Ann
) -> None:
    before = [count(app, model) for model in (Report, CheckResponse, Connection)]
    _delete(ann)
    assert [count(app, model) for model in (Report, CheckResponse, Connection)] == before


def test_moderators_still_see_a_deleted_persons_report_without_its_reason_or_author(
    app: Flask, ann: Ann
) -> None:
    _delete(ann)
    moderator = app.test_client()
    sign_in_as(moderator, "admin@example.org")
    queue = text(moderator.get("/moderation").get_data(as_text=True))
    assert "Town hall" in queue and "Removed: the person who wrote this" in queue
    assert ann.words.prefix not in queue and ann.email not in queue


def test_the_api_refuses_a_new_strength_dated_as_confirmed_far_ahead(
    app: Flask, client: FlaskClient
) -> None:
    headers = bearer(app, add_user(app))
    body = {
        "kind": "group",
        "title": "Chess club",
        "themes": ["learning"],
        "lon": -2.32,
        "lat": 51.23,
        "last_confirmed": FAR_AHEAD,
    }
    response = client.post("/api/assets", json=body, headers=headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "last_confirmed"
    assert "confirm" in response.get_json()["error"]["message"]
    assert client.get("/api/assets").get_json()["features"] == []


def test_the_api_refuses_an_owner_dating_their_strength_confirmed_far_ahead(
    app: Flask, client: FlaskClient
) -> None:
    owner = add_user(app)
    asset_id = add_asset(app, owner)
    confirmed = stored(app, asset_id).last_confirmed
    response = client.patch(
        f"/api/assets/{asset_id}", json={"last_confirmed": FAR_AHEAD}, headers=bearer(app, owner)
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "last_confirmed"
    assert stored(app, asset_id).last_confirmed == confirmed


def test_the_edit_form_ignores_a_last_confirmed_date_slipped_into_it(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, add_user(app), last_confirmed="2025-01-02")
    sign_in_as(client)
    form = {"title": "Chess club", "themes": "learning", "last_confirmed": FAR_AHEAD}
    assert post(client, f"/strengths/{asset_id}/edit", **form).status_code == 302
    assert stored(app, asset_id).last_confirmed == dt.date(2025, 1, 2)


def test_confirming_through_the_api_dates_the_strength_today_on_the_server(
    app: Flask, client: FlaskClient
) -> None:
    owner = add_user(app)
    asset_id = add_asset(app, owner, last_confirmed="2024-03-04")
    response = client.post(f"/api/assets/{asset_id}/confirm", headers=bearer(app, owner))
    assert response.status_code == 200
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert response.get_json()["properties"]["last_confirmed"] == today
    assert stored(app, asset_id).last_confirmed.isoformat() == today


def test_nobody_but_the_owner_can_confirm_a_strength_through_the_api(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, add_user(app), last_confirmed="2024-03-04")
    stranger = bearer(app, add_user(app, "mallory@example.org"))
    response = client.post(f"/api/assets/{asset_id}/confirm", headers=stranger)
    assert response.status_code == 403
    assert stored(app, asset_id).last_confirmed == dt.date(2024, 3, 4)


def test_the_api_document_offers_no_way_to_write_last_confirmed(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").get_json()
    writable = document["components"]["schemas"]["AssetChanges"]["properties"]
    assert "last_confirmed" not in writable
    assert "post" in document["paths"]["/api/assets/{asset_id}/confirm"]


def test_an_import_refuses_a_row_confirmed_on_a_day_still_to_come(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat,last_confirmed\n"
        f"group,Knitters,arts,-2.32,51.23,2025-06-01\ngroup,Choir,arts,-2.32,51.23,{FAR_AHEAD}\n"
    )
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1
    reason = (
        f"row 3 (Choir) rejected: last_confirmed: must be today or in the past, got {FAR_AHEAD}"
    )
    assert reason in result.stdout
    assert count(app, Asset) == 0


def test_an_import_keeps_a_past_confirmation_date_from_the_source(
    app: Flask, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat,last_confirmed\ngroup,Knitters,arts,-2.32,51.23,2025-06-01\n"
    )
    assert app.test_cli_runner().invoke(args=["import", str(path)]).exit_code == 0
    [feature] = app.test_client().get("/api/assets").get_json()["features"]
    assert feature["properties"]["last_confirmed"] == "2025-06-01"
