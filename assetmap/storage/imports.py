"""What an import compares against: assets by their source id, and assets near by title;
and what an import of a source's full listing notes of them (checked, unlisted, relisted,
linked, assured).

An import sees every asset at its public point: nothing it reports can be worked out from
where a skill really is. It plans against one snapshot of the register and then writes in a
transaction of its own (``begin_import``), checking first what changed since that snapshot
(``changed_since``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Action, Kind, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Revision, utcnow

# Ids written in one statement at most, well under every backend's limit on parameters.
_CHUNK = 500
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


@dataclass(frozen=True)
class Listed:
    """One stored strength of a source, as a full listing of that source compares it: whether
    it is unlisted already, and whether someone edited it here (it has an owner, or a revision
    by a person)."""

    asset_id: int
    source_id: str
    title: str
    status: Status
    unlisted: bool
    edited: bool
    neighbourhood_id: int | None


def listed_by(session: orm.Session, source: str) -> list[Listed]:
    """Return the strengths from ``source`` that are not withdrawn, each saying whether
    someone edited it here."""
    by_person = (
        sa.select(Revision.id)
        .where(Revision.asset_id == Asset.id, Revision.user_id.is_not(None))
        .exists()
    )
    query = sa.select(
        Asset.id,
        Asset.source_id,
        Asset.title,
        Asset.status,
        Asset.unlisted_at.is_not(None),
        sa.or_(Asset.owner_id.is_not(None), by_person),
        Asset.neighbourhood_id,
    ).where(Asset.source == source, Asset.source_id != "", Asset.status != Status.WITHDRAWN)
    return [Listed(*row) for row in session.execute(query.order_by(Asset.id))]


def withdrawn_unlisted(session: orm.Session, asset_ids: Iterable[int]) -> set[int]:
    """Return which of these withdrawn strengths were withdrawn by no person after their source
    stopped listing them: those a listing that names them again brings back."""
    ids = sorted(set(asset_ids))
    if not ids:
        return set()
    earlier = orm.aliased(Revision)
    last = (
        sa.select(sa.func.max(earlier.id))
        .where(earlier.asset_id == Asset.id, earlier.action == Action.WITHDRAW)
        .correlate(Asset)
        .scalar_subquery()
    )
    query = (
        sa.select(Asset.id)
        .join(Revision, Revision.id == last)
        .where(
            Asset.id.in_(ids),
            Asset.status == Status.WITHDRAWN,
            Asset.unlisted_at.is_not(None),
            Revision.user_id.is_(None),
        )
    )
    return set(session.scalars(query))


def link_targets(session: orm.Session, asset_ids: Iterable[int]) -> dict[int, Asset]:
    """Return the stored strengths with these ids that a record of a source may be linked to:
    a group or a space with no source and no owner, not withdrawn."""
    ids = sorted(set(asset_ids))
    if not ids:
        return {}
    query = sa.select(Asset).where(
        Asset.id.in_(ids),
        Asset.source == "",
        Asset.owner_id.is_(None),
        Asset.kind != Kind.SKILL,
        Asset.status != Status.WITHDRAWN,
    )
    return {asset.id: asset for asset in session.scalars(query)}


def link(session: orm.Session, asset_id: int, source: str, source_id: str) -> None:
    """Note that a stored strength is the record ``source_id`` of ``source``."""
    session.execute(
        sa.update(Asset)
        .where(Asset.id == asset_id)
        .values(source=source, source_id=source_id)
        .execution_options(synchronize_session=False)
    )


def mark_checked(
    session: orm.Session, source: str, source_ids: Iterable[str], at: dt.datetime
) -> None:
    """Note that ``source`` lists these strengths as of ``at``: checked then, and listed."""
    ids = sorted(set(source_ids))
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            sa.update(Asset)
            .where(Asset.source == source, Asset.source_id.in_(ids[start : start + _CHUNK]))
            .values(checked_at=at, unlisted_at=None)
            .execution_options(synchronize_session=False)
        )


def mark_unlisted(session: orm.Session, asset_ids: Iterable[int], at: dt.datetime) -> None:
    """Note that the source of these strengths stopped listing them at ``at`` (where it had
    not already)."""
    ids = sorted(set(asset_ids))
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            sa.update(Asset)
            .where(Asset.id.in_(ids[start : start + _CHUNK]), Asset.unlisted_at.is_(None))
            .values(unlisted_at=at)
            .execution_options(synchronize_session=False)
        )


def relist(session: orm.Session, asset_id: int, reason: str) -> None:
    """Publish again a strength its source withdrew when it stopped listing it, and record
    why (``reason``), by no person."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.status is not Status.WITHDRAWN:
        return
    now = utcnow()
    session.add(
        Revision(
            asset=asset,
            user_id=None,
            action=Action.RESTORE,
            changes={"status": [Status.WITHDRAWN.value, Status.PUBLISHED.value]},
            reason=reason,
            at=now,
        )
    )
    asset.status, asset.unlisted_at, asset.updated_at = Status.PUBLISHED, None, now
    session.flush()


def assure(session: orm.Session, assured: Iterable[tuple[int, dt.date]], by: str) -> None:
    """Move each strength's ``last_confirmed`` on to its date where that is later, as assured
    ``by`` (a ``domain.provenance.Assurer`` value), recording it as a confirmation."""
    for asset_id, day in assured:
        asset = session.get(Asset, asset_id)
        if asset is None or (asset.last_confirmed is not None and day <= asset.last_confirmed):
            continue
        previous = asset.last_confirmed.isoformat() if asset.last_confirmed else None
        session.add(
            Revision(
                asset=asset,
                user_id=None,
                action=Action.CONFIRM,
                changes={"last_confirmed": [previous, day.isoformat()]},
                at=utcnow(),
            )
        )
        asset.last_confirmed, asset.assured_by = day, by
    session.flush()


def assured_by_source(
    session: orm.Session, source: str, source_ids: Iterable[str], by: str
) -> None:
    """Note who assured the strengths just added from ``source`` with these ids."""
    ids = sorted(set(source_ids))
    for start in range(0, len(ids), _CHUNK):
        session.execute(
            sa.update(Asset)
            .where(Asset.source == source, Asset.source_id.in_(ids[start : start + _CHUNK]))
            .values(assured_by=by)
            .execution_options(synchronize_session=False)
        )
