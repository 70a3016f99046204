"""The area in force: where strengths must lie and what maps open on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assetmap.config import area_bbox
from assetmap.domain.area import Area
from assetmap.storage.area import stored_area
from assetmap.storage.database import Database


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
