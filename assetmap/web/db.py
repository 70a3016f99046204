"""One database per app and one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import orm

from assetmap.storage.db import Database, connect

EXTENSION = "assetmap.db"


def init_app(app: Flask) -> None:
    """Connect the app to its database and close each request's session when it ends."""
    app.extensions[EXTENSION] = connect(
        app.config["DATABASE_URL"],
        busy_timeout_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"]),
        cache_mb=int(app.config["SQLITE_CACHE_MB"]),
    )
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    """Return the app's database."""
    return (app or current_app).extensions[EXTENSION]


def session() -> orm.Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()  # rolls back whatever the request left uncommitted
