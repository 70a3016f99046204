"""Importing neighbourhoods read from a boundary file: checked for overlaps and gaps, and
stored by code in one transaction."""

from __future__ import annotations

from sqlalchemy import orm

from assetmap.domain.boundaries import gaps, overlaps
from assetmap.exchange.boundaries import Boundaries
from assetmap.exchange.neighbourhoods import NeighbourhoodImport
from assetmap.storage.neighbourhoods import plan_neighbourhoods, store_neighbourhoods


def import_neighbourhoods(
    session: orm.Session, boundaries: Boundaries, *, dry_run: bool = False
) -> NeighbourhoodImport:
    """Store the neighbourhoods read from a file by code, in the session's transaction (the
    caller commits), or on a dry run only plan it; check them for overlaps and gaps."""
    areas = boundaries.areas
    shapes = [area.boundary for area in areas]
    if dry_run:
        plan, refiled = plan_neighbourhoods(session, areas), None
    else:
        plan, refiled = store_neighbourhoods(session, areas)
    return NeighbourhoodImport(
        boundaries=boundaries,
        plan=plan,
        overlaps=overlaps([area.code for area in areas], shapes),
        gaps=gaps(shapes),
        refiled=refiled,
    )
