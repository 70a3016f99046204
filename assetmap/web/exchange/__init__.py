"""Exchanging data: staff import files in steps and export the register; open data feeds and
the Open Referral UK API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.exchange import openactive, openreferral_api, views

    views.init_app(app)
    openactive.init_app(app)
    openreferral_api.init_app(app)
