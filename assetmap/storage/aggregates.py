"""Aggregates over the whole register, kept while it is unchanged, for the explore map."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, overload

import geopandas as gpd
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.query import AssetFilter
from assetmap.storage.clusters import (
    CACHE_CELL_LAT,
    CACHE_CELL_LON,
    EVERYTHING,
    FineCells,
    fine_cells,
)
from assetmap.storage.models import Asset, Neighbourhood
from assetmap.storage.neighbourhoods import neighbourhood_layer

log = logging.getLogger(__name__)

_Key = tuple[str, Hashable]  # the database's URL, and which aggregate


@dataclass
class _Held:
    version: tuple[object, ...]
    built: float
    value: Any


@dataclass
class AggregateCache:
    """Aggregates over the whole register, kept while it is unchanged: fine cells per filter,
    and the neighbourhoods with their counts.

    A change is seen from the newest ``updated_at``, the highest id and a digest of the
    neighbourhoods: a few index lookups on every use. Entries also go stale after ``ttl_s``
    seconds, which bounds how long a change that moves none of these (a row deleted outright)
    can go unseen.

    Given ``sessions`` (a session factory), a stale aggregate is still answered with while a
    fresh one is built in a background thread, so once the first build is done no request
    waits for one: an answer lags a change by one build. Without it, a stale aggregate is
    rebuilt in the request. What it returns is shared: treat it as read-only. Safe to share
    between threads.
    """

    sessions: Callable[[], orm.Session] | None = None
    entries: int = 16
    ttl_s: float = 600.0
    _held: OrderedDict[_Key, _Held] = field(default_factory=OrderedDict, repr=False)
    _refreshing: set[_Key] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _building: dict[_Key, threading.Lock] = field(default_factory=dict, repr=False)

    @overload
    def cells(self, session: orm.Session, filters: AssetFilter) -> FineCells: ...

    @overload
    def cells(
        self, session: orm.Session, filters: AssetFilter, *, wait: bool
    ) -> FineCells | None: ...

    def cells(
        self, session: orm.Session, filters: AssetFilter, *, wait: bool = True
    ) -> FineCells | None:
        """Return the fine cells of every asset of ``filters`` (whatever its kinds), anywhere.

        Themes and words are kept apart; up to ``entries`` aggregates are held, besides the
        unfiltered cells and the neighbourhoods, which are never dropped. With ``wait`` false
        and nothing held yet, start building them in the background and return None, so the
        caller can answer this once without them.
        """
        name, build = self._cells(filters)
        if not wait and self._get(self._key(session, name)) is None:
            self.warm(session, filters)
            return None
        return self._answer(session, name, build)  # type: ignore[no-any-return]

    def neighbourhoods(self, session: orm.Session) -> gpd.GeoDataFrame:
        """Return ``neighbourhood_layer``: the neighbourhoods with their counts (EPSG:4326)."""
        return self._answer(session, ("neighbourhoods",), neighbourhood_layer)

    def warm(self, session: orm.Session, filters: AssetFilter) -> None:
        """Start building the cells of ``filters`` in the background if none are held.

        For a page whose script will soon ask for clusters: the build overlaps the page load.
        """
        name, build = self._cells(filters)
        key = self._key(session, name)
        if self.sessions is not None and not filters.words and self._get(key) is None:
            self._refresh_later(key, build)

    @staticmethod
    def _cells(filters: AssetFilter) -> tuple[Hashable, Callable[[orm.Session], FineCells]]:
        everything = AssetFilter(themes=filters.themes, words=filters.words)
        return ("cells", everything), lambda session: fine_cells(
            session, everything, None, CACHE_CELL_LON, CACHE_CELL_LAT
        )

    @staticmethod
    def _key(session: orm.Session, name: Hashable) -> _Key:
        return (session.get_bind().engine.url.render_as_string(), name)

    def _answer(
        self, session: orm.Session, name: Hashable, build: Callable[[orm.Session], Any]
    ) -> Any:
        key = self._key(session, name)
        version = _version(session)
        held = self._get(key)
        if held is not None and self._current(held, version):
            return held.value
        if held is not None and self.sessions is not None:
            self._refresh_later(key, build)
            return held.value
        # One build of each aggregate at a time: whoever waited finds it built.
        with self._build_lock(key):
            held = self._get(key)
            if held is None or not self._current(held, version):
                held = _Held(version, time.monotonic(), build(session))
                self._keep(key, held)
        return held.value

    def _build_lock(self, key: _Key) -> threading.Lock:
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def _current(self, held: _Held, version: tuple[object, ...]) -> bool:
        return held.version == version and time.monotonic() - held.built <= self.ttl_s

    def _get(self, key: _Key) -> _Held | None:
        with self._lock:
            held = self._held.get(key)
            if held is not None:
                self._held.move_to_end(key)
            return held

    def _keep(self, key: _Key, held: _Held) -> None:
        with self._lock:
            self._held[key] = held
            self._held.move_to_end(key)
            # The least recently used goes first, but never the unfiltered aggregates, which
            # cost the most to build and which most visits use.
            evictable = [old for old in self._held if old[1] not in _PINNED]
            for old in evictable[: max(0, len(evictable) - self.entries)]:
                del self._held[old]
                self._building.pop(old, None)

    def _refresh_later(self, key: _Key, build: Callable[[orm.Session], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)
        threading.Thread(
            target=self._refresh, args=(key, build), name="aggregate-cache", daemon=True
        ).start()

    def _refresh(self, key: _Key, build: Callable[[orm.Session], Any]) -> None:
        assert self.sessions is not None
        try:
            # Under the build lock, so a request that finds nothing held waits for this build.
            with self._build_lock(key), self.sessions() as session:
                version = _version(session)
                self._keep(key, _Held(version, time.monotonic(), build(session)))
        except Exception:
            log.exception("Rebuilding an aggregate failed; the stale one is kept.")
        finally:
            with self._lock:
                self._refreshing.discard(key)


_PINNED = (("cells", EVERYTHING), ("neighbourhoods",))


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
