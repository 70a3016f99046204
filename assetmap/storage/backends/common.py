"""What every storage backend shares: the questions they answer, and the rows they answer with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage.database import ReadConnection, Reader
from assetmap.storage.models import Asset, AssetTheme

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
    # Whether a write locks the rows it reads (SQLite's one writer holds the whole database).
    locks_rows: bool
    # Whether each row keeps the id of the transaction that wrote it (PostgreSQL's ``xmin``):
    # what must not be joined back to its writer is then rewritten together (``ballots``).
    stamps_writers: bool

    def next_ids(self, session: orm.Session, count: int) -> list[int]:
        """Reserve ``count`` new asset ids for a bulk insert in this transaction."""

    def bulk_insert(
        self, session: orm.Session, table: str, columns: Sequence[str], rows: list[tuple]
    ) -> None:
        """Insert many rows into ``table``: JSON already serialised, times from ``stored_time``."""

    def bulk_load(
        self, session: orm.Session, derived: Sequence[str] = ()
    ) -> AbstractContextManager[list[str]]:
        """Prepare this transaction for ``bulk_insert`` of assets and ``index_assets``.

        ``derived`` names insert triggers that keep tables derived from the assets; those the
        backend sets aside for the load are yielded, and the caller rebuilds their tables.
        """

    def stored_time(self, value: dt.date) -> Any:
        """Return a date or an aware UTC time as ``bulk_insert`` binds it for this backend."""

    def index_assets(self, session: orm.Session, first_id: int, last_id: int) -> None:
        """Bring the spatial and text indexes up to date with bulk-inserted asset ids."""

    def forget_words(self, session: orm.Session) -> None:
        """Make words taken out of assets in this transaction gone from the text index itself,
        not only unfindable."""

    def words_match(self, words: Sequence[str]) -> sa.ColumnElement[bool]:
        """Return a condition true for assets whose text matches every word, stemmed."""

    def in_bbox(self, bbox: BBox) -> sa.ColumnElement[bool]:
        """Return a condition true for assets whose public point lies in the box."""

    def starts_with(self, column: Any, prefix: str) -> sa.ColumnElement[bool]:
        """Return a condition true where ``column`` starts with ``prefix``, as its index can
        answer; the prefix holds only letters, digits and spaces."""

    def wait_for_other_imports(self, session: orm.Session) -> None:
        """Make this write transaction wait until no other import is writing."""

    def nearby(
        self,
        session: Reader,
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
KINDS: dict[str, Kind] = {kind.value: kind for kind in Kind}
THEMES: dict[str, Theme] = {theme.value: theme for theme in Theme}


def summary(row: Sequence[Any], distance_m: float | None = None) -> AssetSummary:
    """Turn a row of ``SUMMARY_COLUMNS`` (themes as a list) into an ``AssetSummary``."""
    return AssetSummary(
        id=row[0],
        kind=KINDS[row[1]],
        title=row[2],
        themes=tuple(THEMES[theme] for theme in row[3]),
        lon=row[4],
        lat=row[5],
        last_confirmed=row[6],
        distance_m=distance_m,
    )


def driver(session: Reader) -> Any:
    """Return the DB-API connection under the session or read connection, in its transaction."""
    if isinstance(session, ReadConnection):
        return session.driver_connection
    connection = session.connection().connection.driver_connection
    assert connection is not None, "an open session always has a driver connection"
    return connection
