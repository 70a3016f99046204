"""Absolute links, built from ``PUBLIC_URL`` alone.

A link that leaves the page (in mail, the Atom feed, the API description) must not take its
host from the request: a forged ``Host`` header would otherwise send a password reset link to
the forger's site. Every absolute link is built here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from werkzeug.routing import MapAdapter

from assetmap.config import public_url

EXTENSION = "assetmap.links"


def external_url(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of ``endpoint`` (its full name) under ``PUBLIC_URL``."""
    adapter: MapAdapter = current_app.extensions[EXTENSION]
    return adapter.build(endpoint, values, force_external=True)


def init_app(app: Flask) -> None:
    """Bind the app's routes to ``PUBLIC_URL`` once, for building absolute links."""
    parts = public_url(app.config)
    app.extensions[EXTENSION] = app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme
    )
