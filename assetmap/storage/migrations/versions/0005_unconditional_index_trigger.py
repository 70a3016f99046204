"""Keep the SQLite insert trigger unconditional; bulk loads set it aside for their transaction.

The insert trigger used to ask a pause table on every row, which cost a bulk load a third of its
asset inserts. A bulk load now drops the trigger inside its own transaction, indexes each batch
with one statement, and creates the trigger again before it commits: no other connection ever
sees the trigger missing. PostgreSQL has no such trigger and nothing changes there.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_BODY = """BEGIN
        INSERT INTO asset_rtree VALUES (new.id, new.public_lon, new.public_lon,
            new.public_lat, new.public_lat, new.public_lon, new.public_lat, new.status, new.kind);
        INSERT INTO asset_fts(rowid, title, description, tags)
            VALUES (new.id, new.title, new.description, new.tags);
    END"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER asset_index_insert")
    op.execute(f"CREATE TRIGGER asset_index_insert AFTER INSERT ON asset {_BODY}")
    op.drop_table("asset_index_pause")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_table("asset_index_pause", sa.Column("paused", sa.Integer, primary_key=True))
    op.execute("DROP TRIGGER asset_index_insert")
    op.execute(
        "CREATE TRIGGER asset_index_insert AFTER INSERT ON asset "
        f"WHEN NOT EXISTS (SELECT 1 FROM asset_index_pause) {_BODY}"
    )
