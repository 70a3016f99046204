"""Strength checks: running one, deciding, publishing, and the log of what was decided."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.checks import coverage, public, said_did, views

    public.init_app(app)
    said_did.init_app(app)
    views.init_app(app)
    coverage.init_app(app)
