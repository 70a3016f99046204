from __future__ import annotations

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.vocab import Status
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.exchange.test_feeds import Feed, service
from tests.web.helpers import confirm, signed_in, text, upload

SOURCE = "Somerset directory"


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return signed_in(app, "planner", "planner-user@example.org")


def dump(*numbers: int, description: str = "") -> bytes:
    """Return one API page of the generated services as a file a directory gives out, the
    first with ``description`` where given."""
    services = [service(n, description=description if n == 1 else "") for n in numbers]
    return Feed(services, per_page=50).page(1)


def from_source(app: Flask) -> dict[str, Asset]:
    with app.app_context(), db.database().session() as session:
        found = session.scalars(sa.select(Asset).where(Asset.source == SOURCE))
        return {asset.title: asset for asset in found}


def send(client: FlaskClient, data: bytes, **fields: str) -> tuple[int, str]:
    response = upload(client, data, "directory.json", source=SOURCE, **fields)
    return response.status_code, text(response.get_data(as_text=True))


def test_a_directory_s_dump_is_checked_then_imported_with_its_name(
    app: Flask, planner: FlaskClient
) -> None:
    status, page = send(planner, dump(1, 2, 3), full_listing="yes")
    assert status == 200 and "Checked, nothing written yet" in page
    assert f"From the directory {SOURCE}" in page and "Import: add 3, update 0" in page
    assert from_source(app) == {}
    assert confirm(planner).status_code == 302
    found = from_source(app)
    assert sorted(found) == ["Club 1", "Club 2", "Club 3"]
    assert all(a.checked_at is not None and a.source_id for a in found.values())


def test_a_second_dump_lists_what_it_would_withdraw_and_withdraws_it_on_confirmation(
    app: Flask, planner: FlaskClient
) -> None:
    send(planner, dump(1, 2, 3), full_listing="yes")
    confirm(planner)
    status, page = send(planner, dump(1, 3, description="New words."), full_listing="yes")
    assert status == 200
    assert "To withdraw: no longer listed" in page and "Club 2" in page
    assert "Import: add 0, update 1, withdraw 1" in page
    assert from_source(app)["Club 2"].status is Status.PUBLISHED
    confirm(planner)
    found = from_source(app)
    assert found["Club 2"].status is Status.WITHDRAWN
    assert found["Club 1"].description == "New words."
    done = text(planner.get("/exchange").get_data(as_text=True))
    assert "1 strength that the file no longer lists was withdrawn." in done


def test_without_the_full_listing_choice_nothing_is_withdrawn(
    app: Flask, planner: FlaskClient
) -> None:
    send(planner, dump(1, 2, 3))
    confirm(planner)
    status, page = send(planner, dump(1))
    assert status == 200 and "To withdraw" not in page
    assert "there is nothing to import" in page
    assert all(a.status is Status.PUBLISHED for a in from_source(app).values())


def test_withdrawing_needs_the_directory_s_name(app: Flask, planner: FlaskClient) -> None:
    response = upload(planner, dump(1), "directory.json", source="  ", full_listing="yes")
    assert response.status_code == 400
    assert "Enter the directory&#39;s name" in response.get_data(as_text=True)
    assert from_source(app) == {}


def test_a_resident_may_not_import_a_directory_s_dump(app: Flask) -> None:
    client = signed_in(app, "resident", "resident-user@example.org")
    response = upload(client, dump(1), "directory.json", source=SOURCE, full_listing="yes")
    assert response.status_code == 403
    assert from_source(app) == {}


def test_a_broken_dump_is_refused_whole(app: Flask, planner: FlaskClient) -> None:
    broken = orjson.loads(dump(1, 2))
    broken["contents"][1]["service_at_locations"] = []
    broken["contents"][1]["organization"] = {"id": "o", "name": "Nowhere"}
    status, page = send(planner, orjson.dumps(broken), full_listing="yes")
    assert status == 400 and "Nothing can be imported from this file yet" in page
    assert "service 2" in page and "Import: add" not in page
    assert from_source(app) == {}
