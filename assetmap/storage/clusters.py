"""Aggregates for the explore views: a map view's points or clusters, a list page, a history.

A map view of a box at a zoom shows each matching published asset when the box holds few
enough (``MAX_POINTS``); otherwise it shows clusters: the assets of each square of the Web
Mercator pixel grid at that zoom (``CELL_PX`` pixels a side), with how many there are of each
kind and their mean public position. A cluster holds every asset of its square, including those
just outside the box, so a cluster does not change as the map is panned.

The database does the counting. It sums assets into fine cells, ``FINE`` to a square's side,
and returns one row per fine cell and kind; those few rows are then summed into squares by where
their mean lies. At low zoom, an ``AggregateCache`` keeps the fine cells of every asset for as
long as the register is unchanged, so panning and zooming a whole city reads no asset rows. It
keeps the neighbourhoods' counts too, which the map page would otherwise count on every visit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, overload

import geopandas as gpd
import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Action, Kind
from assetmap.storage.backends import SUMMARY_COLUMNS, Backend, backend_for, published, summary
from assetmap.storage.models import Asset, Neighbourhood, Revision
from assetmap.storage.neighbourhoods import neighbourhood_layer

ZOOM_MAX = 22
TILE_PX = 256
CELL_PX = 64
FINE = 4
# A point feature is about 200 bytes and a cluster about 170, so neither kind of answer
# passes 200 KB.
MAX_POINTS = 500
MAX_CELLS = 1000
POINTS_FROM_ZOOM = 12
CACHED_UP_TO_ZOOM = 14
# Uncached, a view at this zoom or lower counts the whole register rather than its box.
WHOLE_REGISTER_UP_TO_ZOOM = 11
MERCATOR_MAX_LAT = 85.0511287798066
KINDS = tuple(Kind)
_KIND_INDEX = {kind: i for i, kind in enumerate(KINDS)}
# The kind as its index in KINDS, counted in the database.
_KIND_CODE = sa.case(*((Asset.kind == kind, i) for i, kind in enumerate(KINDS)), else_=-1)
# The cache's fine cells: a quarter of a square's side at CACHED_UP_TO_ZOOM, and half as tall
# as wide in degrees, which is fine enough for squares at any latitude below 60 degrees.
_CACHE_CELL_LON = 360.0 / (2**CACHED_UP_TO_ZOOM * TILE_PX / CELL_PX) / FINE
_CACHE_CELL_LAT = _CACHE_CELL_LON / 2
EVERYTHING = AssetFilter()
log = logging.getLogger(__name__)


def check_zoom(zoom: object) -> int:
    """Return the zoom as an int, or raise ValueError if it is not a whole number 0..ZOOM_MAX."""
    text = str(zoom).strip()
    if isinstance(zoom, bool) or not re.fullmatch(r"[0-9]{1,2}", text) or int(text) > ZOOM_MAX:
        raise ValueError(f"zoom must be a whole number from 0 to {ZOOM_MAX}, got {zoom!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Published assets of one grid square: how many, how many of each kind, where on average."""

    lon: float
    lat: float
    count: int
    kinds: dict[Kind, int]


@dataclass(frozen=True, slots=True)
class MapView:
    """What a map view shows: each asset, or (``clustered``) clusters of them."""

    clustered: bool
    points: tuple[AssetSummary, ...] = ()
    clusters: tuple[Cluster, ...] = ()


def map_view(
    session: orm.Session,
    bbox: BBox,
    zoom: int,
    filters: AssetFilter = EVERYTHING,
    *,
    cache: AggregateCache | None = None,
) -> MapView:
    """Return what a map of ``bbox`` (EPSG:4326) at ``zoom`` shows: assets if few, else clusters."""
    zoom = check_zoom(zoom)
    if zoom >= POINTS_FROM_ZOOM:
        found = points_in_bbox(session, bbox, filters, MAX_POINTS + 1)
        if len(found) <= MAX_POINTS:
            return MapView(clustered=False, points=tuple(found))
    return MapView(clustered=True, clusters=grid_clusters(session, bbox, zoom, filters, cache))


def points_in_bbox(
    session: orm.Session, bbox: BBox, filters: AssetFilter, limit: int
) -> list[AssetSummary]:
    """Return up to ``limit`` matching published assets in the box, by id."""
    backend = backend_for(session)
    query = (
        backend.select_in_bbox(bbox, *SUMMARY_COLUMNS)
        .where(*_matching(backend, filters))
        .limit(limit)
    )
    return sorted((summary(row) for row in session.execute(query)), key=lambda a: a.id)


def grid_clusters(
    session: orm.Session,
    bbox: BBox,
    zoom: int,
    filters: AssetFilter = EVERYTHING,
    cache: AggregateCache | None = None,
) -> tuple[Cluster, ...]:
    """Return the clusters of the grid squares at ``zoom`` that cover ``bbox``, west to east.

    Where the box would hold more than ``MAX_CELLS`` squares, squares of a lower zoom are used.
    """
    grid = Grid.covering(bbox, check_zoom(zoom))
    bounds = grid.bounds()
    # Words pick out few assets, and searches are too many to keep: those are counted afresh.
    held = None
    if cache is not None and grid.zoom <= CACHED_UP_TO_ZOOM and not filters.words:
        held = cache.cells(session, filters, wait=cache.sessions is None)
    if held is not None:
        cells = held.between(bounds.min_lon, bounds.max_lon)
    else:
        # A wide view counts the whole register at its own coarse cells, which a scan does
        # faster than a walk of the spatial index over most of it.
        size_lon, size_lat = grid.fine_size()
        area = bounds if grid.zoom > WHOLE_REGISTER_UP_TO_ZOOM else None
        cells = fine_cells(session, filters, area, size_lon, size_lat)
    return grid.roll_up(cells, filters.kinds)


@dataclass(frozen=True)
class FineCells:
    """Assets summed by fine cell and kind: parallel arrays, one entry per cell and kind.

    Entries are in order of ``column``, the cell's column (``size_lon`` degrees wide, counted
    from 180 west), so those of a band of longitude are found by bisection.
    """

    size_lon: float
    column: np.ndarray
    kind: np.ndarray
    count: np.ndarray
    sum_lon: np.ndarray
    sum_lat: np.ndarray

    def between(self, west: float, east: float) -> FineCells:
        """Return the entries of the columns that hold longitudes ``west`` to ``east``."""
        first, last = ((lon + 180.0) // self.size_lon for lon in (west, east))
        start = int(np.searchsorted(self.column, first, side="left"))
        stop = int(np.searchsorted(self.column, last, side="right"))
        part = slice(start, stop)
        return FineCells(
            self.size_lon,
            self.column[part],
            self.kind[part],
            self.count[part],
            self.sum_lon[part],
            self.sum_lat[part],
        )


def fine_cells(
    session: orm.Session,
    filters: AssetFilter,
    bbox: BBox | None,
    size_lon: float,
    size_lat: float,
) -> FineCells:
    """Sum matching assets (in ``bbox``, or anywhere) into cells of the given size in degrees."""
    backend = backend_for(session)
    columns = (
        backend.grid_index(Asset.public_lon, -180.0, size_lon),
        backend.grid_index(Asset.public_lat, -90.0, size_lat),
        _KIND_CODE,
        sa.func.count(),
        sa.func.sum(Asset.public_lon),
        sa.func.sum(Asset.public_lat),
    )
    query = backend.select_in_bbox(bbox, *columns) if bbox is not None else sa.select(*columns)
    # By position: the cell expressions carry bound parameters, which PostgreSQL would not
    # match between the select list and a repeated GROUP BY expression.
    query = query.where(*_matching(backend, filters)).group_by(
        sa.text("1"), sa.text("2"), sa.text("3")
    )
    # All numbers, so a city's hundreds of thousands of cells go into one array in one pass.
    rows = session.execute(query).all()
    table = np.fromiter(
        itertools.chain.from_iterable(rows), np.float64, len(rows) * len(columns)
    ).reshape(len(rows), len(columns))
    order = np.argsort(table[:, 0], kind="stable")
    table = table[order]
    return FineCells(
        size_lon=size_lon,
        column=table[:, 0].astype(np.int64),
        kind=table[:, 2].astype(np.int8),
        count=table[:, 3].astype(np.int64),
        sum_lon=np.ascontiguousarray(table[:, 4]),
        sum_lat=np.ascontiguousarray(table[:, 5]),
    )


def _matching(backend: Backend, filters: AssetFilter) -> list[sa.ColumnElement[bool]]:
    conditions = published(filters)
    if filters.words:
        conditions.append(backend.words_match(filters.words))
    return conditions


@dataclass(frozen=True)
class Grid:
    """The squares of the Web Mercator pixel grid at ``zoom`` from ``x0, y0`` to ``x1, y1``.

    Squares are numbered from the north-west corner of the world, as tiles are.
    """

    zoom: int
    x0: int
    y0: int
    x1: int
    y1: int

    @classmethod
    def covering(cls, bbox: BBox, zoom: int) -> Grid:
        """Return the squares covering the box, at ``zoom`` or lower if they would be too many."""
        lons = np.array([bbox.min_lon, bbox.max_lon])
        lats = np.array([bbox.max_lat, bbox.min_lat])
        for level in range(zoom, -1, -1):
            xs, ys = squares_of(lons, lats, level)
            grid = cls(level, int(xs[0]), int(ys[0]), int(xs[1]), int(ys[1]))
            if (grid.x1 - grid.x0 + 1) * (grid.y1 - grid.y0 + 1) <= MAX_CELLS:
                return grid
        raise AssertionError("zoom 0 has 16 squares")  # pragma: no cover

    @property
    def side(self) -> int:
        """Return how many squares span the world at this zoom."""
        return 2**self.zoom * TILE_PX // CELL_PX

    def bounds(self) -> BBox:
        """Return the box (EPSG:4326) the squares cover, poles included at the top and bottom."""
        n = self.side
        north = 90.0 if self.y0 == 0 else _lat_of(self.y0 / n)
        south = -90.0 if self.y1 == n - 1 else _lat_of((self.y1 + 1) / n)
        return BBox(self.x0 / n * 360.0 - 180.0, south, (self.x1 + 1) / n * 360.0 - 180.0, north)

    def fine_size(self) -> tuple[float, float]:
        """Return the side of a fine cell in degrees of longitude and of latitude."""
        bounds = self.bounds()
        middle = np.clip((bounds.min_lat + bounds.max_lat) / 2, -80.0, 80.0)
        size_lon = 360.0 / self.side / FINE
        return size_lon, size_lon * math.cos(math.radians(middle))

    def roll_up(self, cells: FineCells, kinds: frozenset[Kind]) -> tuple[Cluster, ...]:
        """Sum fine cells into the squares their mean lies in, keeping only ``kinds`` (or all)."""
        keep = cells.count > 0
        if kinds:
            keep &= np.isin(cells.kind, [_KIND_INDEX[kind] for kind in kinds])
        count, kind = cells.count[keep], cells.kind[keep]
        sum_lon, sum_lat = cells.sum_lon[keep], cells.sum_lat[keep]
        x, y = squares_of(sum_lon / count, sum_lat / count, self.zoom)
        inside = (x >= self.x0) & (x <= self.x1) & (y >= self.y0) & (y <= self.y1)
        square = (x[inside] - self.x0) * (self.y1 - self.y0 + 1) + (y[inside] - self.y0)
        squares, which = np.unique(square, return_inverse=True)
        weights = count[inside]
        totals = np.bincount(which, weights=weights, minlength=squares.size)
        lons = np.bincount(which, weights=sum_lon[inside], minlength=squares.size) / totals
        lats = np.bincount(which, weights=sum_lat[inside], minlength=squares.size) / totals
        per_kind = [
            np.bincount(which, weights=weights * (kind[inside] == i), minlength=squares.size)
            for i in range(len(KINDS))
        ]
        return tuple(
            Cluster(
                lon=round(float(lons[j]), 6),
                lat=round(float(lats[j]), 6),
                count=int(totals[j]),
                kinds={k: int(per_kind[i][j]) for i, k in enumerate(KINDS)},
            )
            for j in range(squares.size)
        )


def squares_of(lons: np.ndarray, lats: np.ndarray, zoom: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the column and row of the Web Mercator grid square at ``zoom`` each point lies in."""
    n = 2**zoom * TILE_PX // CELL_PX
    phi = np.radians(np.clip(lats, -MERCATOR_MAX_LAT, MERCATOR_MAX_LAT))
    x = (np.asarray(lons, dtype=float) + 180.0) / 360.0 * n
    y = (1.0 - np.arcsinh(np.tan(phi)) / math.pi) / 2.0 * n
    return (
        np.clip(np.floor(x), 0, n - 1).astype(np.int64),
        np.clip(np.floor(y), 0, n - 1).astype(np.int64),
    )


def _lat_of(y: float) -> float:
    """Return the latitude of a Web Mercator row given as a fraction of the world (0 north)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y))))


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
            session, everything, None, _CACHE_CELL_LON, _CACHE_CELL_LAT
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


SORTS = ("title", "kind", "confirmed")


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a sorted list of published assets, and how many match in all."""

    items: tuple[AssetSummary, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return how many pages the whole list fills (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def list_page(
    session: orm.Session,
    filters: AssetFilter = EVERYTHING,
    *,
    bbox: BBox | None = None,
    sort: str = "title",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> ListPage:
    """Return page ``page`` of matching published assets (in ``bbox`` if given), sorted.

    ``sort`` is ``title``, ``kind`` or ``confirmed`` (last confirmed); ties go by title, then id.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if page < 1 or per_page < 1:
        raise ValueError(f"page and per_page must be 1 or more, got {page} and {per_page}")
    backend = backend_for(session)
    conditions = _matching(backend, filters)
    if bbox is not None:
        conditions.append(backend.in_bbox(bbox))
    total = session.scalar(sa.select(sa.func.count()).select_from(Asset).where(*conditions))
    title = sa.func.lower(Asset.title)
    first = {"title": title, "kind": Asset.kind, "confirmed": Asset.last_confirmed}[sort]
    query = (
        sa.select(*SUMMARY_COLUMNS)
        .where(*conditions)
        .order_by(first.desc() if descending else first.asc(), title, Asset.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = tuple(summary(row) for row in session.execute(query))
    return ListPage(items=items, total=int(total or 0), page=page, per_page=per_page)


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """How often one kind of change happened to an asset, and when first and last."""

    action: Action
    times: int
    first: dt.datetime
    last: dt.datetime


def history_summary(session: orm.Session, asset_id: int) -> tuple[HistoryLine, ...]:
    """Return counts and dates of an asset's revisions by action, oldest first.

    Only actions, counts and dates: never who made a change, why, or what it changed.
    """
    query = (
        sa.select(
            Revision.action, sa.func.count(), sa.func.min(Revision.at), sa.func.max(Revision.at)
        )
        .where(Revision.asset_id == asset_id)
        .group_by(Revision.action)
    )
    lines = [
        HistoryLine(Action(row[0]), int(row[1]), row[2], row[3]) for row in session.execute(query)
    ]
    return tuple(sorted(lines, key=lambda line: (line.first, list(Action).index(line.action))))
