"""Reading a strength's provenance: where it came from and who last assured it, and the changes
to its public fields, each with who made it by their part (``domain.provenance``), never by
name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.provenance import (
    PUBLIC_HISTORY_FIELDS,
    FieldChange,
    Provenance,
    assurer_for,
    assurer_of,
)
from assetmap.domain.vocab import Action
from assetmap.storage.models import Asset, Revision, User


def field_changes(
    session: orm.Session, asset_ids: Collection[int], *, limit: int = 20
) -> dict[int, list[FieldChange]]:
    """Return the most recent changes to the public fields of each asset since it was added,
    newest first, at most ``limit`` revisions' worth each (its creation, which states every
    field, is not a change). A change by nobody known (an import, a script) is by
    "import" where the asset came from a source, else ""."""
    if not asset_ids:
        return {}
    ranked = (
        sa.select(
            Revision.id,
            sa.func.row_number()
            .over(partition_by=Revision.asset_id, order_by=Revision.id.desc())
            .label("n"),
        )
        .where(Revision.asset_id.in_(sorted(asset_ids)), Revision.action != Action.CREATE)
        .subquery()
    )
    query = (
        sa.select(
            Revision.asset_id,
            Revision.at,
            Revision.action,
            Revision.changes,
            Revision.user_id,
            User.role,
            Asset.owner_id,
            Asset.source,
        )
        .join(ranked, ranked.c.id == Revision.id)
        .join(Asset, Asset.id == Revision.asset_id)
        .outerjoin(User, User.id == Revision.user_id)
        .where(ranked.c.n <= limit)
        .order_by(Revision.asset_id, Revision.id.desc())
    )
    found: dict[int, list[FieldChange]] = defaultdict(list)
    for asset_id, at, action, changes, user_id, role, owner_id, source in session.execute(query):
        assurer = assurer_for(user_id, owner_id, role)
        by = assurer.value if assurer is not None else ("import" if source and not user_id else "")
        for field, values in sorted((changes or {}).items()):
            if field not in PUBLIC_HISTORY_FIELDS or not isinstance(values, list):
                continue
            previous, replacement = (values + [None, None])[:2]
            found[asset_id].append(
                FieldChange(asset_id, at, action.value, field, previous, replacement, by)
            )
    return dict(found)


def provenance_of(session: orm.Session, asset_id: int) -> Provenance | None:
    """Return where the asset came from and who last assured it, None if there is no such
    asset. It reads nothing of its owner but whether it has one."""
    query = sa.select(
        Asset.kind,
        Asset.source,
        Asset.created_at,
        Asset.owner_id.is_not(None),
        Asset.checked_at,
        Asset.unlisted_at,
        Asset.last_confirmed,
        Asset.assured_by,
    ).where(Asset.id == asset_id)
    row = session.execute(query).first()
    if row is None:
        return None
    kind, source, created_at, owned, checked_at, unlisted_at, assured_on, assured_by = row
    return Provenance(
        kind=kind,
        source=source or "",
        created_at=created_at,
        added_by_owner=bool(owned),
        checked_at=checked_at,
        unlisted_at=unlisted_at,
        assured_on=assured_on,
        assured_by=assurer_of(assured_by or ""),
    )
