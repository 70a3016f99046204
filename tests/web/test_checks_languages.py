"""Strength checks and imports in the reader's language, with what people wrote left as they
wrote it, and mail about a check in the recipient's language.

The shipped catalogues are translated after the pages are marked, so these tests bring a tiny
Welsh catalogue of their own (``BABEL_TRANSLATION_DIRECTORIES``): a page is in Welsh when it
says the Welsh words written here.
"""

from __future__ import annotations

import email.message
import io
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
from tests.web.helpers import (
    add_asset,
    decide,
    form_token,
    post,
    publish,
    sign_in,
    signed_in,
    start,
    text,
    write_catalogue,
)

WELSH = {
    "The decision": "Y penderfyniad",
    "Not proceed": "Peidio â bwrw ymlaen",
    "What residents said": "Beth ddywedodd trigolion",
    "Inside the catchment": "Y tu mewn i’r dalgylch",
    "Import %(file)s": "Mewnforio %(file)s",
    "Rejected": "Wedi’u gwrthod",
    "row %(number)s": "rhes %(number)s",
    "Hello,": "Helo,",
    "Your response to “%(name)s” has been acted upon": (
        "Mae rhywun wedi gweithredu ar eich ymateb i “%(name)s”"
    ),
    "Your response to the strength check “%(name)s” has been marked as acted upon.": (
        "Mae eich ymateb i’r gwiriad cryfderau “%(name)s” wedi’i nodi fel un y gweithredwyd arno."
    ),
}
WELSH_HEADERS = {"Accept-Language": "cy"}
RATIONALE = "The Friday soup run already feeds the town centre."


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app whose area is a box around the town, with a tiny Welsh catalogue."""
    folder = tmp_path / "translations"
    write_catalogue(folder, "cy", WELSH)
    served = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test",
            "AREA_BBOX": "-2.42,51.19,-2.24,51.27",
            "BABEL_TRANSLATION_DIRECTORIES": str(folder),
            "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        }
    )
    yield served
    db.database(served).dispose()


def published(app: Flask, client: FlaskClient) -> int:
    """Start, decide and publish a check as a planner; return its id."""
    add_asset(app, title="Soup club", themes=["food"])
    sign_in(app, client, "planner")
    assert start(client).status_code == 302
    assert decide(client, 1, rationale=RATIONALE).status_code == 302
    assert publish(client, 1).status_code == 302
    return 1


def untranslated(page: str, words: str) -> bool:
    """Return whether ``words`` stand on the page inside an element marked as not part of the
    interface: ``translate="no"``, or a ``lang`` of its own."""
    marked = re.compile(
        r'<(?P<tag>[a-z0-9]+)[^>]*(?:translate="no"|lang="[^"]+")[^>]*>(?P<inside>.*?)</(?P=tag)>',
        re.S,
    )
    return any(words in text(found["inside"]) for found in marked.finditer(page))


def mails(app: Flask) -> list[email.message.EmailMessage]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    found = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in found
    ]


def test_a_checks_findings_page_reads_in_welsh_and_keeps_the_decision_as_written(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published(app, client)
    page = app.test_client().get(f"/checks/{check_id}", headers=WELSH_HEADERS)
    html = page.get_data(as_text=True)
    shown = text(html)
    assert '<html lang="cy"' in html
    assert "Y penderfyniad" in shown and "Peidio â bwrw ymlaen" in shown
    assert "Y tu mewn i’r dalgylch" in shown
    assert "The decision" not in shown
    # What the planner wrote stays in English, marked as not part of the interface.
    assert untranslated(html, RATIONALE)
    assert untranslated(html, "Health and wellbeing panel")
    assert untranslated(html, "Community kitchen")
    assert untranslated(html, "Soup club")
    # Dates are the reader's: the decision was made on 2 November 2026, "Tachwedd" in Welsh.
    assert "2 Tachwedd 2026" in shown


def test_the_said_did_log_keeps_the_reasons_as_written(app: Flask, client: FlaskClient) -> None:
    published(app, client)
    html = app.test_client().get("/you-said-we-did", headers=WELSH_HEADERS).get_data(as_text=True)
    assert "Peidio â bwrw ymlaen." in text(html)
    assert untranslated(html, RATIONALE)
    assert untranslated(html, "Community kitchen")


def test_the_import_report_reads_in_welsh_and_keeps_the_rows_titles_as_written(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    rows = (
        b"kind,title,lon,lat,themes\n"
        b"group,Soup club,-2.32,51.23,food\n"
        b"group,Knit and natter,,51.23,arts\n"
    )
    welsh = client.post(
        "/exchange/import",
        data={
            "csrf_token": form_token(client, "/exchange"),
            "file": (io.BytesIO(rows), "groups.csv"),
        },
        content_type="multipart/form-data",
        headers=WELSH_HEADERS,
    )
    assert welsh.status_code == 400
    html = welsh.get_data(as_text=True)
    shown = text(html)
    assert "Mewnforio groups.csv" in shown
    assert "Wedi’u gwrthod" in shown and "rhes 3" in shown
    assert untranslated(html, "Knit and natter")
    assert untranslated(html, "groups.csv")


def test_a_resident_hears_that_their_response_was_acted_upon_in_their_language(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published(app, client)
    resident = signed_in(app)
    with app.app_context():
        user = db.session().query(User).filter_by(email="resident@example.org").one()
        user.language = "cy"
        db.session().commit()
    answer = post(resident, f"/checks/{check_id}/respond", missed="The Friday soup run")
    assert answer.status_code == 302
    # The planner, who chose no language, hears of the response in English.
    heard = mails(app)
    assert heard and heard[-1]["Subject"] == "A resident has responded to “Community kitchen”"
    token = form_token(client, f"/checks/{check_id}")
    client.post(
        f"/checks/{check_id}/responses/1/acted-upon",
        data={"note": "Added to the map.", "csrf_token": token},
    )
    told = mails(app)[-1]
    assert told["To"] == "resident@example.org"
    assert told["Subject"] == "Mae rhywun wedi gweithredu ar eich ymateb i “Community kitchen”"
    said = str(told.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert said.startswith("Helo,")
    assert "wedi’i nodi fel un y gweithredwyd arno" in said
    assert "Added to the map." in said
