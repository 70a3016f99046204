"""Exchanging data: staff import files in steps and export the register; open data feeds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.exchange import openactive, views

    views.init_app(app)
    openactive.init_app(app)
