"""PostgreSQL with PostGIS: a GiST-indexed geography column and a GIN-indexed tsvector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.storage.backends.common import driver, summary
from assetmap.storage.database import Reader

# The key of the advisory lock an import's writes hold, one import at a time ("asse").
IMPORT_LOCK = 0x61737365


def _by_metres(row: Sequence[Any]) -> tuple[float, int]:
    return (row[8], row[0])


class PostGISBackend:
    """PostgreSQL with PostGIS: a GiST-indexed geography column and a GIN-indexed tsvector."""

    name = "postgresql"
    locks_rows = True
    stamps_writers = True
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
        """``COPY`` the rows into a staging table of this transaction, then insert them into
        ``table`` in one set-based statement.

        The staging table has the columns' types and nothing else (no index, constraint or
        trigger), so ``COPY`` runs at its own speed; the one ``INSERT ... SELECT`` then builds
        the generated geometry and text columns in SQL, checks the constraints and fills the
        indexes, and fires each statement trigger once for the batch.
        """
        import psycopg

        if not rows:
            return
        names = ", ".join(columns)
        staging = f"bulk_{table}"
        cursor = driver(session).cursor()
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        statement = f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging}"
        try:
            cursor.execute(statement)
        except psycopg.errors.IntegrityError as exc:
            # As SQLAlchemy reports it on SQLite, so callers see one error whatever the backend.
            raise sa.exc.IntegrityError(statement, None, exc) from exc
        cursor.execute(f"TRUNCATE {staging}")

    @contextmanager
    def bulk_load(self, session: orm.Session, derived: Sequence[str] = ()) -> Iterator[list[str]]:
        """Nothing to set aside: generated columns and their indexes follow every row, and the
        derived tables' triggers fire once per statement, a whole batch at a time."""
        yield []

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

    def forget_words(self, session: orm.Session) -> None:
        """Nothing to do: the generated tsvector and its GIN entries follow the row."""

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        query = sa.func.plainto_tsquery(sa.literal_column("'english'::regconfig"), " ".join(words))
        return self.search.op("@@")(query)

    def starts_with(self, column: Any, prefix: str) -> sa.ColumnElement[bool]:
        # LIKE with a fixed prefix uses a text_pattern_ops index.
        return column.like(f"{prefix}%")  # type: ignore[no-any-return]

    def wait_for_other_imports(self, session: orm.Session) -> None:
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(IMPORT_LOCK)))

    def in_bbox(self, bbox: BBox) -> sa.ColumnElement[bool]:
        envelope = sa.func.ST_MakeEnvelope(*bbox.as_tuple(), 4326)
        return sa.func.ST_Intersects(self.geom, envelope)

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
