"""One database per app, and for each request a session, or a lighter read connection."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import orm

from assetmap.storage.database import Database, ReadConnection, connect

EXTENSION = "assetmap.db"


def init_app(app: Flask) -> None:
    """Connect the app to its database and close each request's session when it ends."""
    app.extensions[EXTENSION] = connect(
        app.config["DATABASE_URL"],
        busy_timeout_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"]),
        cache_mb=int(app.config["SQLITE_CACHE_MB"]),
    )
    app.teardown_appcontext(_close_connections)


def database(app: Flask | None = None) -> Database:
    """Return the app's database."""
    return (app or current_app).extensions[EXTENSION]


def session() -> orm.Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def reader() -> ReadConnection:
    """Return this request's read connection for a nearby search, opening it on first use."""
    if "db_reader" not in g:
        g.db_reader = database().reader()
    return g.db_reader


def _close_connections(_exc: BaseException | None) -> None:
    for name in ("db_session", "db_reader"):
        opened = g.pop(name, None)
        if opened is not None:
            opened.close()  # rolls back whatever the request left uncommitted
