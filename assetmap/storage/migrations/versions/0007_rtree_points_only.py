"""Keep only each strength's box in the SQLite R*Tree; a nearby search joins the asset row.

The R*Tree carried the public point, status and kind as auxiliary columns, so that a nearby
search could rank its candidates from the index alone. SQLite keeps auxiliary columns in a
shadow table and reads each through a statement of its own, which cost a search twice the
instructions of reading the same values from the asset row by its id. The index now holds the
box alone, and the search joins the asset table. PostgreSQL has no R*Tree; nothing changes there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FTS_INSERT = """INSERT INTO asset_fts(rowid, title, description, tags)
            VALUES (new.id, new.title, new.description, new.tags);"""

_POINTS_ONLY = (
    "CREATE VIRTUAL TABLE asset_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat)",
    "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, public_lat FROM asset",
    f"""CREATE TRIGGER asset_index_insert AFTER INSERT ON asset BEGIN
        INSERT INTO asset_rtree VALUES (new.id, new.public_lon, new.public_lon,
            new.public_lat, new.public_lat);
        {_FTS_INSERT}
    END""",
    """CREATE TRIGGER asset_index_move AFTER UPDATE OF public_lon, public_lat ON asset BEGIN
        UPDATE asset_rtree SET min_lon = new.public_lon, max_lon = new.public_lon,
            min_lat = new.public_lat, max_lat = new.public_lat WHERE id = new.id;
    END""",
)

_WITH_AUXILIARY = (
    "CREATE VIRTUAL TABLE asset_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, "
    "+lon REAL, +lat REAL, +status TEXT, +kind TEXT)",
    "INSERT INTO asset_rtree SELECT id, public_lon, public_lon, public_lat, public_lat, "
    "public_lon, public_lat, status, kind FROM asset",
    f"""CREATE TRIGGER asset_index_insert AFTER INSERT ON asset BEGIN
        INSERT INTO asset_rtree VALUES (new.id, new.public_lon, new.public_lon,
            new.public_lat, new.public_lat, new.public_lon, new.public_lat, new.status, new.kind);
        {_FTS_INSERT}
    END""",
    """CREATE TRIGGER asset_index_move AFTER UPDATE OF public_lon, public_lat, status, kind
    ON asset BEGIN
        UPDATE asset_rtree SET min_lon = new.public_lon, max_lon = new.public_lon,
            min_lat = new.public_lat, max_lat = new.public_lat, lon = new.public_lon,
            lat = new.public_lat, status = new.status, kind = new.kind WHERE id = new.id;
    END""",
)


def _rebuild(statements: tuple[str, ...]) -> None:
    """Drop the R*Tree and the triggers that write it, then build them from ``statements``."""
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER asset_index_insert")
    op.execute("DROP TRIGGER asset_index_move")
    op.execute("DROP TABLE asset_rtree")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    _rebuild(_POINTS_ONLY)


def downgrade() -> None:
    _rebuild(_WITH_AUXILIARY)
