"""For each request a session on the app's database, or a lighter read connection.

With a streaming replica (``DATABASE_READ_URL``), reads that may be a moment old (searches,
maps, lists, the API's reads) ask for ``read_session()`` or ``reader()`` and are served by the
replica, while writes and every other page use the primary through ``session()``. A person
sees their own change at once: a request of theirs that commits a write keeps the primary's
log position in their (signed) session cookie, and their reads stay on the primary until the
replica has replayed the log that far. A replica that refuses, times out or lags too far
behind is left alone for ``Replica.retry_s`` seconds, its reads answered by the primary.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_request_context, request
from flask import session as cookie
from flask.sessions import NullSession, SecureCookieSessionInterface
from sqlalchemy import event, orm

from assetmap.runtime import database as app_database
from assetmap.runtime.database import database
from assetmap.storage.database import ReadConnection, replica_state, wal_position, with_replica

__all__ = ["database", "init_app", "read_session", "reader", "session"]

log = logging.getLogger(__name__)

REPLICA = "assetmap.replica"
# The primary's log position a person's next reads wait for, kept in their session cookie.
WAITING_FOR = "replica_lsn"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# How long reads stay on the primary after the replica failed to answer, in seconds.
RETRY_S = 30.0
# A replica further behind than this, in seconds of replay, is treated as not answering.
MAX_LAG_S = 30.0
# How often the replica is asked how far behind it is, in seconds; between times a request
# only asks it when a person waits for their own write.
CHECK_EVERY_S = 1.0


@dataclass
class Replica:
    """Whether the app's replica may be asked: it is left alone until ``down_until`` (a
    ``time.monotonic()`` reading) once it failed, and the failure is logged once. It was last
    seen answering, close enough behind, at ``answered_at``."""

    retry_s: float = RETRY_S
    max_lag_s: float = MAX_LAG_S
    check_every_s: float = CHECK_EVERY_S
    down_until: float = 0.0
    answered_at: float = float("-inf")
    failing: bool = False

    def failed(self, why: str) -> None:
        """Leave the replica alone for ``retry_s`` seconds, saying why the first time."""
        self.down_until = time.monotonic() + self.retry_s
        self.answered_at = float("-inf")
        if not self.failing:
            log.warning("Reads go to the primary for now: the read replica %s", why)
        self.failing = True

    def answered(self) -> None:
        """Note that the replica answered, close enough behind."""
        self.answered_at = time.monotonic()
        if self.failing:
            log.warning("The read replica answers again; reads go to it")
        self.failing = False

    def resting(self) -> bool:
        """Return whether the replica is being left alone after a failure."""
        return time.monotonic() < self.down_until

    def lately_answered(self) -> bool:
        """Return whether the replica answered, close enough behind, a moment ago."""
        return time.monotonic() - self.answered_at < self.check_every_s


def init_app(app: Flask) -> None:
    """Connect the app to its database (and replica) and close each request's sessions."""
    app_database.init_app(app)
    read_url = app.config["DATABASE_READ_URL"]
    if read_url:
        primary = app_database.database(app)
        app.extensions[app_database.EXTENSION] = with_replica(primary, read_url)
        app.extensions[REPLICA] = Replica()
        event.listen(primary.engine, "commit", _note_commit)
        app.after_request(_remember_write)
    app.teardown_appcontext(_close_connections)


def session() -> orm.Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def read_session() -> orm.Session:
    """Return this request's session for reads that may come from the replica: the primary's
    own session where there is no replica, or it is not answering or not caught up."""
    if "db_read_session" not in g and _replica_serves():
        opened = database().read_session()
        try:
            opened.connection()  # connect now, so a replica gone since it was asked is seen here
        except sa.exc.DBAPIError as exc:
            opened.close()
            _replica_failed(exc)
        else:
            g.db_read_session = opened
    return g.db_read_session if "db_read_session" in g else session()


def reader() -> ReadConnection:
    """Return this request's read connection for a nearby search, opening it on first use:
    on the replica where ``read_session`` would be."""
    if "db_reader" not in g and _replica_serves():
        try:
            g.db_reader = database().reader(replica=True)
        except sa.exc.DBAPIError as exc:
            _replica_failed(exc)
    if "db_reader" not in g:
        g.db_reader = database().reader()
    return g.db_reader


def _replica_serves() -> bool:
    """Return whether this request's reads go to the replica, deciding once per request."""
    if "db_replica_serves" not in g:
        g.db_replica_serves = _ask_replica()
    return bool(g.db_replica_serves)


def _replica_failed(exc: sa.exc.DBAPIError) -> None:
    """Send the rest of this request's reads, and the app's for a while, to the primary."""
    current_app.extensions[REPLICA].failed(f"does not answer: {str(exc.orig).strip()}")
    g.db_replica_serves = False


def _ask_replica() -> bool:
    replica: Replica | None = current_app.extensions.get(REPLICA)
    if replica is None or replica.resting():
        return False
    since = _waiting_for()
    if since is None and replica.lately_answered():
        return True
    try:
        state = replica_state(database(), since)
    except sa.exc.DBAPIError as exc:
        _replica_failed(exc)
        return False
    if state.lag_s > replica.max_lag_s:
        replica.failed(f"is {state.lag_s:.0f} s behind the primary")
        return False
    replica.answered()
    if state.caught_up and since is not None and not isinstance(cookie, NullSession):
        cookie.pop(WAITING_FOR)
    return state.caught_up


def _waiting_for() -> str | None:
    """Return the log position this person's reads wait for, if any.

    Paths served without the cookie session (the API, which the map's own script asks) read it
    from the cookie without making it their session, so a person's map shows their change at
    once too; only the page that made them wait, or a later one, forgets it.
    """
    if not _has_cookie():
        return None
    if not isinstance(cookie, NullSession):
        return cookie.get(WAITING_FOR)
    interface = current_app.session_interface
    if not isinstance(interface, SecureCookieSessionInterface):
        return None
    # The cookie interface's own reading, past the app's refusal to open it on this path.
    sent = SecureCookieSessionInterface.open_session(interface, current_app, request)
    return sent.get(WAITING_FOR) if sent is not None else None


def _has_cookie() -> bool:
    # Asked only when a cookie came, so an answer to a client without one is not marked as
    # varying by cookie.
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def _note_commit(_connection: sa.Connection) -> None:
    if has_request_context():
        g.db_committed = True


def _remember_write(response: Response) -> Response:
    """After a person's write, keep the primary's log position for their next reads.

    Only a person with a cookie session has one to keep it in: a client with an API token
    reads from the replica, as it sends no cookie.
    """
    if request.method in WRITES and g.get("db_committed") and (cookie or cookie.modified):
        position = wal_position(database())
        if position is not None:
            cookie[WAITING_FOR] = position
    return response


def _close_connections(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_read_session", "db_reader"):
        opened = g.pop(name, None)
        if opened is not None:
            opened.close()  # rolls back whatever the request left uncommitted
