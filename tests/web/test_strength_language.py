"""The language a strength is written in: asked by the form, sent and read through the API,
kept by an export and its import, refused when it is not a language tag, and marked with
``lang`` wherever a page shows what its owner wrote; and schedules said in the reader's
language, with Babel's day names."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from babel import Locale
from babel.dates import get_day_names
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain import i18n
from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.schedules import validate_schedule
from assetmap.exchange.report import Outcome
from assetmap.services.exports import write_export
from assetmap.storage.exports import ExportFilter
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.exchange.helpers import import_path
from tests.web.helpers import (
    add_asset,
    add_user,
    bearer,
    count,
    error_beside,
    form_token,
    sign_in_as,
    signed_in,
    stored,
)

TOWN_BOX = "-2.42,51.19,-2.24,51.27"
CHOIR = {
    "kind": "group",
    "title": "Côr Cymraeg",
    "description": "Canu bob nos Fawrth.",
    "themes": ["arts"],
    "lon": -2.32,
    "lat": 51.23,
}


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    config = {"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test"}
    app = create_app({**config, "AREA_BBOX": TOWN_BOX})
    yield app
    db.database(app).dispose()


def draft_from(page: str) -> str:
    found = re.search(r'name="draft" value="([^"]+)"', page)
    assert found, "the page carries no draft"
    return found.group(1)


def details(client: FlaskClient, **fields: Any) -> Any:
    token = form_token(client, "/strengths/new/group")
    data = {"csrf_token": token, "title": "Côr Cymraeg", "themes": ["arts"], **fields}
    return client.post("/strengths/new/group", data=data), token


# -- the domain -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, "en-GB"),
        ("", "en-GB"),
        ("cy", "cy"),
        ("EN-gb", "en-GB"),
        ("pa_guru_in", "pa-Guru-IN"),
        ("sco", "sco"),
    ],
)
def test_a_language_is_kept_as_a_tag_in_its_usual_case(given: Any, kept: str) -> None:
    raw = {**CHOIR, **({} if given is None else {"language": given})}
    assert validate_asset(raw).language == kept


@pytest.mark.parametrize("bad", ["welsh language", "e", "cy--GB", "x" * 36, "12", 7])
def test_a_language_that_is_not_a_tag_is_refused_naming_the_field(bad: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_asset({**CHOIR, "language": bad})
    assert set(refused.value.errors) == {"language"}


# -- the form ---------------------------------------------------------------------------------


def test_the_form_asks_the_language_defaulting_to_the_pages(app: Flask) -> None:
    client = signed_in(app)
    page = client.get("/strengths/new/group").get_data(as_text=True)
    assert "Which language is this written in?" in page
    assert '<option value="en-GB" lang="en-GB" selected>English</option>' in page
    assert '<option value="cy" lang="cy">Cymraeg</option>' in page
    token = form_token(client, "/")
    client.post("/language", data={"language": "cy", "next": "/", "csrf_token": token})
    page = client.get("/strengths/new/group").get_data(as_text=True)
    assert '<option value="cy" lang="cy" selected>Cymraeg</option>' in page


def test_the_language_chosen_in_the_form_is_stored_and_marked_on_its_pages(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    response, token = details(client, language="cy")
    assert response.status_code == 200
    draft = draft_from(response.get_data(as_text=True))
    place = "/strengths/new/group/place"
    preview = client.post(
        place,
        data={"csrf_token": token, "draft": draft, "action": "pin", "lon": -2.32, "lat": 51.23},
    ).get_data(as_text=True)
    assert '<h2 class="govuk-heading-l" data-public-title lang="cy">Côr Cymraeg</h2>' in preview
    draft = draft_from(preview)
    client.post("/strengths/new/group/publish", data={"csrf_token": token, "draft": draft})
    with app.app_context(), db.database().session() as session:
        [asset] = session.scalars(sa.select(Asset)).all()
        assert asset.language == "cy"
    page = client.get(f"/assets/{asset.id}").get_data(as_text=True)
    assert re.search(r'<h1 class="govuk-heading-xl"[^>]* lang="cy"[^>]*>Côr Cymraeg</h1>', page)
    mine = client.get("/strengths/mine").get_data(as_text=True)
    assert '<span lang="cy">Côr Cymraeg</span>' in mine


def test_another_language_is_given_by_its_tag(app: Flask) -> None:
    client = signed_in(app)
    response, _token = details(client, language="other", language_other="sco")
    assert response.status_code == 200
    again, _token = details(client, language="other", language_other="")
    assert again.status_code == 400
    assert "Type the tag of the language" in error_beside(
        again.get_data(as_text=True), "language_other"
    )


def test_a_bad_language_is_refused_beside_its_field_and_nothing_is_written(app: Flask) -> None:
    client = signed_in(app)
    response, _token = details(client, language="other", language_other="not a tag")
    assert response.status_code == 400
    assert "must be a language tag" in error_beside(
        response.get_data(as_text=True), "language_other"
    )
    assert count(app, Asset) == 0


def test_changing_a_strength_keeps_or_changes_its_language(app: Flask) -> None:
    owner = add_user(app, "owner@example.org")
    asset_id = add_asset(app, owner, language="pl", title="Klub szachowy")
    client = app.test_client()
    sign_in_as(client, "owner@example.org")
    form = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    assert '<option value="pl" lang="pl" selected>Polski</option>' in form
    assert '<span class="govuk-caption-l" lang="pl">Klub szachowy</span>' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    fields = {"csrf_token": token.group(1), "title": "Klub szachowy", "themes": ["learning"]}
    client.post(f"/strengths/{asset_id}/edit", data={**fields, "language": "pl"})
    assert stored(app, asset_id).language == "pl"
    client.post(
        f"/strengths/{asset_id}/edit",
        data={**fields, "language": "other", "language_other": "uk"},
    )
    assert stored(app, asset_id).language == "uk"


# -- the API ----------------------------------------------------------------------------------


def test_the_api_takes_and_gives_the_language(app: Flask) -> None:
    owner = add_user(app, "api@example.org")
    headers = bearer(app, owner)
    client = app.test_client()
    made = client.post("/api/assets", json={**CHOIR, "language": "cy"}, headers=headers)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["properties"]["language"] == "cy"
    asset_id = body["id"] if "id" in body else body["properties"]["id"]
    assert client.get(f"/api/assets/{asset_id}").get_json()["properties"]["language"] == "cy"
    changed = client.patch(f"/api/assets/{asset_id}", json={"language": "cy-GB"}, headers=headers)
    assert changed.get_json()["properties"]["language"] == "cy-GB"
    refused = client.patch(f"/api/assets/{asset_id}", json={"language": "Welsh!"}, headers=headers)
    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "language"
    assert stored(app, asset_id).language == "cy-GB"
    before = count(app, Asset)
    bad = client.post("/api/assets", json={**CHOIR, "language": "??"}, headers=headers)
    assert bad.status_code == 400 and count(app, Asset) == before


def test_the_openapi_document_describes_the_language(app: Flask) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    text = str(document)
    assert "'language'" in text and "BCP 47" in text


# -- export and import ------------------------------------------------------------------------


def test_an_export_carries_the_language_and_its_import_reads_it_back(
    app: Flask, tmp_path: Path
) -> None:
    add_asset(app, title="Côr Cymraeg", language="cy")
    add_asset(app, title="Chess club")
    with app.app_context(), db.database().session() as session:
        out = io.BytesIO()
        write_export(session, "csv", ExportFilter(), out)
        text = out.getvalue().decode("utf-8-sig")
        header = text.splitlines()[0].split(",")
        assert "language" in header
        path = tmp_path / "again.csv"
        path.write_text(text.replace("Côr Cymraeg", "Côr Newydd"), encoding="utf-8")
        report = import_path(session, path)
        assert report.counts[Outcome.ADDED] >= 1
        languages = dict(session.execute(sa.select(Asset.title, Asset.language)).all())
    assert languages["Côr Newydd"] == "cy"
    assert languages["Chess club"] == "en-GB"


# -- schedules in the reader's language -------------------------------------------------------


def speaking(code: str) -> None:
    locale = Locale.parse(code)
    i18n.install(lambda: i18n._gettext.NullTranslations(), lambda: locale)


@pytest.fixture
def restore_language() -> Iterator[None]:
    saved = (i18n._translations, i18n._locale)
    yield
    i18n.install(*saved)


@pytest.mark.parametrize("code", ["cy", "pl"])
def test_a_schedule_is_described_with_the_readers_day_names(
    code: str, restore_language: None
) -> None:
    schedule = validate_schedule(
        {"frequency": "weekly", "weekdays": ["MO", "TH"], "start_time": "19:30"},
        today=dt.date(2027, 1, 4),
    )
    assert schedule.describe() == "Every Monday and Thursday, 7.30pm"
    speaking(code)
    words = schedule.describe()
    days = get_day_names("wide", locale=code)
    assert days[0] in words and days[3] in words
    assert "Monday" not in words and "7.30pm" not in words
    assert "19:30" in words


def test_a_cancelled_date_is_said_with_the_readers_month_name(restore_language: None) -> None:
    schedule = validate_schedule(
        {
            "frequency": "weekly",
            "weekdays": ["MO"],
            "start_time": "19:30",
            "cancelled": ["2027-03-01"],
        },
        today=dt.date(2027, 1, 4),
    )
    assert schedule.cancelled_in_words() == "Not on 1 March 2027"
    speaking("pl")
    assert "marca" in schedule.cancelled_in_words()


def test_an_owners_pages_render_in_welsh_with_what_they_wrote_marked(app: Flask) -> None:
    owner = add_user(app, "gwen@example.org")
    choir = add_asset(app, owner, title="Côr y dref", language="cy")
    hall = add_asset(app, owner, kind="space", title="Town hall", lon=-2.321, lat=51.231)
    client = app.test_client()
    sign_in_as(client, "gwen@example.org")
    token = form_token(client, "/")
    client.post("/language", data={"language": "cy", "next": "/", "csrf_token": token})
    form = client.get(f"/strengths/{choir}/schedule/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    saved = client.post(
        f"/strengths/{choir}/schedule/new",
        data={
            "csrf_token": token.group(1),
            "frequency": "weekly",
            "weekdays": ["TU"],
            "start_time": "19:30",
        },
    )
    assert saved.status_code == 302
    pages = [
        "/strengths/mine",
        "/strengths/new",
        "/strengths/new/skill",
        f"/strengths/{choir}/edit",
        f"/strengths/{choir}/location",
        f"/strengths/{choir}/withdraw",
        f"/strengths/{choir}/schedule",
        f"/strengths/{choir}/schedule/1",
        f"/strengths/{choir}/schedule/import",
        f"/strengths/{choir}/ties/new?kind=meets-at&q=hall",
        f"/assets/{choir}",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert '<html lang="cy"' in page, path
        if path != "/strengths/new" and not path.startswith("/strengths/new/"):
            assert re.search(r'lang="cy"[^>]*>[^<]*Côr y dref', page), path
    schedule = client.get(f"/strengths/{choir}/schedule").get_data(as_text=True)
    assert get_day_names("wide", locale="cy")[1] in schedule  # Tuesday, in Welsh
    assert "19:30" in schedule
    mine = client.get("/strengths/mine").get_data(as_text=True)
    assert '<span lang="en-GB">Town hall</span>' in mine
    assert hall
