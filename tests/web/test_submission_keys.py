"""A strength sent twice with the same key is added once: the last step's form (again after a
lost connection, or from the queue a phone kept offline) and the API's Idempotency-Key."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assetmap import create_app
from assetmap.domain.assets import validate_asset
from assetmap.storage import database as storage_db
from assetmap.storage import submissions
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset, SubmissionKey
from assetmap.web import db
from tests.web.helpers import bearer, count, signed_in
from tests.web.test_strengths import Steps as AddingSteps

T = TypeVar("T")
TOWN_BOX = "-2.42,51.19,-2.24,51.27"
NEW_GROUP = {
    "kind": "group",
    "title": "Repair cafe",
    "themes": ["environment"],
    "lon": -2.3205,
    "lat": 51.2301,
}


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test", "AREA_BBOX": TOWN_BOX}
    )
    yield app
    db.database(app).dispose()


class Steps(AddingSteps):
    """The adding steps, with the last one sent with a submission key."""

    def publish_with(self, key: str) -> TestResponse:
        return self.post(f"/strengths/new/{self.kind}/publish", submission_key=key)


def key_of(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the page carries no submission key"
    return match.group(1)


def previewed(client: FlaskClient) -> tuple[Steps, str]:
    """Walk the steps to the preview; return them and the key the preview's form carries."""
    steps = Steps(client)
    steps.details()
    return steps, key_of(steps.pin().get_data(as_text=True))


def keys(app: Flask) -> list[tuple[int, str, int | None]]:
    with app.app_context(), db.database().session() as session:
        rows = session.scalars(sa.select(SubmissionKey).order_by(SubmissionKey.id))
        return [(row.user_id, row.key, row.asset_id) for row in rows]


def owners(app: Flask) -> list[int | None]:
    with app.app_context(), db.database().session() as session:
        return list(session.scalars(sa.select(Asset.owner_id).order_by(Asset.id)))


def user_id(app: Flask, email: str) -> int:
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user_by_email(session, email)
        assert user is not None
        return user.id


def test_the_preview_carries_a_new_key_each_time_it_is_shown(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, key = previewed(client)
    again = key_of(steps.pin().get_data(as_text=True))
    assert submissions.is_key(key) and len(key) == 36 and again != key


def test_the_same_form_sent_twice_adds_one_strength(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, key = previewed(client)
    first = steps.publish_with(key)
    assert first.status_code == 302 and first.headers["Location"] == "/strengths/mine"
    second = steps.publish_with(key)
    assert count(app, Asset) == 1
    [(owner, kept, asset_id)] = keys(app)
    assert (owner, kept) == (user_id(app, "ann@example.org"), key)
    # The second send answers with the strength the first added, saying so.
    assert second.status_code == 302 and second.headers["Location"] == f"/assets/{asset_id}"
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "was already added: this form had been sent before" in page


def test_a_form_sent_without_a_key_is_added_as_before(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, _key = previewed(client)
    assert steps.publish().status_code == 302
    assert steps.publish().status_code == 302
    assert count(app, Asset) == 2 and keys(app) == []


def test_a_key_that_is_not_one_is_ignored(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, _key = previewed(client)
    assert steps.publish_with("<not a key>" * 10).status_code == 302
    assert count(app, Asset) == 1 and keys(app) == []


def test_the_same_key_from_another_person_is_theirs_alone(app: Flask) -> None:
    ann = signed_in(app, email="ann@example.org")
    bob = signed_in(app, email="bob@example.org")
    ann_steps, key = previewed(ann)
    bob_steps, _bob_key = previewed(bob)
    assert ann_steps.publish_with(key).headers["Location"] == "/strengths/mine"
    assert bob_steps.publish_with(key).headers["Location"] == "/strengths/mine"
    assert bob_steps.publish_with(key).headers["Location"].startswith("/assets/")
    ann_id, bob_id = user_id(app, "ann@example.org"), user_id(app, "bob@example.org")
    assert owners(app) == [ann_id, bob_id]
    assert [(owner, kept) for owner, kept, _ in keys(app)] == [(ann_id, key), (bob_id, key)]


def test_a_refused_form_records_no_key(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, key = previewed(client)
    good = steps.draft
    steps.draft = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    assert steps.publish_with(key).status_code == 400  # changed on the way
    steps.draft = good
    app.config["AREA_BBOX"] = "-2.30,51.19,-2.24,51.27"  # the area shrank: the point is outside
    assert steps.publish_with(key).status_code == 400
    assert count(app, Asset) == 0 and keys(app) == []
    app.config["AREA_BBOX"] = TOWN_BOX
    assert steps.publish_with(key).status_code == 302
    assert count(app, Asset) == 1 and len(keys(app)) == 1


def test_concurrent_sends_of_the_same_key_add_one(app: Flask) -> None:
    client = signed_in(app, email="ann@example.org")
    steps, key = previewed(client)
    # A second browser tab: the same session, sending at the same moment.
    other = app.test_client()
    session_cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert session_cookie is not None
    other.set_cookie(session_cookie.key, session_cookie.value)
    data = {"csrf_token": steps.token, "draft": steps.draft, "submission_key": key}
    path = "/strengths/new/skill/publish"
    answers = both_at_once(lambda tab: tab.post(path, data=data), (client, other))
    assert sorted(answer.status_code for answer in answers) == [302, 302]
    assert count(app, Asset) == 1 and len(keys(app)) == 1
    places = sorted(answer.headers["Location"] for answer in answers)
    assert places[1] == "/strengths/mine" and places[0].startswith("/assets/")


def both_at_once(send: Callable[[Any], T], senders: tuple[Any, Any]) -> list[T]:
    """Send from two threads released together, and return both answers."""
    start = threading.Barrier(2)
    answers: list[T] = []
    failures: list[BaseException] = []

    def run(sender: Any) -> None:
        start.wait()
        try:
            answers.append(send(sender))
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return answers


def test_concurrent_adds_of_the_same_key_in_storage_add_one(
    app: Flask, database: storage_db.Database
) -> None:
    signed_in(app, email="ann@example.org")
    ann = user_id(app, "ann@example.org")
    draft = validate_asset(NEW_GROUP)

    def add(_: int) -> tuple[int | None, bool]:
        with database.session() as session:
            asset, added = submissions.add_once(
                session, draft, owner_id=ann, key="same-key", cell_m=250
            )
            session.commit()
            return (asset.id if asset else None), added

    results = both_at_once(add, (1, 2))
    assert count(app, Asset) == 1
    assert sorted(added for _, added in results) == [False, True]
    assert len({asset_id for asset_id, _ in results}) == 1


def test_the_api_honours_an_idempotency_key(app: Flask, client: FlaskClient) -> None:
    signed_in(app, email="ann@example.org")
    signed_in(app, email="bob@example.org")
    ann = bearer(app, user_id(app, "ann@example.org"))
    bob = bearer(app, user_id(app, "bob@example.org"))
    once = {**ann, "Idempotency-Key": "8d0c2c1e-3f7b-4a0e-9a57-1a2b3c4d5e6f"}
    first = client.post("/api/assets", json=NEW_GROUP, headers=once)
    second = client.post("/api/assets", json=NEW_GROUP, headers=once)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"]
    assert second.headers["Location"] == first.headers["Location"]
    assert count(app, Asset) == 1
    # The same key from another person is theirs alone.
    theirs = client.post(
        "/api/assets", json=NEW_GROUP, headers={**bob, "Idempotency-Key": once["Idempotency-Key"]}
    )
    assert theirs.status_code == 201 and count(app, Asset) == 2
    # Without a key, each request adds.
    assert client.post("/api/assets", json=NEW_GROUP, headers=ann).status_code == 201
    assert count(app, Asset) == 3 and len(keys(app)) == 2


def test_the_api_refuses_a_bad_key_and_a_refused_body_records_none(
    app: Flask, client: FlaskClient
) -> None:
    signed_in(app, email="ann@example.org")
    ann = bearer(app, user_id(app, "ann@example.org"))
    bad = client.post("/api/assets", json=NEW_GROUP, headers={**ann, "Idempotency-Key": "a b"})
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "Idempotency-Key"
    refused = client.post(
        "/api/assets", json={**NEW_GROUP, "title": ""}, headers={**ann, "Idempotency-Key": "k1"}
    )
    assert refused.status_code == 400 and count(app, Asset) == 0 and keys(app) == []
    assert (
        client.post(
            "/api/assets", json=NEW_GROUP, headers={**ann, "Idempotency-Key": "k1"}
        ).status_code
        == 201
    )


def test_concurrent_api_sends_of_the_same_key_add_one(app: Flask) -> None:
    signed_in(app, email="ann@example.org")
    headers = {**bearer(app, user_id(app, "ann@example.org")), "Idempotency-Key": "twice"}
    tabs = (app.test_client(), app.test_client())
    answers = both_at_once(
        lambda tab: tab.post("/api/assets", json=NEW_GROUP, headers=headers), tabs
    )
    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert count(app, Asset) == 1 and len(keys(app)) == 1
