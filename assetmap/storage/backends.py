"""The one place that knows SQLite from PostGIS.

Each backend answers the same spatial and text questions with the same types: which published
assets lie in a box, which lie near a point (nearest first, with geodesic metres), and which
match some words. Everything else in assetmap asks through ``backend_for(session)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol

import numpy as np
import orjson
import psycopg
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox, bbox_around, distances_m
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage.models import Asset, AssetTheme

INSERT_TRIGGER = "asset_index_insert"
SUMMARY_COLUMNS = (
    Asset.id,
    Asset.kind,
    Asset.title,
    Asset.themes,
    Asset.public_lon,
    Asset.public_lat,
    Asset.last_confirmed,
)


class Backend(Protocol):
    """What a storage backend answers; both return the same types."""

    name: str

    def next_ids(self, session: orm.Session, count: int) -> list[int]:
        """Reserve ``count`` new asset ids for a bulk insert in this transaction."""

    def bulk_insert(
        self, session: orm.Session, table: str, columns: Sequence[str], rows: list[tuple]
    ) -> None:
        """Insert many rows into ``table``: JSON already serialised, times from ``stored_time``."""

    def bulk_load(self, session: orm.Session) -> AbstractContextManager[None]:
        """Prepare this transaction for ``bulk_insert`` of assets and ``index_assets``."""

    def stored_time(self, value: dt.date) -> Any:
        """Return a date or an aware UTC time as ``bulk_insert`` binds it for this backend."""

    def index_assets(self, session: orm.Session, first_id: int, last_id: int) -> None:
        """Bring the spatial and text indexes up to date with bulk-inserted asset ids."""

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        """Return a condition true for assets whose text matches every word, stemmed."""

    def in_bbox(self, bbox: BBox) -> sa.ColumnElement[bool]:
        """Return a condition true for assets whose public point lies in the box."""

    def nearby(
        self,
        session: orm.Session,
        lon: float,
        lat: float,
        radius_m: float,
        filters: AssetFilter,
        limit: int,
    ) -> list[AssetSummary]:
        """Return up to ``limit`` matching assets within ``radius_m``, nearest first."""

    def grid_index(
        self, column: orm.InstrumentedAttribute[float], origin: float, size: float
    ) -> sa.ColumnElement[int]:
        """Return which cell of a grid (cells ``size`` wide from ``origin``) a value lies in.

        Values must not be below ``origin``.
        """

    def select_in_bbox(self, bbox: BBox, *columns: Any) -> sa.Select[Any]:
        """Select ``columns`` of assets whose public point lies in the box, led by the index.

        Rows come in index order, so a LIMIT stops reading once it has enough.
        """


def published(filters: AssetFilter) -> list[sa.ColumnElement[bool]]:
    """Return the conditions shared by every backend: published, of the kinds and themes."""
    conditions: list[sa.ColumnElement[bool]] = [Asset.status == Status.PUBLISHED]
    if filters.kinds:
        conditions.append(Asset.kind.in_(sorted(filters.kinds)))
    if filters.themes:
        conditions.append(
            sa.exists().where(
                AssetTheme.asset_id == Asset.id,
                AssetTheme.theme.in_(sorted(theme.value for theme in filters.themes)),
            )
        )
    return conditions


# Looked up by value: a search answer reads a kind and some themes for every result.
_KINDS: dict[str, Kind] = {kind.value: kind for kind in Kind}
_THEMES: dict[str, Theme] = {theme.value: theme for theme in Theme}


def summary(row: Sequence[Any], distance_m: float | None = None) -> AssetSummary:
    """Turn a row of ``SUMMARY_COLUMNS`` (themes as a list) into an ``AssetSummary``."""
    return AssetSummary(
        id=row[0],
        kind=_KINDS[row[1]],
        title=row[2],
        themes=tuple(_THEMES[theme] for theme in row[3]),
        lon=row[4],
        lat=row[5],
        last_confirmed=row[6],
        distance_m=distance_m,
    )


def _sqlite_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat()


def _fts_query(words: Sequence[str]) -> str:
    """Quote each word, so FTS5 reads it as a term and never as query syntax."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _driver(session: orm.Session) -> Any:
    """Return the DB-API connection under the session, inside the session's transaction."""
    driver = session.connection().connection.driver_connection
    assert driver is not None, "an open session always has a driver connection"
    return driver


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


def _by_metres(row: Sequence[Any]) -> tuple[float, int]:
    return (row[8], row[0])


def _sqlite_summary(row: tuple[Any, ...], distance_m: float) -> AssetSummary:
    """Read a raw SQLite row of ``SUMMARY_COLUMNS`` as SQLAlchemy's types would (JSON themes,
    ISO date)."""
    return AssetSummary(
        row[0],
        _KINDS[row[1]],
        row[2],
        tuple(map(_THEMES.__getitem__, orjson.loads(row[3]))),
        row[4],
        row[5],
        dt.date.fromisoformat(row[6]),
        distance_m,
    )


class SQLiteBackend:
    """Python's own sqlite3: an R*Tree for points and FTS5 (Porter stemming) for words."""

    name = "sqlite"
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
    def bulk_load(self, session: orm.Session) -> Iterator[None]:
        """Set the insert trigger aside for this transaction; ``index_assets`` does its work.

        The trigger is dropped and created again inside the caller's write transaction, so no
        other connection sees it missing, and a rollback brings it back as it was.
        """
        connection = session.connection()
        create = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            (INSERT_TRIGGER,),
        ).scalar_one()
        connection.exec_driver_sql(f"DROP TRIGGER {INSERT_TRIGGER}")
        yield
        connection.exec_driver_sql(create)

    def stored_time(self, value: dt.date) -> Any:
        """Return the text SQLAlchemy's SQLite types store (UTC, without a zone)."""
        return _sqlite_date(value)

    def index_assets(self, session: orm.Session, first_id: int, last_id: int) -> None:
        connection = session.connection()
        for statement in (
            "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, public_lat, "
            "public_lon, public_lat, status, kind FROM asset WHERE id BETWEEN ? AND ?",
            "INSERT INTO asset_fts(rowid, title, description, tags) "
            "SELECT id, title, description, tags FROM asset WHERE id BETWEEN ? AND ?",
        ):
            connection.exec_driver_sql(statement, (first_id, last_id))

    def next_ids(self, session: orm.Session, count: int) -> list[int]:
        # Safe because a writing transaction on SQLite holds the database's only write lock.
        last = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Asset.id), 0))) or 0
        return list(range(last + 1, last + 1 + count))

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        matching = sa.select(self.fts.c.rowid).where(
            self.fts.c.asset_fts.op("MATCH")(_fts_query(words))
        )
        return Asset.id.in_(matching)

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
        session: orm.Session,
        lon: float,
        lat: float,
        radius_m: float,
        filters: AssetFilter,
        limit: int,
    ) -> list[AssetSummary]:
        cursor = _driver(session).cursor()
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
        """Return SQL for (id, lon, lat) of matching assets in a box, read from the R*Tree."""
        sql = (
            "SELECT r.id, r.lon, r.lat FROM asset_rtree r WHERE r.max_lon >= ? AND "
            "r.min_lon <= ? AND r.max_lat >= ? AND r.min_lat <= ? AND r.status = 'published'"
        )
        params: list[object] = []
        if filters.kinds:
            sql += f" AND r.kind IN ({', '.join('?' * len(filters.kinds))})"
            params += sorted(kind.value for kind in filters.kinds)
        if filters.themes:
            sql += (
                " AND EXISTS (SELECT 1 FROM asset_theme t WHERE t.asset_id = r.id AND t.theme IN "
                f"({', '.join('?' * len(filters.themes))}))"
            )
            params += sorted(theme.value for theme in filters.themes)
        if filters.words:
            sql += " AND r.id IN (SELECT rowid FROM asset_fts WHERE asset_fts MATCH ?)"
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


class PostGISBackend:
    """PostgreSQL with PostGIS: a GiST-indexed geography column and a GIN-indexed tsvector."""

    name = "postgresql"
    geog: sa.ColumnElement[Any] = sa.literal_column("asset.geog")
    geom: sa.ColumnElement[Any] = sa.literal_column("asset.geom")
    search: sa.ColumnElement[Any] = sa.literal_column("asset.search")
    # PostGIS orders ``<->`` on a sphere of the mean radius (6,371,008.8 m) and measures
    # ``ST_Distance`` on the WGS84 spheroid. A spheroid distance is at least the sphere's times
    # the smallest radius of curvature (6,335,439.3 m, meridional at the equator) over the
    # mean, 0.99442; so nothing unfetched can be nearer than the limit-th fetched asset once
    # that asset's spheroid metres times 1/0.99442 are below the last fetched sphere metres.
    sphere_margin = 1.0057

    def bulk_insert(
        self, session: orm.Session, table: str, columns: Sequence[str], rows: list[tuple]
    ) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        try:
            with _driver(session).cursor().copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.IntegrityError as exc:
            # As SQLAlchemy reports it on SQLite, so callers see one error whatever the backend.
            raise sa.exc.IntegrityError(statement, None, exc) from exc

    @contextmanager
    def bulk_load(self, session: orm.Session) -> Iterator[None]:
        """Nothing to set aside: generated columns and their indexes follow every row."""
        yield

    def stored_time(self, value: dt.date) -> Any:
        """Return the value itself: psycopg binds dates and aware times as they are."""
        return value

    def index_assets(self, session: orm.Session, first_id: int, last_id: int) -> None:
        """Nothing to do: generated columns and their indexes follow every row as it is written."""

    def next_ids(self, session: orm.Session, count: int) -> list[int]:
        sequence = sa.func.nextval(sa.func.pg_get_serial_sequence("asset", "id"))
        return list(
            session.scalars(sa.select(sequence).select_from(sa.func.generate_series(1, count)))
        )

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        query = sa.func.plainto_tsquery(sa.literal_column("'english'::regconfig"), " ".join(words))
        return self.search.op("@@")(query)

    def in_bbox(self, bbox: BBox) -> sa.ColumnElement[bool]:
        envelope = sa.func.ST_MakeEnvelope(*bbox.as_tuple(), 4326)
        return sa.func.ST_Intersects(self.geom, envelope)

    def nearby(
        self,
        session: orm.Session,
        lon: float,
        lat: float,
        radius_m: float,
        filters: AssetFilter,
        limit: int,
    ) -> list[AssetSummary]:
        cursor = _driver(session).cursor()
        if not (filters.kinds or filters.themes or filters.words):
            return self._nearest_unfiltered(cursor, lon, lat, radius_m, limit)
        sql, params = self._nearest(filters)
        # A few more than ``limit`` usually prove the list complete in one round trip.
        fetch = limit + 8
        while True:
            rows = cursor.execute(
                sql,
                {"lon": lon, "lat": lat, "radius": radius_m, "fetch": fetch, **params},
                prepare=True,
            ).fetchall()
            ranked = sorted(rows, key=_by_metres)
            # Unfetched assets are at least as far on the sphere as the last fetched one.
            complete = len(rows) < fetch or (
                ranked[limit - 1][8] * self.sphere_margin < rows[-1][7]
            )
            if complete:
                return [summary(row, float(row[8])) for row in ranked[:limit]]
            fetch *= 4

    def _nearest_unfiltered(
        self, cursor: Any, lon: float, lat: float, radius_m: float, limit: int
    ) -> list[AssetSummary]:
        """Walk the index nearest first on the sphere until the spheroid ranking is proven.

        With no radius in the query, the index walk is the only plan the server can choose, so
        a dense point never makes it read and sort everything in the radius.
        """
        fetch = limit + 8
        while True:
            rows = cursor.execute(
                self.NEAREST, {"lon": lon, "lat": lat, "fetch": fetch}, prepare=True
            ).fetchall()
            ranked = sorted((row for row in rows if row[8] <= radius_m), key=_by_metres)
            # Unfetched assets lie at least as far on the sphere as the last fetched one: none
            # can be within the radius, or nearer than the limit-th, once that is beyond it.
            bound = ranked[limit - 1][8] if len(ranked) >= limit else radius_m
            if len(rows) < fetch or bound * self.sphere_margin < rows[-1][7]:
                return [summary(row, float(row[8])) for row in ranked[:limit]]
            fetch *= 4

    NEAREST = """
        SELECT id, kind, title, themes, public_lon, public_lat, last_confirmed,
            geog <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography,
            ST_Distance(geog, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography)
        FROM asset WHERE status = 'published'
        ORDER BY geog <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography
        LIMIT %(fetch)s
    """

    def _nearest(self, filters: AssetFilter) -> tuple[str, dict[str, object]]:
        """Return SQL for matching assets within a radius in ``<->`` order, with metres."""
        conditions = "status = 'published'"
        params: dict[str, object] = {}
        if filters.kinds:
            conditions += " AND kind = ANY(%(kinds)s)"
            params["kinds"] = sorted(kind.value for kind in filters.kinds)
        if filters.themes:
            conditions += (
                " AND EXISTS (SELECT 1 FROM asset_theme t WHERE t.asset_id = asset.id"
                " AND t.theme = ANY(%(themes)s))"
            )
            params["themes"] = sorted(theme.value for theme in filters.themes)
        if filters.words:
            conditions += " AND search @@ plainto_tsquery('english', %(words)s)"
            params["words"] = " ".join(filters.words)
        point = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography"
        sql = (
            "SELECT id, kind, title, themes, public_lon, public_lat, last_confirmed, "
            f"geog <-> {point}, ST_Distance(geog, {point}) FROM asset "
            f"WHERE ST_DWithin(geog, {point}, %(radius)s) AND {conditions} "
            f"ORDER BY geog <-> {point} LIMIT %(fetch)s"
        )
        return sql, params

    def grid_index(
        self, column: orm.InstrumentedAttribute[float], origin: float, size: float
    ) -> sa.ColumnElement[int]:
        return sa.cast(sa.func.floor((column - origin) / size), sa.Integer)

    def select_in_bbox(self, bbox: BBox, *columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).where(self.in_bbox(bbox))


_BACKENDS: dict[str, Backend] = {"sqlite": SQLiteBackend(), "postgresql": PostGISBackend()}


def backend_for(session: orm.Session) -> Backend:
    """Return the backend that answers for the database this session is bound to."""
    name = session.get_bind().dialect.name
    try:
        return _BACKENDS[name]
    except KeyError:
        raise ValueError(f"database must be SQLite or PostgreSQL, got {name}") from None
