"""What a view of the explore map shows: its points, or clusters of them counted by the database.

A map view of a box at a zoom shows each matching published asset when the box holds few
enough (``MAX_POINTS``); otherwise it shows clusters: the assets of each square of the Web
Mercator pixel grid at that zoom (``CELL_PX`` pixels a side), with how many there are of each
kind and their mean public position. A cluster holds every asset of its square, including those
just outside the box, so a cluster does not change as the map is panned.

The database does the counting. It sums assets into fine cells, ``FINE`` to a square's side,
and returns one row per fine cell and kind; those few rows are then summed into squares by where
their mean lies. Up to ``CACHED_UP_TO_ZOOM``, for every asset or one theme, the fine cells are
read from ``map_cell``, which triggers keep as assets are written, at a level of cell a quarter
of a square's side: one indexed range read of a few thousand rows for any view, as fast in a
process just started as in one long running, and the same in every process at once. Words
and several themes at once are counted from the assets.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.clusters import Cluster, MapView
from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Kind
from assetmap.storage.backends import SUMMARY_COLUMNS, Backend, backend_for, published, summary
from assetmap.storage.models import Asset, MapCell

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


def _kind_code(column: orm.InstrumentedAttribute[Any]) -> sa.ColumnElement[int]:
    """Return the kind as its index in KINDS, worked out in the database."""
    return sa.case(*((column == kind, i) for i, kind in enumerate(KINDS)), else_=-1)


# The stored fine cells (``map_cell``): a quarter of a square's side at CACHED_UP_TO_ZOOM, and
# half as tall as wide in degrees, which is fine enough for squares at any latitude below 60
# degrees. The triggers that keep them hold these sizes too: changing them takes a migration.
CACHE_CELL_LON = 360.0 / (2**CACHED_UP_TO_ZOOM * TILE_PX / CELL_PX) / FINE
CACHE_CELL_LAT = CACHE_CELL_LON / 2
# How many levels of cell map_cell keeps, each twice the side of the one before.
STORED_LEVELS = 4
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
) -> MapView:
    """Return what a map of ``bbox`` (EPSG:4326) at ``zoom`` shows: assets if few, else clusters."""
    zoom = check_zoom(zoom)
    if zoom >= POINTS_FROM_ZOOM:
        found = points_in_bbox(session, bbox, filters, MAX_POINTS + 1)
        if len(found) <= MAX_POINTS:
            return MapView(clustered=False, points=tuple(found))
    return MapView(clustered=True, clusters=grid_clusters(session, bbox, zoom, filters))


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
) -> tuple[Cluster, ...]:
    """Return the clusters of the grid squares at ``zoom`` that cover ``bbox``, west to east.

    Where the box would hold more than ``MAX_CELLS`` squares, squares of a lower zoom are used.
    """
    grid = Grid.covering(bbox, check_zoom(zoom))
    bounds = grid.bounds()
    if grid.zoom <= CACHED_UP_TO_ZOOM and is_stored(filters):
        cells = stored_cells(session, filters, bounds, stored_level(grid.zoom))
    else:
        # A wide view counts the whole register at its own coarse cells, which a scan does
        # faster than a walk of the spatial index over most of it.
        size_lon, size_lat = grid.fine_size()
        area = bounds if grid.zoom > WHOLE_REGISTER_UP_TO_ZOOM else None
        cells = fine_cells(session, filters, area, size_lon, size_lat)
    return grid.roll_up(cells, filters.kinds)


def is_stored(filters: AssetFilter) -> bool:
    """Return whether ``map_cell`` holds the cells of ``filters``: no words, one theme at most.

    An asset of two themes is in the cells of each, so cells of several themes do not add up.
    """
    return not filters.words and len(filters.themes) <= 1


def stored_level(zoom: int) -> int:
    """Return the level of ``map_cell`` whose cells are a quarter of a square's side at ``zoom``.

    Level k's cells are 2**k of level 0's a side. Up to the coarsest level, they are a quarter
    of a square at ``zoom``; below its zoom they are finer than that, and few, as wide views
    show the whole register.
    """
    return min(STORED_LEVELS - 1, max(0, CACHED_UP_TO_ZOOM - zoom))


def stored_cells(
    session: orm.Session, filters: AssetFilter, bbox: BBox, level: int = 0
) -> FineCells:
    """Read from ``map_cell`` the cells of ``level`` that meet ``bbox``, of ``filters``."""
    if not is_stored(filters):
        raise ValueError(f"map_cell holds no words and one theme at most, got {filters!r}")
    if not 0 <= level < STORED_LEVELS:
        raise ValueError(f"level must be 0 to {STORED_LEVELS - 1}, got {level!r}")
    theme = next(iter(filters.themes)).value if filters.themes else ""
    west, east = (
        int((lon + 180.0) // CACHE_CELL_LON) >> level for lon in (bbox.min_lon, bbox.max_lon)
    )
    south, north = (
        int((lat + 90.0) // CACHE_CELL_LAT) >> level for lat in (bbox.min_lat, bbox.max_lat)
    )
    query = sa.select(
        MapCell.lon_cell,
        MapCell.lat_cell,
        _kind_code(MapCell.kind),
        MapCell.count,
        MapCell.sum_lon,
        MapCell.sum_lat,
    ).where(
        MapCell.level == level,
        MapCell.theme == theme,
        MapCell.lon_cell.between(west, east),
        MapCell.lat_cell.between(south, north),
        MapCell.count > 0,
    )
    if filters.kinds:
        query = query.where(MapCell.kind.in_(sorted(filters.kinds)))
    return _fine_cells(session.execute(query).all(), CACHE_CELL_LON * 2**level)


@dataclass(frozen=True)
class FineCells:
    """Assets summed by fine cell and kind: parallel arrays, one entry per cell and kind.

    Entries are in order of ``column``, the cell's column (``size_lon`` degrees wide, counted
    from 180 west).
    """

    size_lon: float
    column: np.ndarray
    kind: np.ndarray
    count: np.ndarray
    sum_lon: np.ndarray
    sum_lat: np.ndarray


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
        _kind_code(Asset.kind),
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
    return _fine_cells(session.execute(query).all(), size_lon)


def _fine_cells(rows: Sequence[Sequence[Any]], size_lon: float) -> FineCells:
    """Turn rows of column, row, kind code, count and sums into ``FineCells``, by column."""
    # All numbers, so a city's hundreds of thousands of cells go into one array in one pass.
    width = 6
    table = np.fromiter(itertools.chain.from_iterable(rows), np.float64, len(rows) * width).reshape(
        len(rows), width
    )
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
