"""Accounts: signing up and in, confirming an address, resetting a password, API tokens."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.accounts import auth, confirmation, tokens, views

    auth.init_app(app)
    views.init_app(app)
    confirmation.init_app(app)
    tokens.init_app(app)
