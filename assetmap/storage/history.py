"""A strength's history: its revisions, and putting an earlier version back."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import FIELD_NAMES
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.privacy import is_generalised
from assetmap.storage.assets import AssetNotFound, draft_of, update_asset
from assetmap.storage.models import Asset, Revision

# What a restore puts back: what the owner said, not when it was confirmed.
RESTORABLE = tuple(name for name in FIELD_NAMES if name not in ("kind", "last_confirmed"))


def revisions(session: orm.Session, asset_id: int) -> list[Revision]:
    """Return a strength's revisions, oldest first, with who made them."""
    query = (
        sa.select(Revision)
        .where(Revision.asset_id == asset_id)
        .options(orm.joinedload(Revision.user))
        .order_by(Revision.id)
    )
    return list(session.scalars(query))


def version_after(session: orm.Session, asset: Asset, revision_id: int) -> dict[str, Any]:
    """Return the strength's fields as they stood just after revision ``revision_id``.

    Works back from the current fields, undoing each later revision's changes.
    """
    history = revisions(session, asset.id)
    if not any(revision.id == revision_id for revision in history):
        raise ValidationError({"revision": f"strength {asset.id} has no revision {revision_id}"})
    values = draft_of(asset).as_dict()
    for revision in reversed(history):
        if revision.id <= revision_id:
            break
        for name, change in (revision.changes or {}).items():
            if name in values and isinstance(change, list) and len(change) == 2:
                values[name] = change[0]
    return {name: values[name] for name in RESTORABLE}


def restore_version(
    session: orm.Session,
    asset_id: int,
    revision_id: int,
    *,
    by: int | None,
    cell_m: float,
    area: BBox | None = None,
) -> Asset:
    """Put back the strength as it was after ``revision_id``, as a new revision.

    A skill stays where its owner put it: only what it says is put back.
    """
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    values = version_after(session, asset, revision_id)
    if is_generalised(asset.kind):
        # Only its owner places a skill; its history holds public points alone.
        values.pop("lon"), values.pop("lat")
    return update_asset(
        session,
        asset_id,
        values,
        by=by,
        cell_m=cell_m,
        area=area,
        reason=f"restored the version of revision {revision_id}",
    )
