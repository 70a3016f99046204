"""When a group meets or a space is open: the pages that set its sessions, and the words on
its public page."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("schedules", __name__)


def init_app(app: Flask) -> None:
    """Register the schedule pages."""
    app.register_blueprint(bp)
