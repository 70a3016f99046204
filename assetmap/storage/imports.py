"""What an import compares against: assets by their source id, and assets near by title.

An import sees every asset at its public point: nothing it reports can be worked out from
where a skill really is. It plans against one snapshot of the register and then writes in a
transaction of its own (``begin_import``), checking first what changed since that snapshot
(``changed_since``).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Revision

# What ``changed_since`` returns of each asset: its id, title, public point, kind, source,
# source id and status.
Changed = tuple[int, str, float, float, Kind, str, str, Status]


def assets_by_source(
    session: orm.Session, keys: Iterable[tuple[str, str]], register: str = ""
) -> dict[tuple[str, str], Asset]:
    """Return the stored assets with these ``(source, source_id)`` pairs, whatever their status.

    A pair whose source is ``register`` (this register's own name) is the asset with that id
    here; its source id must be digits.
    """
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in keys:
        by_source[source].append(source_id)
    found: dict[tuple[str, str], Asset] = {}
    for source, ids in by_source.items():
        if register and source == register:
            query = sa.select(Asset).where(Asset.id.in_(sorted({int(i) for i in ids})))
            found.update({(source, str(a.id)): a for a in session.scalars(query)})
            continue
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
    query = sa.select(Asset.id, Asset.title, Asset.public_lon, Asset.public_lat, Asset.kind).where(
        Asset.status != Status.WITHDRAWN, backend_for(session).in_bbox(bbox)
    )
    if up_to_id is not None:
        query = query.where(Asset.id <= up_to_id)
    return [(row[0], row[1], row[2], row[3], row[4]) for row in session.execute(query)]


def last_revision_id(session: orm.Session) -> int:
    """Return the highest revision id stored, or 0: a mark of the register as it is now."""
    return session.scalar(sa.select(sa.func.max(Revision.id))) or 0


def changed_since(session: orm.Session, revision_id: int) -> list[Changed]:
    """Return the assets created or changed by revisions after ``revision_id``, at their
    public point."""
    touched = sa.select(Revision.asset_id).where(Revision.id > revision_id)
    query = sa.select(
        Asset.id,
        Asset.title,
        Asset.public_lon,
        Asset.public_lat,
        Asset.kind,
        Asset.source,
        Asset.source_id,
        Asset.status,
    ).where(Asset.id.in_(touched))
    return [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in session.execute(query)]


class Busy(Exception):
    """Other writers kept the write lock for longer than an import waits for it."""


def begin_import(session: orm.Session) -> None:
    """Start an import's write transaction, waiting for other writers (on PostgreSQL, for
    other imports) to finish first; raise Busy if they take longer than the busy timeout."""
    try:
        begin_write(session)
    except (sqlite3.OperationalError, sa.exc.OperationalError) as exc:
        if "locked" not in str(exc):
            raise
        raise Busy(str(exc)) from exc
    backend_for(session).wait_for_other_imports(session)
