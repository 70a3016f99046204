"""The area this assetmap serves: derived from its neighbourhoods, kept in one row.

Strengths must lie in it (unless ``ASSETMAP_AREA_BBOX`` sets a box instead) and maps open on it.
It is the union of the neighbourhoods grown by a margin, so a park or a hall just over a
boundary still belongs; it is worked out again whenever the neighbourhoods change.
"""

from __future__ import annotations

import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.area import OutlinedArea
from assetmap.domain.outlines import grown_union
from assetmap.storage.models import Neighbourhood, ServiceArea

# How far past the neighbourhoods' outer edge a strength may lie, in metres.
AREA_MARGIN_M = 2000.0
# Edges of the stored area are simplified to this many degrees (about 10 m): the margin is
# generous, and a simpler shape is quicker to test every point against.
_SIMPLIFY_DEG = 0.0001


def refresh_area(session: orm.Session, margin_m: float = AREA_MARGIN_M) -> None:
    """Work the area out again from the neighbourhoods held; none held, none stored."""
    session.execute(sa.delete(ServiceArea))
    boundaries = session.scalars(sa.select(Neighbourhood.boundary)).all()
    if not boundaries:
        return
    grown = grown_union(shapely.from_wkb(list(boundaries)), margin_m)
    shape = shapely.simplify(grown, _SIMPLIFY_DEG, preserve_topology=True)
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    session.add(
        ServiceArea(
            id=1,
            boundary=shapely.to_wkb(shape),
            margin_m=margin_m,
            min_lon=min_lon,
            min_lat=min_lat,
            max_lon=max_lon,
            max_lat=max_lat,
        )
    )
    session.flush()


def stored_area(session: orm.Session) -> OutlinedArea | None:
    """Return the area derived from the neighbourhoods, or None where none are held."""
    boundary = session.scalar(sa.select(ServiceArea.boundary).where(ServiceArea.id == 1))
    return OutlinedArea(shapely.from_wkb(boundary)) if boundary is not None else None
