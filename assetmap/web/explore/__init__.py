"""Finding strengths: the explore map and list, and the search by place, theme and words."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the explore pages that wire themselves here, one line each."""
    from assetmap.web.explore import whatson

    whatson.init_app(app)
