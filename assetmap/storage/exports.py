"""Reading published assets out for an export: public fields only, streamed batch by batch.

Rows come from a server-side cursor (PostgreSQL) or the open SQLite cursor, ``batch_size`` at a
time, so an export of a million assets holds one batch in memory, never the whole register.
Schedules and the spaces groups meet at come from two more queries, one each for the whole
export, ordered by asset id as the rows are and read alongside them batch by batch. Who last
assured each group and space, and its recent public field changes, are read only where a format
asks (``Batch.provenance``, as HSDS does): two queries for the batch, none per row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

import orjson
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.fields import EXPORT_COLUMNS, names_of
from assetmap.domain.geo import BBox
from assetmap.domain.provenance import FieldChange
from assetmap.domain.query import AssetFilter
from assetmap.domain.schedules import Schedule
from assetmap.domain.ties import TieKind, TieState
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage.backends import backend_for, published
from assetmap.storage.models import Asset, AssetSchedule, Neighbourhood, Tie
from assetmap.storage.provenance import field_changes
from assetmap.storage.schedules import schedule_of

# What leaves assetmap in an export, in this order. A skill's point is its generalised one;
# no owner, contact or exact location is ever selected.
EXPORT_FIELDS = EXPORT_COLUMNS
LIST_FIELDS = names_of("list")
# The SQLite page cache, in MiB, of a connection opened for exports alone (``db.connect``). An
# export reads each page of the register once, in id order, so a larger cache only holds pages
# it will not read again: at a million assets the app's 64 MiB fill up for nothing. SQLite's
# own default of 2 MiB is enough: at 200,000 strengths 8 MiB made no export faster and each
# 6 MiB larger at its peak.
EXPORT_CACHE_MB = 2
# Columns read as the database holds them, skipping SQLAlchemy's conversion of each value:
# lists arrive as JSON text, dates as ISO text or date objects, flags as 0/1 or booleans.
_RAW: dict[str, Any] = {name: sa.Text for name in LIST_FIELDS} | {
    "kind": sa.String,
    "last_confirmed": sa.String,
    "updated_at": sa.String,
    "welcomes_new_members": sa.Integer,
}
# Where each column is read from, where that is not the asset's own column of the same name.
_SOURCES: dict[str, Any] = {
    "neighbourhood": Neighbourhood.name,
    "lon": Asset.public_lon,
    "lat": Asset.public_lat,
    # Filled in from their own queries, batch by batch (``_Alongside``).
    "schedule": sa.null(),
    "meets_at": sa.null(),
}


def _column(name: str) -> sa.ColumnElement[Any]:
    column = _SOURCES[name] if name in _SOURCES else getattr(Asset, name)
    if name in LIST_FIELDS:
        column = sa.cast(column, sa.Text)
    return sa.type_coerce(column, _RAW[name]).label(name) if name in _RAW else column.label(name)


_COLUMNS: tuple[sa.ColumnElement[Any], ...] = tuple(_column(name) for name in EXPORT_FIELDS)
LON, LAT = EXPORT_FIELDS.index("lon"), EXPORT_FIELDS.index("lat")
_SOURCE, _SOURCE_ID = EXPORT_FIELDS.index("source"), EXPORT_FIELDS.index("source_id")
_SCHEDULE, _MEETS_AT = EXPORT_FIELDS.index("schedule"), EXPORT_FIELDS.index("meets_at")
_KIND = EXPORT_FIELDS.index("kind")
assert EXPORT_FIELDS[0] == "id"
# The kinds whose provenance a batch reads: a skill's history is a person's.
_PROVENANCE_KINDS = ("group", "space")


@dataclasses.dataclass(frozen=True)
class Provenance:
    """Who last assured each of a batch's groups and spaces, by their part (``Assurer``'s
    values; none where nobody is known), and the recent changes to their public fields."""

    assured_by: dict[int, str] = dataclasses.field(default_factory=dict)
    changes: dict[int, list[FieldChange]] = dataclasses.field(default_factory=dict)


class Batch(list[Sequence[Any]]):
    """A batch of public rows, with the structured schedules of its groups and spaces and, for
    each group, the spaces it meets at that are in the export too (by id; as HSDS needs).

    ``provenance()`` reads its groups' and spaces' provenance when a format asks for it."""

    def __init__(
        self,
        rows: Iterable[Sequence[Any]],
        schedules: dict[int, list[Schedule]] | None = None,
        venues: dict[int, list[int]] | None = None,
        provenance: Callable[[], Provenance] | None = None,
    ) -> None:
        super().__init__(rows)
        self.schedules = schedules or {}
        self.venues = venues or {}
        self._provenance = provenance

    def provenance(self) -> Provenance:
        """Return who assured the batch's groups and spaces and their recent field changes."""
        return self._provenance() if self._provenance is not None else Provenance()


@dataclasses.dataclass(frozen=True)
class ExportFilter:
    """Which published assets an export holds; every filter given must match.

    ``polygon`` is a shapely (multi)polygon in EPSG:4326; ``changed_since`` keeps assets changed
    on or after that day (UTC); ``within`` keeps assets filed under one of these neighbourhood
    ids (empty: everywhere).
    """

    kinds: frozenset[Kind] = frozenset()
    themes: frozenset[Theme] = frozenset()
    bbox: BBox | None = None
    neighbourhood: str | None = None
    polygon: Any = None
    changed_since: dt.date | None = None
    within: frozenset[int] = frozenset()

    @classmethod
    def parse(
        cls,
        *,
        kinds: Iterable[str] = (),
        themes: Iterable[str] = (),
        bbox: str | None = None,
        neighbourhood: str | None = None,
        polygon: Any = None,
        changed_since: str | None = None,
    ) -> ExportFilter:
        """Build a filter from loose text, raising ValueError naming what is wrong."""
        parsed = AssetFilter.parse(kinds=kinds, themes=themes)
        return cls(
            kinds=parsed.kinds,
            themes=parsed.themes,
            bbox=_bbox(bbox) if bbox else None,
            neighbourhood=(neighbourhood or "").strip() or None,
            polygon=polygon,
            changed_since=_day(changed_since) if changed_since else None,
        )


def _bbox(text: str) -> BBox:
    try:
        return BBox.parse(text)
    except ValueError as exc:
        raise ValueError(f"bbox: {exc}") from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"changed since must be a date like 2026-05-31, got {text!r}") from None


def neighbourhood_codes(session: orm.Session) -> list[tuple[str, str]]:
    """Return every neighbourhood's ``(code, name)``, by name."""
    query = sa.select(Neighbourhood.code, Neighbourhood.name).order_by(Neighbourhood.name)
    return [(code, name) for code, name in session.execute(query)]


def export_query(session: orm.Session, filters: ExportFilter, register: str = "") -> sa.Select[Any]:
    """Return the query of the public rows ``filters`` keeps (before any polygon test), by id.

    With a ``register`` name, a strength that came from no other source is given that name as
    its source and its id here as its source id: the stable public id an import of the export
    recognises.
    """
    return (
        sa.select(*_columns(register))
        .outerjoin(Neighbourhood, Neighbourhood.id == Asset.neighbourhood_id)
        .where(*_conditions(session, filters))
        .order_by(Asset.id)
    )


def _conditions(session: orm.Session, filters: ExportFilter) -> list[sa.ColumnElement[bool]]:
    """Return the conditions on ``Asset`` of the rows ``filters`` keeps (before any polygon)."""
    conditions = published(AssetFilter(kinds=filters.kinds, themes=filters.themes))
    backend = backend_for(session)
    if filters.bbox is not None:
        conditions.append(backend.in_bbox(filters.bbox))
    if filters.polygon is not None:
        conditions.append(backend.in_bbox(BBox(*filters.polygon.bounds)))
    if filters.neighbourhood is not None:
        conditions.append(Asset.neighbourhood_id == _neighbourhood_id(session, filters))
    if filters.within:
        conditions.append(Asset.neighbourhood_id.in_(sorted(filters.within)))
    if filters.changed_since is not None:
        since = dt.datetime.combine(filters.changed_since, dt.time(), tzinfo=dt.UTC)
        conditions.append(Asset.updated_at >= since)
    return conditions


def _columns(register: str) -> tuple[sa.ColumnElement[Any], ...]:
    """Return the export's columns, with ``source`` and ``source_id`` naming this register and
    the strength's id here wherever the strength came from no other source."""
    if not register:
        return _COLUMNS
    own = Asset.source_id == ""
    columns = list(_COLUMNS)
    columns[_SOURCE] = sa.case((own, sa.literal(register)), else_=Asset.source).label("source")
    columns[_SOURCE_ID] = sa.case((own, sa.cast(Asset.id, sa.String)), else_=Asset.source_id).label(
        "source_id"
    )
    return tuple(columns)


def _neighbourhood_id(session: orm.Session, filters: ExportFilter) -> int:
    found = session.scalar(
        sa.select(Neighbourhood.id).where(Neighbourhood.code == filters.neighbourhood)
    )
    if found is None:
        codes = ", ".join(code for code, _ in neighbourhood_codes(session)) or "none are stored"
        raise ValueError(f"neighbourhood {filters.neighbourhood!r} is unknown; choose from {codes}")
    return found


def count_public(session: orm.Session, filters: ExportFilter) -> int:
    """Return how many rows the query keeps before any polygon test: a progress bar's length."""
    query = export_query(session, filters).order_by(None).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(query)) or 0


def public_rows(
    session: orm.Session, filters: ExportFilter, batch_size: int = 5000, register: str = ""
) -> Iterator[Batch]:
    """Yield batches of public rows (``EXPORT_FIELDS`` in order), by id, streamed; ``register``
    names this register's own strengths (see ``export_query``).

    Values are as the database holds them (see ``_RAW``); ``iso_date``, ``iso_time``, ``flag``
    and ``items`` read them the same way on every backend.
    """
    inside = _polygon_test(filters.polygon)
    conditions = _conditions(session, filters)
    query = (
        sa.select(*_columns(register))
        .outerjoin(Neighbourhood, Neighbourhood.id == Asset.neighbourhood_id)
        .where(*conditions)
        .order_by(Asset.id)
    )
    connection = session.connection()
    with _Alongside(connection, conditions, filters.polygon) as alongside:
        for batch in _batches(connection, query, batch_size):
            rows = inside(batch) if inside is not None else batch
            found = alongside.upto(batch[-1][0])
            if rows:
                yield found.filled(rows, functools.partial(_provenance, session, rows))


@dataclasses.dataclass
class _Found:
    """What the side queries found for one batch's ids."""

    schedules: dict[int, list[Schedule]]
    meets_at: dict[int, list[int]]
    venues: dict[int, list[int]]

    def filled(self, rows: Sequence[Sequence[Any]], provenance: Callable[[], Provenance]) -> Batch:
        """Return the rows with their schedule and meets_at columns filled in where they have
        any; the rest are passed on as they are. ``provenance`` reads theirs when asked."""
        if not self.schedules and not self.meets_at:
            return Batch(rows, provenance=provenance)
        filled = []
        for row in rows:
            key = row[0]
            if key in self.schedules or key in self.meets_at:
                values = list(row)
                if key in self.schedules:
                    values[_SCHEDULE] = "; ".join(item.describe() for item in self.schedules[key])
                if key in self.meets_at:
                    values[_MEETS_AT] = orjson.dumps(self.meets_at[key]).decode()
                row = tuple(values)
            filled.append(row)
        return Batch(filled, self.schedules, self.venues, provenance)


class _Alongside:
    """The export's schedules and meets-at ties, each read by one query ordered by asset id,
    taken a batch's worth at a time as the rows go by."""

    def __init__(
        self, connection: sa.Connection, conditions: list[sa.ColumnElement[bool]], polygon: Any
    ) -> None:
        self.connection, self.conditions, self.polygon = connection, conditions, polygon
        self.results: list[sa.CursorResult[Any]] = []

    def __enter__(self) -> _Alongside:
        self.schedules = _Following(self._open(_schedules_query(self.conditions)))
        self.ties = _Following(self._open(_ties_query(self.conditions)))
        return self

    def __exit__(self, *exc: object) -> None:
        for result in self.results:
            result.close()

    def _open(self, query: sa.Select[Any]) -> Iterator[Sequence[Any]]:
        result = self.connection.execute(query.execution_options(yield_per=500))
        self.results.append(result)
        return iter(result)

    def upto(self, last_id: int) -> _Found:
        """Return what the side queries hold for assets up to ``last_id``."""
        schedules = {
            key: [schedule_of(cast(AssetSchedule, row)) for row in rows]
            for key, rows in self.schedules.upto(last_id).items()
        }
        meets_at: dict[int, list[int]] = {}
        venues: dict[int, list[int]] = {}
        for key, rows in self.ties.upto(last_id).items():
            meets_at[key] = [row.to_id for row in rows]
            kept = _inside(self.polygon, rows)
            if kept:
                venues[key] = kept
        return _Found(schedules, meets_at, venues)


class _Following:
    """Rows ordered by asset id (their first column), handed out up to an id at a time."""

    def __init__(self, rows: Iterator[Sequence[Any]]) -> None:
        self.rows = rows
        self.head = next(rows, None)

    def upto(self, last_id: int) -> dict[int, list[Any]]:
        found: dict[int, list[Any]] = defaultdict(list)
        while self.head is not None and self.head[0] <= last_id:
            found[self.head[0]].append(self.head)
            self.head = next(self.rows, None)
        return found


def _provenance(session: orm.Session, rows: Sequence[Sequence[Any]]) -> Provenance:
    """Return the provenance of the groups and spaces among ``rows``: one query for who
    assured them, one for their field changes."""
    ids = [row[0] for row in rows if row[_KIND] in _PROVENANCE_KINDS]
    if not ids:
        return Provenance()
    assured = sa.select(Asset.id, Asset.assured_by).where(Asset.id.in_(ids), Asset.assured_by != "")
    found = {key: by for key, by in session.execute(assured)}
    return Provenance(found, field_changes(session, ids))


def _in_export(key: Any, conditions: list[sa.ColumnElement[bool]]) -> sa.Exists:
    """Return whether the asset ``key`` names is one the export keeps: one lookup by id."""
    return sa.exists().where(Asset.id == key, *conditions)


def _schedules_query(conditions: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    s = AssetSchedule
    columns: tuple[Any, ...] = (
        s.asset_id,
        s.rule,
        s.start_time,
        s.end_time,
        s.starts_on,
        s.cancelled,
        s.timezone,
    )
    return (
        sa.select(*columns)
        .where(_in_export(s.asset_id, conditions))
        .order_by(s.asset_id, s.position, s.id)
    )


def _ties_query(conditions: list[sa.ColumnElement[bool]]) -> sa.Select[Any]:
    """Return the public meets-at ties of the export's groups, to published spaces, with each
    space's public point and whether the export holds it too."""
    space = orm.aliased(Asset)
    columns: tuple[Any, ...] = (
        Tie.from_id,
        Tie.to_id,
        space.public_lon.label("lon"),
        space.public_lat.label("lat"),
        _in_export(Tie.to_id, conditions).label("inside"),
    )
    return (
        sa.select(*columns)
        .join(space, space.id == Tie.to_id)
        .where(
            Tie.kind == TieKind.MEETS_AT,
            Tie.state == TieState.ACCEPTED,
            space.status == Status.PUBLISHED,
            _in_export(Tie.from_id, conditions),
        )
        .order_by(Tie.from_id, Tie.id)
    )


def _inside(polygon: Any, rows: list[Any]) -> list[int]:
    """Return the ids of the spaces among ``rows`` that the export holds."""
    kept = [row for row in rows if row.inside]
    if polygon is None or not kept:
        return [row.to_id for row in kept]
    import shapely

    within = shapely.intersects_xy(polygon, [r.lon for r in kept], [r.lat for r in kept])
    return [row.to_id for row, yes in zip(kept, within.tolist(), strict=True) if yes]


def _batches(
    connection: sa.Connection, query: sa.Select[Any], size: int
) -> Iterator[Sequence[Sequence[Any]]]:
    """Yield the query's rows ``size`` at a time, as plain tuples where the driver allows."""
    if connection.dialect.supports_server_side_cursors:
        # A server-side cursor (PostgreSQL) streams, but SQLAlchemy reads ahead of it, so its
        # rows are taken from the result.
        yield from connection.execute(query.execution_options(yield_per=size)).partitions()
        return
    # Otherwise (SQLite) the driver's own cursor steps through the rows only as they are
    # fetched: its tuples are read as they are, without a Row made around each.
    result = connection.execute(query)
    try:
        while rows := result.cursor.fetchmany(size):
            yield rows
    finally:
        result.close()


def _polygon_test(polygon: Any) -> Any:
    if polygon is None:
        return None
    import shapely

    shapely.prepare(polygon)

    def inside(batch: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        lons = [row[LON] for row in batch]
        lats = [row[LAT] for row in batch]
        keep = shapely.intersects_xy(polygon, lons, lats)
        return [row for row, kept in zip(batch, keep.tolist(), strict=True) if kept]

    return inside


def items(value: str | None) -> list[str]:
    """Return a list column's items from its JSON text."""
    return orjson.loads(value) if value else []


def flag(value: int | bool | None) -> bool | None:
    """Return a yes/no column as a boolean, or None where it is not set."""
    return None if value is None else bool(value)


def iso_date(value: str | dt.date) -> str:
    """Return a date column as ``YYYY-MM-DD``."""
    return value if isinstance(value, str) else value.isoformat()


def iso_time(value: str | dt.datetime) -> str:
    """Return a UTC timestamp column as ISO 8601 ending in ``Z``."""
    if isinstance(value, str):
        # SQLite holds UTC as "YYYY-MM-DD HH:MM:SS.ffffff", without a zone.
        return value.replace(" ", "T") + "Z"
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
