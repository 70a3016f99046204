"""Strengths: adding, placing, editing and withdrawing one, when it meets, its ties and
calendar, its history, and coaches' connections."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this area's pages, in order."""
    from assetmap.web.strengths import (
        adding,
        calendars,
        connections,
        freshness,
        history,
        schedules,
        ties,
        views,
    )
    from assetmap.web.strengths.written import written

    # ``{{ asset.title | written(asset.language) }}``: what people wrote, marked with its language.
    app.jinja_env.filters["written"] = written
    adding.init_app(app)
    views.init_app(app)
    schedules.init_app(app)
    ties.init_app(app)
    calendars.init_app(app)
    connections.init_app(app)
    freshness.init_app(app)
    history.init_app(app)
