"""Freshness in the web views: whether a strength shows as unconfirmed, for pages and JSON."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app

from assetmap.domain.freshness import Freshness
from assetmap.storage.models import utcnow

EXTENSION = "assetmap.freshness"


def freshness() -> Freshness:
    """Return the app's freshness intervals, read from its configuration when it started."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def unconfirmed_before() -> dt.date:
    """Return the date a strength last confirmed before shows as unconfirmed today."""
    return freshness().unconfirmed_before(utcnow().date())


def is_unconfirmed(last_confirmed: dt.date | str | None) -> bool:
    """Return whether a strength last confirmed then shows as unconfirmed today."""
    return freshness().is_unconfirmed(last_confirmed, utcnow().date())


def init_app(app: Flask) -> None:
    """Read the freshness intervals once, and offer ``unconfirmed(date)`` to templates."""
    app.extensions[EXTENSION] = Freshness.from_config(app.config)
    app.jinja_env.globals["unconfirmed"] = is_unconfirmed
