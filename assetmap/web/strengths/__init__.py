"""Strengths: adding, placing, editing and withdrawing one, its history, coaches' connections."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the strength pages that wire themselves here, one line each."""
    from assetmap.web.strengths import calendars, schedules, ties

    schedules.init_app(app)
    ties.init_app(app)
    calendars.init_app(app)
