"""Community funds: rounds, proposals, voting and results, each a module with its pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.funds import giving, proposals, results, rounds, shown, voting

    for module in (rounds, proposals, voting, results, giving, shown):
        module.init_app(app)
