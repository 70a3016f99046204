"""The one way to a skill's exact point: written when its owner places it, read for them alone.

Everything else in assetmap (pages, maps, searches, imports, checks, exports, history) works on
an asset's public point, and has no way to the exact one: this module is the only code that
reads the ``private_point`` table, and it reads it only for someone the privacy rule lets see it.
Writes never read: moving a skill replaces its row without looking at the old one, so that an
import or an admin's change cannot learn anything from it either.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.permissions import Actor, can_see_exact_location
from assetmap.domain.privacy import is_generalised
from assetmap.storage.models import Asset
from assetmap.storage.models.private import PrivatePoint


def owner_point(
    session: orm.Session, asset: Asset, viewer: Actor | None
) -> tuple[float, float] | None:
    """Return ``(lon, lat)`` where the asset really is, if ``viewer`` may see it; else None.

    A group's or a space's exact point is its public one. A skill's is read for its owner only.
    """
    if not can_see_exact_location(viewer, asset):
        return None
    if not is_generalised(asset.kind):
        return asset.public_lon, asset.public_lat
    row = session.execute(
        sa.select(PrivatePoint.lon, PrivatePoint.lat).where(PrivatePoint.asset_id == asset.id)
    ).first()
    return (row[0], row[1]) if row else (asset.public_lon, asset.public_lat)


def keep_point(session: orm.Session, asset: Asset, lon: float, lat: float) -> None:
    """Keep ``(lon, lat)`` as where a skill (already flushed) really is, replacing any before."""
    if not is_generalised(asset.kind):
        return
    session.execute(sa.delete(PrivatePoint).where(PrivatePoint.asset_id == asset.id))
    session.execute(sa.insert(PrivatePoint).values(asset_id=asset.id, lon=lon, lat=lat))


def forget_points(session: orm.Session, asset_ids: Iterable[int]) -> None:
    """Forget where these skills really are: from now on they exist at their public point only."""
    ids = list(asset_ids)
    if ids:
        session.execute(sa.delete(PrivatePoint).where(PrivatePoint.asset_id.in_(ids)))
