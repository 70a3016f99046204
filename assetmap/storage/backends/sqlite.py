"""SQLite, as Python's own sqlite3 has it: an R*Tree for points and FTS5 for words."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox, bbox_around, distances_m
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Theme
from assetmap.storage.backends.common import KINDS, THEMES, driver
from assetmap.storage.database import Reader
from assetmap.storage.models import Asset

INSERT_TRIGGER = "asset_index_insert"


def _sqlite_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def _fts_query(words: Sequence[str]) -> str:
    """Quote each word, so FTS5 reads it as a term and never as query syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _rtree_box(box: BBox) -> tuple[float, float, float, float]:
    # The R*Tree stores 32-bit boxes rounded outwards, so "overlaps" never misses a point.
    return (box.min_lon, box.max_lon, box.min_lat, box.max_lat)


def _ranked(
    found: list[tuple[int, float, float]], lon: float, lat: float, radius_m: float
) -> tuple[list[int], np.ndarray]:
    """Return the ids within ``radius_m`` nearest first (then by id), with their distances."""
    ids = np.fromiter((row[0] for row in found), np.int64, len(found))
    lons = np.fromiter((row[1] for row in found), float, len(found))
    lats = np.fromiter((row[2] for row in found), float, len(found))
    dist = distances_m(lon, lat, lons, lats)
    keep = np.flatnonzero(dist <= radius_m)
    order = keep[np.lexsort((ids[keep], dist[keep]))]
    return ids[order].tolist(), dist[order]


@functools.lru_cache(maxsize=4096)
def _themes(stored: str) -> tuple[Theme, ...]:
    """Return the themes of a stored JSON list. A register holds few distinct lists, so each
    is read once rather than once per result."""
    return tuple(THEMES[theme] for theme in orjson.loads(stored))


def _sqlite_summary(row: tuple[Any, ...], distance_m: float) -> AssetSummary:
    """Read a raw SQLite row of ``SUMMARY_COLUMNS`` as SQLAlchemy's types would (JSON themes,
    ISO date)."""
    asset_id, kind, title, themes, lon, lat, confirmed = row
    return AssetSummary._make(
        (
            asset_id,
            KINDS[kind],
            title,
            _themes(themes),
            lon,
            lat,
            dt.date.fromisoformat(confirmed),
            distance_m,
        )
    )


class SQLiteBackend:
    """Python's own sqlite3: an R*Tree for points and FTS5 (Porter stemming) for words."""

    name = "sqlite"
    locks_rows = False
    stamps_writers = False
    first_box_m = 125.0
    rtree = sa.table(
        "asset_rtree",
        sa.column("id"),
        sa.column("min_lon"),
        sa.column("max_lon"),
        sa.column("min_lat"),
        sa.column("max_lat"),
    )
    fts = sa.table("asset_fts", sa.column("rowid"), sa.column("asset_fts"))

    def bulk_insert(
        self, session: orm.Session, table: str, columns: Sequence[str], rows: list[tuple]
    ) -> None:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        session.connection().exec_driver_sql(sql, rows)

    @contextmanager
    def bulk_load(self, session: orm.Session, derived: Sequence[str] = ()) -> Iterator[list[str]]:
        """Set the index trigger aside for this transaction, and the ``derived`` insert
        triggers there are; yield the derived ones set aside, whose tables the caller rebuilds.

        ``index_assets`` does the index trigger's work, set-based. The triggers are dropped and
        created again inside the caller's write transaction, so no other connection sees them
        missing, and a rollback brings them back as they were.
        """
        connection = session.connection()
        names = (INSERT_TRIGGER, *derived)
        found: dict[str, str] = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                f"AND name IN ({', '.join('?' * len(names))})",
                names,
            ).all()
        )
        for name in found:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield [name for name in derived if name in found]
        for create in found.values():
            connection.exec_driver_sql(create)

    def stored_time(self, value: dt.date) -> Any:
        """Return the text SQLAlchemy's SQLite types store (UTC, without a zone)."""
        return _sqlite_date(value)

    def index_assets(self, session: orm.Session, first_id: int, last_id: int) -> None:
        connection = session.connection()
        for statement in (
            "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, public_lat "
            "FROM asset WHERE id BETWEEN ? AND ?",
            "INSERT INTO asset_fts(rowid, title, description, tags) "
            "SELECT id, title, description, tags FROM asset WHERE id BETWEEN ? AND ?",
        ):
            connection.exec_driver_sql(statement, (first_id, last_id))

    def next_ids(self, session: orm.Session, count: int) -> list[int]:
        # Safe because a writing transaction on SQLite holds the database's only write lock.
        last = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Asset.id), 0))) or 0
        return list(range(last + 1, last + 1 + count))

    def forget_words(self, session: orm.Session) -> None:
        """Merge the FTS5 index into one segment: a deleted row's words otherwise stay in the
        older segments, marked deleted, until a merge happens to reach them."""
        session.connection().exec_driver_sql("INSERT INTO asset_fts(asset_fts) VALUES ('optimize')")

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        matching = sa.select(self.fts.c.rowid).where(
            self.fts.c.asset_fts.op("MATCH")(_fts_query(words))
        )
        return Asset.id.in_(matching)

    def starts_with(self, column: Any, prefix: str) -> sa.ColumnElement[bool]:
        # LIKE ignores case, and so the index; GLOB does not.
        return column.op("GLOB")(f"{prefix}*")  # type: ignore[no-any-return]

    def wait_for_other_imports(self, session: orm.Session) -> None:
        """Nothing to do: SQLite's one writer already waits for every other."""

    def in_bbox(self, bbox: BBox) -> sa.ColumnElement[bool]:
        r = self.rtree.c
        # The R*Tree stores 32-bit boxes rounded outwards, so "overlaps" never misses a point.
        inside = sa.select(r.id).where(
            r.max_lon >= bbox.min_lon,
            r.min_lon <= bbox.max_lon,
            r.max_lat >= bbox.min_lat,
            r.min_lat <= bbox.max_lat,
        )
        exact = sa.and_(
            Asset.public_lon.between(bbox.min_lon, bbox.max_lon),
            Asset.public_lat.between(bbox.min_lat, bbox.max_lat),
        )
        return sa.and_(Asset.id.in_(inside), exact)

    def nearby(
        self,
        session: Reader,
        lon: float,
        lat: float,
        radius_m: float,
        filters: AssetFilter,
        limit: int,
    ) -> list[AssetSummary]:
        cursor = driver(session).cursor()
        sql, params = self._candidates(filters)
        # Grow the box from small until it holds ``limit`` assets closer than its half-width,
        # so a dense city reads a few dozen candidates rather than every one in the radius.
        reach = min(self.first_box_m, radius_m)
        while True:
            box = bbox_around(lon, lat, reach)
            found = cursor.execute(sql, (*_rtree_box(box), *params)).fetchall()
            ids, dist = _ranked(found, lon, lat, radius_m)
            if reach >= radius_m or (len(ids) >= limit and dist[limit - 1] <= reach):
                return self._summaries(cursor, ids[:limit], dist[:limit])
            reach = min(reach * 2, radius_m)

    def _candidates(self, filters: AssetFilter) -> tuple[str, tuple[object, ...]]:
        """Return SQL for (id, lon, lat) of matching assets in a box.

        CROSS JOIN keeps SQLite reading the R*Tree first and each candidate's row by its id,
        whatever the filters make the other orders look like.
        """
        sql = (
            "SELECT a.id, a.public_lon, a.public_lat FROM asset_rtree r CROSS JOIN asset a "
            "ON a.id = r.id WHERE r.max_lon >= ? AND r.min_lon <= ? AND r.max_lat >= ? "
            "AND r.min_lat <= ? AND a.status = 'published'"
        )
        params: list[object] = []
        if filters.kinds:
            sql += f" AND a.kind IN ({', '.join('?' * len(filters.kinds))})"
            params += sorted(kind.value for kind in filters.kinds)
        if filters.themes:
            sql += (
                " AND EXISTS (SELECT 1 FROM asset_theme t WHERE t.asset_id = a.id AND t.theme IN "
                f"({', '.join('?' * len(filters.themes))}))"
            )
            params += sorted(theme.value for theme in filters.themes)
        if filters.words:
            sql += " AND a.id IN (SELECT rowid FROM asset_fts WHERE asset_fts MATCH ?)"
            params.append(_fts_query(filters.words))
        return sql, tuple(params)

    def _summaries(self, cursor: Any, ids: list[int], dist: np.ndarray) -> list[AssetSummary]:
        if not ids:
            return []
        rows = cursor.execute(
            "SELECT id, kind, title, themes, public_lon, public_lat, last_confirmed FROM asset "
            f"WHERE id IN ({', '.join('?' * len(ids))})",
            ids,
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        return [
            _sqlite_summary(by_id[asset_id], float(d))
            for asset_id, d in zip(ids, dist, strict=True)
        ]

    def grid_index(
        self, column: orm.InstrumentedAttribute[float], origin: float, size: float
    ) -> sa.ColumnElement[int]:
        # CAST truncates towards zero, which is the floor for values at or above the origin.
        return sa.cast((column - origin) / size, sa.Integer)

    def select_in_bbox(self, bbox: BBox, *columns: Any) -> sa.Select[Any]:
        r = self.rtree.c
        # Joined from the R*Tree (not ``id IN``), so SQLite reads the index first and stops
        # at a LIMIT instead of collecting every id in the box.
        return (
            sa.select(*columns)
            .select_from(self.rtree.join(Asset.__table__, Asset.id == r.id))
            .where(
                r.max_lon >= bbox.min_lon,
                r.min_lon <= bbox.max_lon,
                r.max_lat >= bbox.min_lat,
                r.min_lat <= bbox.max_lat,
                Asset.public_lon.between(bbox.min_lon, bbox.max_lon),
                Asset.public_lat.between(bbox.min_lat, bbox.max_lat),
            )
        )
