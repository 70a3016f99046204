"""The area in force for a request, read once per request (see ``runtime.area``)."""

from __future__ import annotations

from flask import current_app, g

from assetmap.domain.area import Area
from assetmap.runtime.area import area_in_force
from assetmap.web import db

__all__ = ["area_in_force", "current_area"]


def current_area() -> Area | None:
    """Return the area in force for this request (see ``area_in_force``)."""
    if "area_in_force" not in g:
        g.area_in_force = area_in_force(current_app.config, db.database())
    area: Area | None = g.area_in_force
    return area
