"""The area in force: where strengths must lie and what maps open on, read once per request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, g

from assetmap.config import area_bbox
from assetmap.domain.area import Area
from assetmap.storage.area import stored_area
from assetmap.storage.database import Database
from assetmap.web import db


def area_in_force(config: Mapping[str, Any], database: Database) -> Area | None:
    """Return the box ``AREA_BBOX`` sets, else the neighbourhoods' area, else None (anywhere).

    The stored area is read on a session of its own, so a request's session that writes later
    still starts as a writer.
    """
    configured = area_bbox(config)
    if configured is not None:
        return configured
    with database.session() as session:
        return stored_area(session)


def current_area() -> Area | None:
    """Return the area in force for this request (see ``area_in_force``)."""
    if "area_in_force" not in g:
        g.area_in_force = area_in_force(current_app.config, db.database())
    area: Area | None = g.area_in_force
    return area
