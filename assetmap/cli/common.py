"""What every command shares: errors said plainly, and progress shown to a person watching."""

from __future__ import annotations

import sys
from typing import Any

import click

from assetmap.domain.errors import ValidationError
from assetmap.runtime.database import database as app_database
from assetmap.storage import database as storage_db
from assetmap.storage.database import Database


def fail(exc: ValidationError) -> click.ClickException:
    """Return a command's error naming each field and what is wrong with it."""
    return click.ClickException(
        "; ".join(f"{field}: {reason}" for field, reason in exc.errors.items())
    )


def progress(length: int, label: str) -> Any:
    """Return a progress bar drawn on standard error when a person watches it, else hidden: a
    bar cannot be drawn in a file or a pipe, where only its label would be left behind."""
    return click.progressbar(
        length=max(length, 1), label=label, file=sys.stderr, hidden=not sys.stderr.isatty()
    )


def current_database() -> Database:
    """Return the app's database, or stop with what to run if its schema is not current."""
    database = app_database()
    if not storage_db.is_current(database):
        raise click.ClickException(
            "The database is not set up, or not up to date: run `flask --app assetmap init-db`."
        )
    return database
