"""Keep the explore map's fine cells in the database, written by triggers with every change.

The map's wide views were counted from an in-process cache built from the whole register, so
after a restart the first answer over a city of a million strengths waited seconds for it.
``map_cell`` holds the same counts and sums (per cell, kind and theme, '' for every theme) of
each published strength's public point, at four levels of cell, each twice the side of the one
before, so that a view at any zoom reads a few thousand rows rather than a city's worth.
Triggers on ``asset`` and ``asset_theme`` keep it with every write, whoever writes: the ORM, a
bulk load or a feed. On PostgreSQL inserts and updates are counted per statement from its
transition tables, so a bulk load sums each batch once; SQLite has row triggers only. Deleting a
strength is counted before the row goes, while its theme rows still name its themes (their
cascade then finds no strength to subtract).

The cell sizes are those of ``storage.clusters`` when this was written; a change to them needs
a migration that rewrites these triggers and rebuilds the table.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 15:21:40.473765
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

SIZE_LON = 360.0 / 2**18
SIZE_LAT = SIZE_LON / 2
# Level k's cells are 2**k level-0 cells a side, so a view at any zoom reads a few thousand.
LEVELS = 4

_SQLITE_CELLS = (
    f"CAST((public_lon - -180.0) / {SIZE_LON!r} AS INTEGER) AS lon0, "
    f"CAST((public_lat - -90.0) / {SIZE_LAT!r} AS INTEGER) AS lat0"
)
_POSTGRES_CELLS = (
    f"floor((public_lon - -180.0::float8) / {SIZE_LON!r}::float8)::int AS lon0, "
    f"floor((public_lat - -90.0::float8) / {SIZE_LAT!r}::float8)::int AS lat0"
)
_LEVELS = "(VALUES " + ", ".join(f"({level})" for level in range(LEVELS)) + ") AS levels"

# Adds the signed changes (theme, kind, public_lon, public_lat, n) into their cells, at every
# level; {cells} is the level-0 cell's column and row.
_UPSERT = """INSERT INTO map_cell
        (level, theme, lon_cell, lat_cell, kind, count, sum_lon, sum_lat)
    SELECT levels.column1, theme, lon0 >> levels.column1, lat0 >> levels.column1, kind,
        sum(n), sum(n * public_lon), sum(n * public_lat)
    FROM (SELECT changes.*, {cells} FROM ({changes}) AS changes) AS c CROSS JOIN {levels}
    WHERE true
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (level, theme, lon_cell, lat_cell, kind) DO UPDATE SET
        count = map_cell.count + excluded.count,
        sum_lon = map_cell.sum_lon + excluded.sum_lon,
        sum_lat = map_cell.sum_lat + excluded.sum_lat"""
# The same, change by change, for SQLite's row triggers: a change or two needs no grouping, and
# SQLite, unlike PostgreSQL, lets one statement update a row twice.
_ROW_UPSERT = """INSERT INTO map_cell
        (level, theme, lon_cell, lat_cell, kind, count, sum_lon, sum_lat)
    SELECT levels.column1, theme, lon0 >> levels.column1, lat0 >> levels.column1, kind,
        n, n * public_lon, n * public_lat
    FROM (SELECT changes.*, {cells} FROM ({changes}) AS changes) AS c CROSS JOIN {levels}
    WHERE true
    ON CONFLICT (level, theme, lon_cell, lat_cell, kind) DO UPDATE SET
        count = map_cell.count + excluded.count,
        sum_lon = map_cell.sum_lon + excluded.sum_lon,
        sum_lat = map_cell.sum_lat + excluded.sum_lat"""

_BACKFILL = """SELECT '' AS theme, kind, public_lon, public_lat, 1 AS n
    FROM asset WHERE status = 'published'
    UNION ALL
    SELECT t.theme, a.kind, a.public_lon, a.public_lat, 1
    FROM asset AS a JOIN asset_theme AS t ON t.asset_id = a.id WHERE a.status = 'published'"""


def _sqlite_side(row: str, n: int) -> str:
    """Return the changes of one version (``old`` or ``new``) of an asset row, themes and all."""
    return f"""SELECT t.theme, {row}.kind AS kind, {row}.public_lon AS public_lon,
        {row}.public_lat AS public_lat, {n} AS n
    FROM (SELECT '' AS theme UNION ALL SELECT theme FROM asset_theme WHERE asset_id = {row}.id)
        AS t
    WHERE {row}.status = 'published'"""


def _sqlite_theme(row: str, n: int) -> str:
    """Return the change of one version of an asset_theme row."""
    return f"""SELECT {row}.theme AS theme, kind, public_lon, public_lat, {n} AS n
    FROM asset WHERE id = {row}.asset_id AND status = 'published'"""


def _sqlite_trigger(name: str, when: str, changes: str, condition: str = "") -> str:
    upsert = _ROW_UPSERT.format(cells=_SQLITE_CELLS, changes=changes, levels=_LEVELS)
    return f"CREATE TRIGGER {name} {when} {condition} BEGIN {upsert}; END"


_MOVED = (
    "old.status IS NOT new.status OR old.kind IS NOT new.kind"
    " OR old.public_lon IS NOT new.public_lon OR old.public_lat IS NOT new.public_lat"
)
_SQLITE = (
    _sqlite_trigger(
        "map_cell_asset_insert",
        "AFTER INSERT ON asset",
        "SELECT '' AS theme, new.kind AS kind, new.public_lon AS public_lon, "
        "new.public_lat AS public_lat, 1 AS n",
        "WHEN new.status = 'published'",
    ),
    _sqlite_trigger(
        "map_cell_asset_update",
        "AFTER UPDATE OF status, kind, public_lon, public_lat ON asset",
        f"{_sqlite_side('old', -1)} UNION ALL {_sqlite_side('new', 1)}",
        f"WHEN {_MOVED}",
    ),
    _sqlite_trigger(
        "map_cell_asset_delete",
        "BEFORE DELETE ON asset",
        _sqlite_side("old", -1),
        "WHEN old.status = 'published'",
    ),
    _sqlite_trigger(
        "map_cell_theme_insert", "AFTER INSERT ON asset_theme", _sqlite_theme("new", 1)
    ),
    _sqlite_trigger(
        "map_cell_theme_delete", "AFTER DELETE ON asset_theme", _sqlite_theme("old", -1)
    ),
    _sqlite_trigger(
        "map_cell_theme_update",
        "AFTER UPDATE ON asset_theme",
        f"{_sqlite_theme('old', -1)} UNION ALL {_sqlite_theme('new', 1)}",
    ),
)
_SQLITE_TRIGGERS = tuple(statement.split()[2] for statement in _SQLITE)

_PG_ASSET_INSERTED = """SELECT '' AS theme, kind, public_lon, public_lat, 1 AS n
    FROM added WHERE status = 'published'"""
_PG_ASSET_UPDATED = """WITH moved AS (
        SELECT r.id FROM removed AS r JOIN added AS a ON a.id = r.id
        WHERE (r.status, r.kind, r.public_lon, r.public_lat)
            IS DISTINCT FROM (a.status, a.kind, a.public_lon, a.public_lat)
    ), sides AS (
        SELECT id, kind, public_lon, public_lat, -1 AS n FROM removed
        WHERE status = 'published' AND id IN (SELECT id FROM moved)
        UNION ALL
        SELECT id, kind, public_lon, public_lat, 1 FROM added
        WHERE status = 'published' AND id IN (SELECT id FROM moved)
    )
    SELECT '' AS theme, kind, public_lon, public_lat, n FROM sides
    UNION ALL
    SELECT t.theme, s.kind, s.public_lon, s.public_lat, s.n
    FROM sides AS s JOIN asset_theme AS t ON t.asset_id = s.id"""
_PG_ASSET_DELETING = """SELECT t.theme, OLD.kind AS kind, OLD.public_lon AS public_lon,
        OLD.public_lat AS public_lat, -1 AS n
    FROM (SELECT '' AS theme UNION ALL SELECT theme FROM asset_theme WHERE asset_id = OLD.id)
        AS t
    WHERE OLD.status = 'published'"""


def _pg_theme(table: str, n: int) -> str:
    return f"""SELECT c.theme, a.kind, a.public_lon, a.public_lat, {n} AS n
    FROM {table} AS c JOIN asset AS a ON a.id = c.asset_id WHERE a.status = 'published'"""


# name: (table, timing and event, transition tables, level, changes)
_PG = {
    "map_cell_asset_insert": (
        "asset",
        "AFTER INSERT",
        "REFERENCING NEW TABLE AS added",
        "STATEMENT",
        _PG_ASSET_INSERTED,
    ),
    "map_cell_asset_update": (
        "asset",
        "AFTER UPDATE",
        "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
        "STATEMENT",
        _PG_ASSET_UPDATED,
    ),
    "map_cell_asset_delete": ("asset", "BEFORE DELETE", "", "ROW", _PG_ASSET_DELETING),
    "map_cell_theme_insert": (
        "asset_theme",
        "AFTER INSERT",
        "REFERENCING NEW TABLE AS added",
        "STATEMENT",
        _pg_theme("added", 1),
    ),
    "map_cell_theme_delete": (
        "asset_theme",
        "AFTER DELETE",
        "REFERENCING OLD TABLE AS removed",
        "STATEMENT",
        _pg_theme("removed", -1),
    ),
    "map_cell_theme_update": (
        "asset_theme",
        "AFTER UPDATE",
        "REFERENCING OLD TABLE AS removed NEW TABLE AS added",
        "STATEMENT",
        f"{_pg_theme('removed', -1)} UNION ALL {_pg_theme('added', 1)}",
    ),
}


def _create_postgres() -> None:
    for name, (table, when, tables, level, changes) in _PG.items():
        upsert = _UPSERT.format(cells=_POSTGRES_CELLS, changes=changes, levels=_LEVELS)
        result = "OLD" if level == "ROW" else "NULL"
        op.execute(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {upsert}; RETURN {result}; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} {when} ON {table} {tables} "
            f"FOR EACH {level} EXECUTE FUNCTION {name}()"
        )


def upgrade() -> None:
    op.create_table(
        "map_cell",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("theme", sa.String(length=40), nullable=False),
        sa.Column("lon_cell", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("lat_cell", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("sum_lon", sa.Double(), nullable=False),
        sa.Column("sum_lat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level", "theme", "lon_cell", "lat_cell", "kind", name=op.f("pk_map_cell")
        ),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    cells = _POSTGRES_CELLS if postgres else _SQLITE_CELLS
    op.execute(_UPSERT.format(cells=cells, changes=_BACKFILL, levels=_LEVELS))
    if postgres:
        _create_postgres()
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, *_) in _PG.items():
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("map_cell")
