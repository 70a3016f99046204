"""Exchanging data: staff import files in steps and export the register; open data feeds."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the exchange pages that wire themselves here, one line each."""
    from assetmap.web.exchange import openactive

    openactive.init_app(app)
