"""Reads from a streaming replica: the ``Database`` that holds one beside its primary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.storage import database as db

if TYPE_CHECKING:
    from tests.replica_support import Replay

pytest_plugins = ["tests.replica_support"]
pytestmark = pytest.mark.postgis

IN_RECOVERY = sa.text("SELECT pg_is_in_recovery()")
# A port nothing listens on: a replica that refuses every connection.
CLOSED_URL = "postgresql+psycopg://postgres@127.0.0.1:9/postgres"


@pytest.fixture
def replicated(primary: db.Database, read_url: str) -> Iterator[db.Database]:
    database = db.with_replica(db.connect(primary.engine.url.render_as_string(False)), read_url)
    yield database
    database.dispose()


def add_club(database: db.Database, title: str) -> int:
    draft = validate_asset(
        {"kind": "group", "title": title, "themes": ["learning"], "lon": -2.32, "lat": 51.23}
    )
    with database.session() as session:
        asset = store.add_asset(session, draft, owner_id=None, cell_m=400.0)
        session.commit()
        return asset.id


def test_a_read_session_is_served_by_the_replica(replicated: db.Database) -> None:
    with replicated.read_session() as read, replicated.session() as write:
        assert read.execute(IN_RECOVERY).scalar_one() is True
        assert write.execute(IN_RECOVERY).scalar_one() is False


def test_a_read_connection_on_the_replica_is_served_by_it(replicated: db.Database) -> None:
    with replicated.reader(replica=True) as reader:
        assert reader.driver_connection.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
    with replicated.reader() as reader:
        assert reader.driver_connection.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)


def test_the_replica_shows_what_it_has_replayed_and_not_what_is_held_back(
    replicated: db.Database, replay: Replay
) -> None:
    kept = add_club(replicated, "Chess club")
    with replay.paused(replicated):
        held = add_club(replicated, "Book club")
        with replicated.read_session() as read:
            assert set(store.get_assets(read, [kept, held])) == {kept}
        with replicated.session() as write:
            assert set(store.get_assets(write, [kept, held])) == {kept, held}
    with replicated.read_session() as read:
        assert set(store.get_assets(read, [kept, held])) == {kept, held}


def test_the_replica_says_whether_it_has_replayed_up_to_a_write(
    replicated: db.Database, replay: Replay
) -> None:
    with replay.paused(replicated):
        add_club(replicated, "Book club")
        written = db.wal_position(replicated)
        assert db.replica_state(replicated, written).caught_up is False
        assert db.replica_state(replicated).caught_up is True
    replay.caught_up(replicated)
    assert db.replica_state(replicated, written).caught_up is True


def test_a_replica_whose_replay_is_held_back_counts_the_time_it_is_behind(
    replicated: db.Database, replay: Replay
) -> None:
    with replay.paused(replicated):
        add_club(replicated, "Book club")
        time.sleep(1.5)
        assert db.replica_state(replicated).lag_s >= 1.5
    assert db.replica_state(replicated).lag_s < 1.5


def test_the_replica_refuses_writes(replicated: db.Database) -> None:
    with replicated.read_session() as read, pytest.raises(sa.exc.DBAPIError):
        read.execute(sa.text("CREATE TEMPORARY TABLE scratch (n int)"))


def test_a_replica_that_does_not_answer_raises_a_database_error(primary: db.Database) -> None:
    database = db.with_replica(db.connect(primary.engine.url.render_as_string(False)), CLOSED_URL)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            db.replica_state(database)
    finally:
        database.dispose()


def test_without_a_replica_reads_go_to_the_primary(primary: db.Database) -> None:
    with primary.read_session() as read:
        assert read.execute(IN_RECOVERY).scalar_one() is False


def test_sqlite_has_no_replica(sqlite_url: str) -> None:
    database = db.connect(sqlite_url)
    try:
        with pytest.raises(ValueError, match="needs a PostgreSQL primary, got sqlite"):
            db.with_replica(database, CLOSED_URL)
    finally:
        database.dispose()
