"""The JSON API under /api and its OpenAPI description."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.api import views

    views.init_app(app)
