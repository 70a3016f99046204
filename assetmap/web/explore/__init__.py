"""Finding strengths: the explore map and list, the search by place, theme and words, and
what's on."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.explore import search, views, whatson

    views.init_app(app)
    search.init_app(app)
    whatson.init_app(app)
