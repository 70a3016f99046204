"""Running a check again: the planner sees what would change first, and a published decision
stays published, with the findings it was made on, beside the new revision awaiting one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.storage import assets
from assetmap.storage import database as storage_db
from assetmap.storage.models import CheckRevision
from assetmap.web import db
from tests.web.helpers import (
    add_asset,
    count,
    decide,
    post,
    proposal,
    published_check,
    sign_in,
    start,
    text,
)

ATOM = "{http://www.w3.org/2005/Atom}"
RATIONALE = "Three groups already cook together here."


@pytest.fixture
def app(database: storage_db.Database, tmp_path: Path) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    outbox = str(tmp_path / "outbox")
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "MAIL_OUTBOX_DIR": outbox}
    )
    yield app
    db.database(app).dispose()


def published_then_grown(app: Flask, client: FlaskClient) -> int:
    """Publish a check that finds the soup club, then add a bakery it would find today."""
    add_asset(app, title="Soup club", themes=["food"])
    sign_in(app, client, "planner")
    check_id = published_check(app, client)
    add_asset(app, title="Bread makers", kind="space", lon=-2.325, lat=51.235, themes=["food"])
    return check_id


def run_again(client: FlaskClient, check_id: int, **fields: str) -> int:
    return post(client, f"/checks/{check_id}/run-again", **fields).status_code


def test_the_planner_is_told_what_a_new_run_finds_before_it_runs(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    page = text(client.get(f"/checks/{check_id}/run-again").get_data(as_text=True))
    assert "Found today, not before (1) Bread makers space inside the catchment" in page
    assert "Inside the catchment 1 2" in page
    assert "Not proceed" in page and "stays on the “You said, we did” log" in page
    assert "Revision 3 is listed beside it as awaiting a decision" in page
    assert count(app, CheckRevision) == 2


def test_the_planner_is_told_what_a_new_run_no_longer_finds(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    soup = add_asset(app, title="Soup club", themes=["food"])
    withdrawn = add_asset(app, title="Bread makers", themes=["food"], lon=-2.325, lat=51.235)
    start(client)
    with app.app_context(), db.database().session() as session:
        assets.update_asset(session, soup, {"themes": ["learning"]}, by=None, cell_m=400.0)
        assets.withdraw_asset(session, withdrawn, by=None)
        session.commit()
    page = text(client.get("/checks/1/run-again").get_data(as_text=True))
    assert "Found before, not today (1) Soup club group inside the catchment" in page
    assert "1 strength found before has since been withdrawn from the map." in page
    assert "Inside the catchment 2 0" in page


def test_the_planner_is_told_when_a_new_run_would_find_the_same(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    add_asset(app, title="Soup club", themes=["food"])
    start(client)
    page = text(client.get("/checks/1/run-again").get_data(as_text=True))
    assert "Today's map finds the same strengths as revision 1." in page
    assert "No decision is recorded yet, so none changes." in page


def test_running_a_published_check_again_keeps_its_decision_on_the_log(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    assert run_again(client, check_id, revision="2") == 302
    log = text(client.get("/you-said-we-did").get_data(as_text=True))
    assert f"Not proceed. {RATIONALE}" in log
    assert "1 strength found inside the catchment" in log
    assert "Awaiting a decision The check ran again" in log and "revision 3" in log
    assert "a decision on the revision is awaited" not in log


def test_the_check_page_shows_the_published_decision_with_its_findings_after_a_new_run(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    run_again(client, check_id, revision="2")
    client.post("/sign-out")
    visitor = app.test_client()
    page = text(visitor.get(f"/checks/{check_id}").get_data(as_text=True))
    assert "revision 2 of 3" in page
    assert "1 inside the catchment" in page and "Bread makers" not in page
    assert f"Decision Not proceed Why {RATIONALE}" in page
    assert "as revision 3, which awaits a decision" in page


def test_the_new_revision_says_it_awaits_a_decision_and_which_one_stands(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    run_again(client, check_id, revision="2")
    page = text(app.test_client().get(f"/checks/{check_id}/revisions/3").get_data(as_text=True))
    assert "2 inside the catchment" in page and "Bread makers" in page
    assert "This revision awaits a decision." in page
    assert "the decision published on revision 2 stands" in page
    assert "No decision is recorded on this revision yet." in page


def test_the_feed_keeps_the_published_decision_after_a_new_run(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    run_again(client, check_id, revision="2")
    feed = ET.fromstring(client.get("/you-said-we-did/feed.atom").data)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary is not None and summary.text is not None
    assert summary.text.startswith(f"Not proceed. {RATIONALE}")
    assert "Found 1 strengths inside the catchment" in summary.text


def test_a_decision_recorded_on_the_new_run_takes_the_place_of_the_old_one(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    run_again(client, check_id, revision="2")
    assert decide(client, check_id, rationale="The bakery changes things.").status_code == 302
    log = text(client.get("/you-said-we-did").get_data(as_text=True))
    assert "The bakery changes things." in log and RATIONALE not in log
    assert "Awaiting a decision" not in log
    page = text(client.get(f"/checks/{check_id}").get_data(as_text=True))
    assert "revision 4 of 4" in page and "2 inside the catchment" in page


def test_a_run_confirmed_on_an_outdated_preview_is_shown_again_and_not_run(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    response = post(client, f"/checks/{check_id}/run-again", revision="1")
    assert response.status_code == 409
    assert "The check changed since you looked" in text(response.get_data(as_text=True))
    assert count(app, CheckRevision) == 2


def test_the_check_page_offers_the_preview_rather_than_running_at_once(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    start(client)
    page = client.get("/checks/1").get_data(as_text=True)
    assert 'href="/checks/1/run-again"' in page
    assert 'action="/checks/1/run-again"' not in page


def test_changing_a_published_proposal_keeps_its_decision_on_the_log(
    app: Flask, client: FlaskClient
) -> None:
    check_id = published_then_grown(app, client)
    form = text(client.get(f"/checks/{check_id}/edit").get_data(as_text=True))
    assert "The published decision stays on the “You said, we did” log" in form
    changed = post(client, f"/checks/{check_id}/edit", **proposal(name="Bakery and kitchen"))
    assert changed.status_code == 302
    log = text(client.get("/you-said-we-did").get_data(as_text=True))
    assert "Community kitchen" in log and f"Not proceed. {RATIONALE}" in log
    assert "Awaiting a decision" in log and "Bakery and kitchen" not in log
