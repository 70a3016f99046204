"""The rows a bulk insert of new assets writes, built straight from their drafts.

``assets.add_assets`` hands over a batch at a time: the asset rows (with each public point and
neighbourhood), a skill's exact point apart, their themes and their creation revisions, in the
shapes the backend's ``bulk_insert`` takes, without an ORM object per asset.

A large import loads through ``bulk_load``: all its batches in one transaction, the indexes
filled once from the new rows and the derived tables rebuilt once, rather than row by row.
"""

from __future__ import annotations

import datetime as dt
import importlib
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import FIELD_NAMES, AssetDraft, creation
from assetmap.domain.fields import BY_NAME, STORED_FIELDS
from assetmap.domain.privacy import generalise_points, is_generalised
from assetmap.domain.vocab import Action, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.models import Asset, utcnow
from assetmap.storage.neighbourhoods import locate

# What a draft gives that is stored as it is, as JSON text (lists), or as its value (the kind).
_DRAFT_VALUES_STORED = operator.attrgetter(*STORED_FIELDS)
_LISTS = tuple(i for i, name in enumerate(STORED_FIELDS) if BY_NAME[name].type == "list")
_KIND = STORED_FIELDS.index("kind")
# Columns of a bulk-inserted asset row, in the order ``_asset_row`` builds them, then the
# neighbourhood and origin ``insert_batch`` adds.
BULK_ASSET_COLUMNS = (
    "id",
    *STORED_FIELDS,
    "public_lon",
    "public_lat",
    "owner_id",
    "status",
    "hidden_reason",
    "created_at",
    "updated_at",
    "last_confirmed",
    "neighbourhood_id",
    "source",
    "source_id",
)

# Tables derived from the assets by insert triggers, which a large load rebuilds once, set-based,
# rather than have the triggers count it row by row: the module and function that rebuild one
# in the caller's transaction, and its insert triggers. A table whose function is not there is
# left to its triggers.
DERIVED = (
    (
        "assetmap.storage.aggregates",
        "rebuild_map_cells",
        ("map_cell_asset_insert", "map_cell_theme_insert"),
    ),
)
# The fewest rows a load rebuilds the derived tables for, and the least share of the register
# they must be: a rebuild reads every asset, so a small load into a large register keeps the
# triggers.
LARGE_LOAD_ROWS = 10_000
LARGE_LOAD_SHARE = 0.25


@dataclass
class BulkLoad:
    """New assets added a batch at a time to one transaction, indexed once at the end.

    Until the load ends its rows are not yet in SQLite's R*Tree and FTS5, so nothing in it may
    change their title, description, tags or point (whose triggers update those indexes).
    """

    session: orm.Session
    owner_id: int | None
    cell_m: float
    # The first and last ids loaded. SQLite's one writer takes every id between for this load;
    # PostGIS indexes each row as it is written and needs no span.
    span: list[int] = field(default_factory=list)

    def add(self, drafts: Sequence[AssetDraft], origins: Sequence[tuple[str, str]]) -> None:
        """Insert a batch of new published assets with their themes and revisions, unindexed."""
        if drafts:
            ids = insert_batch(
                self.session, drafts, self.owner_id, self.cell_m, origins, index=False
            )
            self.span = [self.span[0] if self.span else ids[0], ids[-1]]


@contextmanager
def bulk_load(
    session: orm.Session, rows: int, *, owner_id: int | None, cell_m: float
) -> Iterator[BulkLoad]:
    """Load about ``rows`` new assets in this write transaction, as set-based as the store allows.

    Rows go in in id order; once all are in, the spatial and text indexes are filled from them
    in one statement each (SQLite's R*Tree and FTS5; PostGIS's generated columns and indexes
    follow each batch), and, for a large load, each derived table is rebuilt once instead of
    by its triggers row by row. All of it is in the caller's transaction: a rollback leaves
    nothing of it.
    """
    backend = backend_for(session)
    rebuilds = _rebuilds(session, rows)
    triggers = [name for _rebuild, names in rebuilds for name in names]
    with backend.bulk_load(session, triggers) as set_aside:
        load = BulkLoad(session, owner_id, cell_m)
        yield load
        if load.span:
            backend.index_assets(session, *load.span)
    for rebuild, names in rebuilds:
        if set(names) & set(set_aside):
            rebuild(session)


Rebuild = tuple[Callable[[orm.Session], object], tuple[str, ...]]


def _rebuilds(session: orm.Session, rows: int) -> list[Rebuild]:
    """Return the derived tables' rebuilds worth running after a load of ``rows``, with the
    triggers each replaces."""
    registered = session.scalar(sa.select(sa.func.max(Asset.id))) or 0
    if rows < max(LARGE_LOAD_ROWS, registered * LARGE_LOAD_SHARE):
        return []
    found: list[Rebuild] = []
    for module, name, triggers in DERIVED:
        try:
            rebuild = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        found.append((rebuild, triggers))
    return found


def insert_batch(
    session: orm.Session,
    drafts: Sequence[AssetDraft],
    owner_id: int | None,
    cell_m: float,
    origins: Sequence[tuple[str, str]],
    *,
    index: bool = True,
) -> list[int]:
    """Insert one batch of new published assets, their themes and their creation revisions;
    return their ids, in order.

    Without ``index``, the spatial and text indexes are left for the caller to bring up to
    date (``BulkLoad`` does it once, for every batch of a load).
    """
    backend = backend_for(session)
    now = utcnow()
    stamp = backend.stored_time(now)
    ids = backend.next_ids(session, len(drafts))
    public = _public_points(drafts, cell_m)
    areas = locate(session, [p[0] for p in public], [p[1] for p in public])
    confirmed = [draft.last_confirmed or now.date() for draft in drafts]
    stored = {day: backend.stored_time(day) for day in set(confirmed)}
    rows = [
        (*_asset_row(asset_id, draft, point, owner_id, stamp, stored[day]), area, *origin)
        for asset_id, draft, point, day, area, origin in zip(
            ids, drafts, public, confirmed, areas, origins, strict=True
        )
    ]
    backend.bulk_insert(session, "asset", BULK_ASSET_COLUMNS, rows)
    if index:
        backend.index_assets(session, ids[0], ids[-1])
    private = [
        (asset_id, draft.lon, draft.lat)
        for asset_id, draft in zip(ids, drafts, strict=True)
        if is_generalised(draft.kind)
    ]
    if private:
        backend.bulk_insert(session, "private_point", ("asset_id", "lon", "lat"), private)
    themes = [
        (asset_id, theme.value)
        for asset_id, draft in zip(ids, drafts, strict=True)
        for theme in dict.fromkeys(draft.themes)
    ]
    backend.bulk_insert(session, "asset_theme", ("asset_id", "theme"), themes)
    revisions = [
        (asset_id, owner_id, Action.CREATE.value, stamp, _created(draft, point, day), "")
        for asset_id, draft, point, day in zip(ids, drafts, public, confirmed, strict=True)
    ]
    backend.bulk_insert(
        session, "revision", ("asset_id", "user_id", "action", "at", "changes", "reason"), revisions
    )
    return ids


def _public_points(drafts: Sequence[AssetDraft], cell_m: float) -> list[tuple[float, float]]:
    points = [(draft.lon, draft.lat) for draft in drafts]
    index = [i for i, draft in enumerate(drafts) if is_generalised(draft.kind)]
    if index:
        lons, lats = generalise_points(
            np.array([points[i][0] for i in index]), np.array([points[i][1] for i in index]), cell_m
        )
        for i, lon, lat in zip(index, lons.tolist(), lats.tolist(), strict=True):
            points[i] = (lon, lat)
    return points


def _asset_row(
    asset_id: int,
    draft: AssetDraft,
    point: tuple[float, float],
    owner_id: int | None,
    stamp: Any,
    confirmed: Any,
) -> tuple[Any, ...]:
    values = list(_DRAFT_VALUES_STORED(draft))
    values[_KIND] = draft.kind.value
    for i in _LISTS:
        values[i] = _json_list(values[i])
    status = Status.PUBLISHED.value
    return (asset_id, *values, *point, owner_id, status, "", stamp, stamp, confirmed)


def _json_list(values: tuple[Any, ...]) -> str:
    return orjson.dumps(values).decode() if values else "[]"


_DRAFT_VALUES = operator.attrgetter(*FIELD_NAMES)


def _created(draft: AssetDraft, point: tuple[float, float], confirmed: dt.date) -> str:
    """Return a creation revision's changes as JSON: what ``assets.add_asset`` records.

    The revision holds the public point, never a skill's exact one.
    """
    values = dict(zip(FIELD_NAMES, _DRAFT_VALUES(draft), strict=True))
    values["lon"], values["lat"] = point
    values["last_confirmed"] = confirmed
    return orjson.dumps(creation(values)).decode()
