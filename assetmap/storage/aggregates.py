"""Aggregates over the whole register for the explore map: kept in the database, or briefly here.

The map's fine cells are kept in the database (``map_cell``), written by triggers on ``asset``
and ``asset_theme`` in the same transaction as every change, whoever makes it: the ORM, a bulk
load, a feed. So a process just started reads them with one indexed query, as fast as one that
has run for days, and every web process sharing the database answers the same at once. It costs
each write a few index updates; a bulk load may instead rebuild the table in its transaction
(``rebuild_map_cells``).

Only the neighbourhoods with their counts, which the map page shows and which are cheap to
count but counted on every visit, are still held in the process (``AggregateCache``), for at
most ``TTL_S`` seconds, and only while nothing has changed that the process can see: two
processes show different neighbourhood counts for at most ``TTL_S`` seconds and one recount.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.vocab import Status
from assetmap.storage.backends import backend_for
from assetmap.storage.clusters import CACHE_CELL_LAT, CACHE_CELL_LON, STORED_LEVELS
from assetmap.storage.models import Asset, AssetTheme, MapCell, Neighbourhood
from assetmap.storage.neighbourhoods import neighbourhood_layer

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

# How long a process may answer with neighbourhood counts it holds: the most two web processes
# can differ by (beside one recount), and a bound on a change no version shows (a delete).
TTL_S = 5.0


def rebuild_map_cells(connection: orm.Session | sa.Connection) -> int:
    """Count ``map_cell`` afresh from the register, in the caller's transaction; return its rows.

    For a bulk load that would rather count once than have each row counted by the triggers,
    and for repairing the table. Only published strengths count, at their public points.
    """
    session = connection if isinstance(connection, orm.Session) else orm.Session(bind=connection)
    backend = backend_for(session)
    lon_cell = backend.grid_index(Asset.public_lon, -180.0, CACHE_CELL_LON)
    lat_cell = backend.grid_index(Asset.public_lat, -90.0, CACHE_CELL_LAT)
    published = Asset.status == Status.PUBLISHED
    point = (
        lon_cell.label("lon0"),
        lat_cell.label("lat0"),
        Asset.kind,
        Asset.public_lon,
        Asset.public_lat,
    )
    everything = sa.select(sa.literal("").label("theme"), *point).where(published)
    themed = (
        sa.select(AssetTheme.theme, *point)
        .join(AssetTheme, AssetTheme.asset_id == Asset.id)
        .where(published)
    )
    cells = sa.union_all(everything, themed).subquery()
    levels = sa.union_all(
        *(sa.select(sa.literal(level).label("level")) for level in range(STORED_LEVELS))
    ).subquery()
    counted = (
        sa.select(
            levels.c.level,
            cells.c.theme,
            cells.c.lon0.op(">>", return_type=sa.Integer)(levels.c.level),
            cells.c.lat0.op(">>", return_type=sa.Integer)(levels.c.level),
            cells.c.kind,
            sa.func.count(),
            sa.func.sum(cells.c.public_lon),
            sa.func.sum(cells.c.public_lat),
        )
        .select_from(cells.join(levels, sa.true()))
        .group_by(*(sa.text(str(i)) for i in range(1, 6)))
    )
    columns = ("level", "theme", "lon_cell", "lat_cell", "kind", "count", "sum_lon", "sum_lat")
    session.execute(sa.delete(MapCell))
    session.execute(sa.insert(MapCell).from_select(columns, counted))
    return int(session.scalar(sa.select(sa.func.count()).select_from(MapCell)) or 0)


@dataclass
class _Held:
    version: tuple[object, ...]
    built: float
    value: Any


@dataclass
class AggregateCache:
    """The neighbourhoods with their counts, held for at most ``ttl_s`` seconds.

    A change is seen from the newest ``updated_at``, the highest id and a digest of the
    neighbourhoods: a few index lookups on every use. Given ``sessions`` (a session factory),
    a stale layer is still answered with while a fresh one is counted in a background thread,
    so no visit but the first waits for a count. What it returns is shared: treat it as
    read-only. Safe to share between threads.
    """

    sessions: Callable[[], orm.Session] | None = None
    ttl_s: float = TTL_S
    _held: dict[str, _Held] = field(default_factory=dict, repr=False)
    _refreshing: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _building: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def neighbourhoods(self, session: orm.Session) -> gpd.GeoDataFrame:
        """Return ``neighbourhood_layer``: the neighbourhoods with their counts (EPSG:4326)."""
        key = session.get_bind().engine.url.render_as_string()
        version = _version(session)
        with self._lock:
            held = self._held.get(key)
        if held is not None and self._current(held, version):
            return held.value
        if held is not None and self.sessions is not None:
            self._refresh_later(key)
            return held.value
        # One count at a time: whoever waited finds it counted.
        with self._build_lock(key):
            with self._lock:
                held = self._held.get(key)
            if held is None or not self._current(held, version):
                held = _Held(version, time.monotonic(), neighbourhood_layer(session))
                with self._lock:
                    self._held[key] = held
        return held.value

    def _build_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def _current(self, held: _Held, version: tuple[object, ...]) -> bool:
        return held.version == version and time.monotonic() - held.built <= self.ttl_s

    def _refresh_later(self, key: str) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)
        threading.Thread(
            target=self._refresh, args=(key,), name="aggregate-cache", daemon=True
        ).start()

    def _refresh(self, key: str) -> None:
        assert self.sessions is not None
        try:
            with self._build_lock(key), self.sessions() as session:
                version = _version(session)
                held = _Held(version, time.monotonic(), neighbourhood_layer(session))
                with self._lock:
                    self._held[key] = held
        except Exception:
            log.exception("Recounting the neighbourhoods failed; the stale counts are kept.")
        finally:
            with self._lock:
                self._refreshing.discard(key)


def _version(session: orm.Session) -> tuple[object, ...]:
    newest = sa.select(sa.func.max(Asset.updated_at)).scalar_subquery()
    highest = sa.select(sa.func.max(Asset.id)).scalar_subquery()
    areas = sa.select(
        sa.func.count(),
        sa.func.max(Neighbourhood.id),
        sa.func.sum(
            Neighbourhood.min_lon
            + Neighbourhood.min_lat
            + Neighbourhood.max_lon
            + Neighbourhood.max_lat
        ),
    ).subquery()
    return tuple(session.execute(sa.select(newest, highest, *areas.c)).one())
