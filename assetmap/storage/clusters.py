"""What a view of the explore map shows: its points, or clusters of them counted by the database.

A map view of a box at a zoom shows each matching published asset when the box holds few
enough (``MAX_POINTS``); otherwise it shows clusters: the assets of each square of the Web
Mercator pixel grid at that zoom (``CELL_PX`` pixels a side), with how many there are of each
kind and their mean public position. A cluster holds every asset of its square, including those
just outside the box, so a cluster does not change as the map is panned.

The database does the counting. It sums assets into fine cells, ``FINE`` to a square's side,
and returns one row per fine cell and kind; those few rows are then summed into squares by where
their mean lies. At low zoom, an ``AggregateCache`` keeps the fine cells of every asset for as
long as the register is unchanged, so panning and zooming a whole city reads no asset rows. It
keeps the neighbourhoods' counts too, which the map page would otherwise count on every visit
(``storage.aggregates``).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.clusters import Cluster, MapView
from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Kind
from assetmap.storage.backends import SUMMARY_COLUMNS, Backend, backend_for, published, summary
from assetmap.storage.models import Asset

if TYPE_CHECKING:
    from assetmap.storage.aggregates import AggregateCache

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
CACHE_CELL_LON = 360.0 / (2**CACHED_UP_TO_ZOOM * TILE_PX / CELL_PX) / FINE
CACHE_CELL_LAT = CACHE_CELL_LON / 2
EVERYTHING = AssetFilter()


def check_zoom(zoom: object) -> int:
    """Return the zoom as an int, or raise ValueError if it is not a whole number 0..ZOOM_MAX."""
    text = str(zoom).strip()
    if isinstance(zoom, bool) or not re.fullmatch(r"[0-9]{1,2}", text) or int(text) > ZOOM_MAX:
        raise ValueError(f"zoom must be a whole number from 0 to {ZOOM_MAX}, got {zoom!r}")
    return int(text)


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
        .where(*matching(backend, filters))
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
    query = query.where(*matching(backend, filters)).group_by(
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


def matching(backend: Backend, filters: AssetFilter) -> list[sa.ColumnElement[bool]]:
    """Return the conditions a map or list applies: published, of the filters, with the words."""
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
