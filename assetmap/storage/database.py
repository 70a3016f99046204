"""Connecting to the store: engines, sessions and migrations, on SQLite or PostGIS."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event, orm

from assetmap.files import create_private, private

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
SUPPORTED = ("sqlite", "postgresql")
_PRODUCT_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class ReadConnection:
    """A pooled driver connection for a search's reads, without SQLAlchemy's connection and
    transaction objects around it, which cost the busiest API answer a twentieth of its time.

    On SQLite its reads share one snapshot, in a transaction begun here; on PostgreSQL each
    statement sees the database as it starts, as at that server's default isolation. Closing
    it hands the connection back to the pool, which rolls the read back.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.dialect = engine.dialect
        self._pooled = engine.raw_connection()
        driver = self._pooled.driver_connection
        assert driver is not None, "a pooled connection always has a driver connection"
        self.driver_connection: Any = driver
        if self.dialect.name == "sqlite":
            driver.execute("BEGIN")

    def close(self) -> None:
        """Give the connection back to the pool."""
        self._pooled.close()

    def __enter__(self) -> ReadConnection:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# What a nearby search takes: a session, or a read connection (``Database.reader``).
Reader = orm.Session | ReadConnection


@dataclass(frozen=True)
class Database:
    """An engine and the session factory bound to it, and perhaps a streaming replica's.

    The replica's engine (``read_engine``) only ever reads: its transactions are read-only,
    and nothing here writes through it. Without one, every read goes to ``engine``.
    """

    engine: sa.Engine
    sessions: orm.sessionmaker[orm.Session]
    read_engine: sa.Engine | None = None
    read_sessions: orm.sessionmaker[orm.Session] | None = None

    def session(self) -> orm.Session:
        """Open a new session; the caller commits or rolls back and closes it."""
        return self.sessions()

    def read_session(self) -> orm.Session:
        """Open a session for reads on the replica, or on the primary where there is none."""
        return (self.read_sessions or self.sessions)()

    def reader(self, *, replica: bool = False) -> ReadConnection:
        """Open a read connection for a nearby search, on the replica if asked and there is
        one; the caller closes it."""
        return ReadConnection(self.read_engine if replica and self.read_engine else self.engine)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()


def name_of(database: Database) -> str:
    """Return the name a person knows the database's product by: SQLite or PostgreSQL."""
    return _PRODUCT_NAMES.get(database.engine.dialect.name, database.engine.dialect.name)


def has_tables(database: Database) -> bool:
    """Return whether the database holds any table yet."""
    return bool(sa.inspect(database.engine).get_table_names())


def connect(
    url: str, *, busy_timeout_ms: int = 30_000, cache_mb: int = 64, echo: bool = False
) -> Database:
    """Return a ``Database`` for ``url`` (``sqlite:///...`` or ``postgresql+psycopg://...``)."""
    engine = _engine(url, echo=echo)
    if engine.dialect.name not in SUPPORTED:
        raise ValueError(f"database must be SQLite or PostgreSQL, got {engine.dialect.name}")
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine, busy_timeout_ms, cache_mb)
    return Database(engine, orm.sessionmaker(engine, expire_on_commit=False))


# How long a replica may take to let a connection in, and to answer one statement, before a
# read gives up on it: a replica that is down must cost a reader seconds, not minutes.
REPLICA_CONNECT_TIMEOUT_S = 2
REPLICA_STATEMENT_TIMEOUT_MS = 10_000


def with_replica(database: Database, read_url: str) -> Database:
    """Return ``database`` with reads able to go to the streaming replica at ``read_url``.

    The replica is PostgreSQL's own (a hot standby): only a PostgreSQL primary has one. Its
    transactions are read-only, so a write sent to it by mistake fails rather than forks.
    """
    if database.engine.dialect.name != "postgresql":
        raise ValueError(
            f"a read replica needs a PostgreSQL primary, got {database.engine.dialect.name}"
        )
    if sa.make_url(read_url).get_backend_name() != "postgresql":
        raise ValueError(f"the read replica must be PostgreSQL, got {sa.make_url(read_url)!r}")
    options = (
        f"-c statement_timeout={REPLICA_STATEMENT_TIMEOUT_MS} -c default_transaction_read_only=on"
    )
    engine = _engine(
        read_url,
        echo=database.engine.echo,
        connect_args={"connect_timeout": REPLICA_CONNECT_TIMEOUT_S, "options": options},
    )
    return replace(
        database,
        read_engine=engine,
        read_sessions=orm.sessionmaker(engine, expire_on_commit=False),
    )


@dataclass(frozen=True)
class ReplicaState:
    """How far a replica has come: whether it has replayed the log up to a position asked
    about, and how many seconds behind the primary it is."""

    caught_up: bool
    lag_s: float


# A replica is behind only while it has received log it has not replayed; an idle primary
# sends nothing, so the time since the last replayed commit is no lag then. A server that is
# no replica at all (a read URL naming the primary) is never behind.
_REPLICA_STATE = sa.text(
    """
    SELECT
        NOT pg_is_in_recovery()
            OR CAST(:since AS pg_lsn) IS NULL
            OR pg_last_wal_replay_lsn() >= CAST(:since AS pg_lsn),
        CASE WHEN NOT pg_is_in_recovery()
                  OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
             ELSE COALESCE(
                 EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
        END
    """
)


def replica_state(database: Database, since: str | None = None) -> ReplicaState:
    """Ask the replica how far it has come, and whether it has replayed up to the primary's
    log position ``since`` (from ``wal_position``).

    Raises ``sqlalchemy.exc.DBAPIError`` where the replica refuses or times out.
    """
    assert database.read_engine is not None, "only a database with a replica has its state"
    with database.read_engine.connect() as connection:
        caught_up, lag = connection.execute(_REPLICA_STATE, {"since": since}).one()
    return ReplicaState(bool(caught_up), float(lag))


def wal_position(database: Database) -> str | None:
    """Return how far the primary's write-ahead log has been written, as ``0/16B3748``:
    every transaction committed before this call lies at or before it. None on SQLite."""
    if database.engine.dialect.name != "postgresql":
        return None
    with database.engine.connect() as connection:
        return str(connection.exec_driver_sql("SELECT pg_current_wal_lsn()").scalar_one())


# The largest value an id (an Integer column) holds: PostgreSQL's is 32-bit, SQLite's 64-bit.
_LARGEST_ID = {"postgresql": 2**31 - 1, "sqlite": 2**63 - 1}


# The files SQLite keeps beside a database while it writes.
_SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def keep_private(url: str) -> None:
    """Make the database's files readable by this user only, creating a SQLite file so.

    A server (PostgreSQL) keeps its own files; a SQLite database's write-ahead log and shared
    memory take the mode of the database file, so it is set before SQLite first opens it.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(str(parsed.database))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create_private(path)
    for candidate in (path, *(Path(f"{path}{end}") for end in _SQLITE_COMPANIONS)):
        private(candidate)


def largest_id(url: str) -> int:
    """Return the largest id the database at ``url`` can store."""
    return _LARGEST_ID.get(sa.make_url(url).get_backend_name(), 2**31 - 1)


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def _engine(url: str, **options: Any) -> sa.Engine:
    return sa.create_engine(
        url,
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
        **_engine_options(url),
        **options,
    )


def _engine_options(url: str) -> dict[str, object]:
    if sa.make_url(url).get_backend_name() == "sqlite":
        database = sa.make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return {}
    return {"pool_pre_ping": True}


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int, cache_mb: int) -> None:
    """Use WAL, wait for locks, enforce foreign keys, and take the write lock up front."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # The R*Tree of a city region is tens of megabytes; a page cache that holds it
        # makes inserts and searches several times faster than SQLite's 2 MB default.
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        # A deferred transaction that reads and then writes can fail at once with "database is
        # locked" if another writer committed in between; a writer asks for IMMEDIATE. Sent
        # through the driver: it needs none of SQLAlchemy's execution steps, and every read
        # pays for it.
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            "BEGIN IMMEDIATE" if immediate else "BEGIN"
        )


def begin_write(session: orm.Session) -> None:
    """Start the session's transaction as a writer, so it never fails on a lock upgrade.

    On SQLite this takes the write lock now (waiting for it up to the busy timeout); on
    PostgreSQL it is an ordinary transaction. A transaction already open is left as it is.
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_immediate": True})


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    from alembic import command

    with database.engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def is_current(database: Database) -> bool:
    """Return whether the schema is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
        head = ScriptDirectory.from_config(_alembic_config(connection)).get_heads()
    return set(current) == set(head)
