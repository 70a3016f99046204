"""Neighbourhoods, where imported assets came from, coaches' connections and API tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "neighbourhood",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("boundary", sa.LargeBinary, nullable=False),
        sa.Column("min_lon", sa.Double, nullable=False),
        sa.Column("min_lat", sa.Double, nullable=False),
        sa.Column("max_lon", sa.Double, nullable=False),
        sa.Column("max_lat", sa.Double, nullable=False),
        sa.UniqueConstraint("code", name=op.f("uq_neighbourhood_code")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Plain ADD COLUMN: rebuilding the asset table would drop its index triggers.
        op.execute(
            "ALTER TABLE asset ADD COLUMN neighbourhood_id INTEGER "
            "CONSTRAINT fk_asset_neighbourhood_id_neighbourhood "
            "REFERENCES neighbourhood (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("asset", sa.Column("neighbourhood_id", sa.Integer))
        op.create_foreign_key(
            op.f("fk_asset_neighbourhood_id_neighbourhood"),
            "asset",
            "neighbourhood",
            ["neighbourhood_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.add_column("asset", sa.Column("source", sa.String(100), nullable=False, server_default=""))
    op.add_column(
        "asset", sa.Column("source_id", sa.String(200), nullable=False, server_default="")
    )
    op.create_index("ix_asset_neighbourhood_id", "asset", ["neighbourhood_id"])
    op.create_index(
        "uq_asset_source",
        "asset",
        ["source", "source_id"],
        unique=True,
        sqlite_where=sa.text("source_id <> ''"),
        postgresql_where=sa.text("source_id <> ''"),
    )
    op.create_table(
        "connection",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("coach_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("on", sa.Date, nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_connection_asset_id", "connection", ["asset_id"])
    op.create_index("ix_connection_coach_id", "connection", ["coach_id"])
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_used_at", TIMESTAMP),
        sa.Column("revoked_at", TIMESTAMP),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])


def downgrade() -> None:
    op.drop_table("api_token")
    op.drop_table("connection")
    op.drop_index("uq_asset_source", "asset")
    op.drop_index("ix_asset_neighbourhood_id", "asset")
    for column in ("source_id", "source", "neighbourhood_id"):
        op.drop_column("asset", column)
    op.drop_table("neighbourhood")
