"""The area an assetmap serves, derived from its neighbourhoods, and its gazetteer.

Until now the area was four numbers in the configuration and the gazetteer a CSV file of the
demo town beside the code. Both now live in the database, built by ``flask area
import-neighbourhoods`` and ``flask area import-places`` from the files a place already has.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_area",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("boundary", sa.LargeBinary, nullable=False),
        sa.Column("margin_m", sa.Double, nullable=False),
        sa.Column("min_lon", sa.Double, nullable=False),
        sa.Column("min_lat", sa.Double, nullable=False),
        sa.Column("max_lon", sa.Double, nullable=False),
        sa.Column("max_lat", sa.Double, nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_service_area_one_row")),
    )
    op.create_table(
        "place",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.CheckConstraint(
            "lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90",
            name=op.f("ck_place_location"),
        ),
    )
    op.create_index("ix_place_key", "place", ["key"], postgresql_ops={"key": "text_pattern_ops"})
    op.create_index("ix_place_lat_lon", "place", ["lat", "lon"])


def downgrade() -> None:
    op.drop_table("place")
    op.drop_table("service_area")
