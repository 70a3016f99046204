"""Running the site: roles and moderation."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.admin import moderation, roles

    moderation.init_app(app)
    roles.init_app(app)
