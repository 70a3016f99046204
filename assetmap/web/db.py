"""For each request a session on the app's database, or a lighter read connection."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import orm

from assetmap.runtime import database as app_database
from assetmap.runtime.database import database
from assetmap.storage.database import ReadConnection

__all__ = ["database", "init_app", "reader", "session"]


def init_app(app: Flask) -> None:
    """Connect the app to its database and close each request's session when it ends."""
    app_database.init_app(app)
    app.teardown_appcontext(_close_connections)


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
