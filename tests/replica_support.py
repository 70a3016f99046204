"""A test database on the PostgreSQL primary and its copy on the streaming replica.

The replica (``ASSETMAP_TEST_REPLICA_URL``, made by scripts/setup-replica.sh) follows the whole
primary cluster, so the test database the PostGIS fixture makes on the primary appears on it.
Where no replica answers, these tests are skipped, saying why, unless
``ASSETMAP_REQUIRE_REPLICA=1`` (as in CI), which makes a missing replica a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from assetmap.storage import database as db
from assetmap.storage.models import Base

REPLICA_URL = os.environ.get(
    "ASSETMAP_TEST_REPLICA_URL", "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
)
REQUIRE_REPLICA = os.environ.get("ASSETMAP_REQUIRE_REPLICA") == "1"
TABLES = tuple(table.name for table in reversed(Base.metadata.sorted_tables))


@pytest.fixture(scope="session")
def replica_admin() -> Iterator[sa.Engine]:
    """An engine on the replica's own ``postgres`` database, to pause and resume its replay."""
    engine = sa.create_engine(
        REPLICA_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2}
    )
    try:
        with engine.connect() as connection:
            standby = connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar_one()
    except sa.exc.OperationalError as exc:
        _missing(f"no replica answers at {REPLICA_URL}: {exc.orig} (scripts/setup-replica.sh)")
    if not standby:
        _missing(f"{REPLICA_URL} answers, but is no replica (pg_is_in_recovery is false)")
    yield engine
    engine.dispose()


def _missing(message: str) -> None:
    if REQUIRE_REPLICA:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def primary(replica_admin: sa.Engine, postgis_database: db.Database) -> db.Database:
    """The PostGIS test database on the primary, emptied, and replayed on the replica."""
    with postgis_database.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    Replay(replica_admin).caught_up(postgis_database)
    return postgis_database


@pytest.fixture
def read_url(primary: db.Database) -> str:
    """The URL of the primary's test database on the replica."""
    name = primary.engine.url.database
    return sa.make_url(REPLICA_URL).set(database=name).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Replay:
    """Control of the replica's replay of the primary's log."""

    admin: sa.Engine

    def caught_up(self, primary: db.Database) -> None:
        """Wait until the replica has replayed everything the primary has written so far."""
        position = db.wal_position(primary)
        query = sa.text("SELECT pg_last_wal_replay_lsn() >= CAST(:at AS pg_lsn)")
        deadline = time.monotonic() + 30
        with self.admin.connect() as connection:
            while not connection.execute(query, {"at": position}).scalar_one():
                assert time.monotonic() < deadline, f"the replica did not replay up to {position}"
                time.sleep(0.05)

    @contextmanager
    def paused(self, primary: db.Database) -> Iterator[None]:
        """Hold the replica still: what the primary writes meanwhile does not reach its
        readers. The replica first catches up, so it is no further behind than the pause
        makes it."""
        self.caught_up(primary)
        with self.admin.connect() as connection:
            connection.exec_driver_sql("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            with self.admin.connect() as connection:
                connection.exec_driver_sql("SELECT pg_wal_replay_resume()")
            self.caught_up(primary)


@pytest.fixture
def replay(replica_admin: sa.Engine) -> Replay:
    """Control of the replica's replay: wait for it to catch up, or pause it a while."""
    return Replay(replica_admin)
