"""The app against a PostgreSQL primary and its streaming replica (``DATABASE_READ_URL``):
lists, maps and the API's reads come from the replica, a person's own write shows to them at
once, and a replica that stops answering leaves reads to the primary."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.storage import database as storage_db
from assetmap.web import db
from tests.web.helpers import add_asset, add_user, bearer, csrf, sign_in_as

if TYPE_CHECKING:
    from tests.replica_support import Replay

pytest_plugins = ["tests.replica_support"]

CLOSED_URL = "postgresql+psycopg://postgres@127.0.0.1:9/postgres"
REPLICA_CLUSTER = os.environ.get("ASSETMAP_REPLICA_CLUSTER", "replica")
SEARCH = "/search?where=point&at=-2.32,51.23"
READS = (
    "/list",
    SEARCH,
    "/api/assets?bbox=-2.4,51.2,-2.2,51.3",
    "/api/assets?near=-2.32,51.23&radius=2000",
    "/api/map/features?bbox=-2.4,51.2,-2.2,51.3&zoom=18",
)


def served(url: str, read_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "DATABASE_READ_URL": read_url,
            "SECRET_KEY": "test",
            "RATELIMIT_ENABLED": False,
        }
    )


@pytest.fixture
def replicated(
    primary: storage_db.Database, read_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path))
    app = served(primary.engine.url.render_as_string(False), read_url)
    yield app
    db.database(app).dispose()


@pytest.fixture
def unanswered(
    primary: storage_db.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path))
    app = served(primary.engine.url.render_as_string(False), CLOSED_URL)
    yield app
    db.database(app).dispose()


def shows(client: FlaskClient, path: str, title: str, **kwargs: Any) -> bool:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return title in response.get_data(as_text=True)


def owner_signed_in(app: Flask, client: FlaskClient) -> int:
    owner = add_user(app, "ann@example.org")
    sign_in_as(client)
    return add_asset(app, owner, title="Chess club")


@pytest.mark.postgis
@pytest.mark.parametrize("path", READS)
def test_a_visitors_read_is_served_by_the_replica(
    replicated: Flask, primary: storage_db.Database, replay: Replay, path: str
) -> None:
    visitor = replicated.test_client()
    with replay.paused(primary):
        add_asset(replicated, title="Book club")
        assert not shows(visitor, path, "Book club")
    assert shows(visitor, path, "Book club")


@pytest.mark.postgis
def test_a_strengths_api_answer_is_served_by_the_replica(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    visitor = replicated.test_client()
    with replay.paused(primary):
        asset_id = add_asset(replicated, title="Book club")
        assert visitor.get(f"/api/assets/{asset_id}").status_code == 404
    assert visitor.get(f"/api/assets/{asset_id}").json["properties"]["title"] == "Book club"


def edit_title(client: FlaskClient, asset_id: int, title: str) -> None:
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    data = {"csrf_token": csrf(page), "title": title, "themes": "learning"}
    assert client.post(f"/strengths/{asset_id}/edit", data=data).status_code == 302


@pytest.mark.postgis
def test_a_residents_change_shows_on_their_next_page_at_once(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    resident = replicated.test_client()
    asset_id = owner_signed_in(replicated, resident)
    with replay.paused(primary):
        edit_title(resident, asset_id, "Chess and draughts club")
        assert shows(resident, "/list", "Chess and draughts club")
        assert shows(resident, SEARCH, "Chess and draughts club")
        # The map's script asks the API, which has no session of its own: the same holds.
        assert shows(resident, READS[-1], "Chess and draughts club")
        assert not shows(replicated.test_client(), READS[-1], "Chess and draughts club")


@pytest.mark.postgis
def test_someone_elses_read_may_still_come_from_the_replica(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    resident = replicated.test_client()
    asset_id = owner_signed_in(replicated, resident)
    with replay.paused(primary):
        edit_title(resident, asset_id, "Chess and draughts club")
        assert not shows(replicated.test_client(), "/list", "Chess and draughts club")


@pytest.mark.postgis
def test_once_the_replica_has_caught_up_the_residents_reads_go_back_to_it(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    resident = replicated.test_client()
    asset_id = owner_signed_in(replicated, resident)
    edit_title(resident, asset_id, "Chess and draughts club")
    with resident.session_transaction() as cookie:
        assert db.WAITING_FOR in cookie
    replay.caught_up(primary)
    with replay.paused(primary):
        add_asset(replicated, title="Book club")
        assert not shows(resident, "/list", "Book club")
    with resident.session_transaction() as cookie:
        assert db.WAITING_FOR not in cookie


def fallen_behind(app: Flask, primary: storage_db.Database, replay: Replay) -> Iterator[None]:
    """Hold the replica back more than a second, with a strength only the primary holds."""
    with replay.paused(primary):
        add_asset(app, title="Book club")
        time.sleep(1.5)
        yield


@pytest.mark.postgis
def test_a_replica_too_far_behind_leaves_reads_to_the_primary(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    replicated.extensions[db.REPLICA].max_lag_s = 1.0
    with contextmanager(fallen_behind)(replicated, primary, replay):
        assert shows(replicated.test_client(), "/list", "Book club")


@pytest.mark.postgis
def test_a_replica_that_failed_is_left_alone_for_a_while(
    replicated: Flask, primary: storage_db.Database, replay: Replay
) -> None:
    replica = replicated.extensions[db.REPLICA]
    replica.max_lag_s = 1.0
    with contextmanager(fallen_behind)(replicated, primary, replay):
        assert shows(replicated.test_client(), "/list", "Book club")
        replica.max_lag_s = 3600.0
        assert shows(replicated.test_client(), "/list", "Book club")
        replica.down_until = 0.0
        assert not shows(replicated.test_client(), "/list", "Book club")


@pytest.mark.postgis
def test_an_api_write_sets_no_cookie(replicated: Flask) -> None:
    headers = bearer(replicated, add_user(replicated, "ann@example.org"))
    body = {"kind": "group", "title": "Book club", "themes": ["learning"]}
    response = replicated.test_client().post(
        "/api/assets", json={**body, "lon": -2.32, "lat": 51.23}, headers=headers
    )
    assert response.status_code == 201, response.json
    assert "Set-Cookie" not in response.headers


@pytest.mark.postgis
@pytest.mark.parametrize("path", READS)
def test_a_replica_that_refuses_leaves_reads_to_the_primary(unanswered: Flask, path: str) -> None:
    add_asset(unanswered, title="Book club")
    assert shows(unanswered.test_client(), path, "Book club")


@pytest.mark.postgis
def test_a_replica_that_refuses_is_logged_once(
    unanswered: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    visitor = unanswered.test_client()
    with caplog.at_level(logging.WARNING, logger="assetmap.web.db"):
        for _ in range(3):
            assert visitor.get("/list").status_code == 200
    assert [record.getMessage()[:33] for record in caplog.records] == [
        "Reads go to the primary for now: "
    ]


@pytest.mark.postgis
def test_a_replica_that_is_stopped_leaves_reads_to_the_primary(
    replicated: Flask, primary: storage_db.Database, replica_admin: sa.Engine
) -> None:
    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        pytest.skip("stopping the replica needs Debian's pg_ctlcluster, as root")
    with replica_admin.connect() as connection:
        major = connection.exec_driver_sql("SHOW server_version_num").scalar_one()[:2]
    visitor = replicated.test_client()
    assert visitor.get("/list").status_code == 200  # the pool now holds a replica connection
    add_asset(replicated, title="Book club")
    replica_admin.dispose()
    control = ["pg_ctlcluster", "--skip-systemctl-redirect", major, REPLICA_CLUSTER]
    subprocess.run([*control, "stop", "-m", "fast"], check=True)
    try:
        assert shows(visitor, "/list", "Book club")
        assert shows(visitor, "/api/assets?bbox=-2.4,51.2,-2.2,51.3", "Book club")
    finally:
        subprocess.run([*control, "start"], check=True)


def test_without_a_replica_reads_and_writes_share_the_primarys_session(app: Flask) -> None:
    add_asset(app, title="Book club")
    with app.test_request_context("/list"):
        assert db.read_session() is db.session()
    assert shows(app.test_client(), "/list", "Book club")


def test_without_a_replica_a_write_keeps_no_log_position(app: Flask) -> None:
    client = app.test_client()
    asset_id = owner_signed_in(app, client)
    edit_title(client, asset_id, "Chess and draughts club")
    with client.session_transaction() as cookie:
        assert db.WAITING_FOR not in cookie
    assert shows(client, "/list", "Chess and draughts club")
