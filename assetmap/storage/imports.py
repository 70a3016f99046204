"""What an import compares against: assets by their source id, and assets near by title.

An import sees every asset at its public point: nothing it reports can be worked out from
where a skill really is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.models import Asset


def assets_by_source(
    session: orm.Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Asset]:
    """Return the stored assets with these ``(source, source_id)`` pairs, whatever their status."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        by_source[source].append(source_id)
    found: dict[tuple[str, str], Asset] = {}
    for source, ids in by_source.items():
        # "source_id <> ''" lets the partial unique index on (source, source_id) answer.
        query = sa.select(Asset).where(
            Asset.source == source, Asset.source_id != "", Asset.source_id.in_(ids)
        )
        found.update({(a.source, a.source_id): a for a in session.scalars(query)})
    return found


def last_asset_id(session: orm.Session) -> int:
    """Return the highest asset id stored, or 0 when there are none."""
    return session.scalar(sa.select(sa.func.max(Asset.id))) or 0


def assets_in_area(
    session: orm.Session, bbox: BBox, up_to_id: int | None = None
) -> list[tuple[int, str, float, float, Kind]]:
    """Return ``(id, title, lon, lat, kind)`` of assets not withdrawn, at their public point.

    Only assets whose public point is in ``bbox``; ``up_to_id`` leaves out assets added after it.
    """
    query = sa.select(
        Asset.id, Asset.title, Asset.public_lon, Asset.public_lat, Asset.kind
    ).where(Asset.status != Status.WITHDRAWN, backend_for(session).in_bbox(bbox))
    if up_to_id is not None:
        query = query.where(Asset.id <= up_to_id)
    return [(row[0], row[1], row[2], row[3], row[4]) for row in session.execute(query)]
