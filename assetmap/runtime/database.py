"""The app's one database, connected when the app starts."""

from __future__ import annotations

from flask import Flask, current_app

from assetmap.storage.database import Database, connect

EXTENSION = "assetmap.db"


def init_app(app: Flask) -> None:
    """Connect the app to the database its configuration names."""
    app.extensions[EXTENSION] = connect(
        app.config["DATABASE_URL"],
        busy_timeout_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"]),
        cache_mb=int(app.config["SQLITE_CACHE_MB"]),
    )


def database(app: Flask | None = None) -> Database:
    """Return the app's database."""
    return (app or current_app).extensions[EXTENSION]
