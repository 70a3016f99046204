"""Count each neighbourhood's published strengths from an index alone.

The map page shades every neighbourhood by how many published strengths it holds. An index of
``(neighbourhood_id, status)`` answers that count without reading a row of the asset table,
and still serves every lookup by neighbourhood, so it replaces the index of
``neighbourhood_id`` alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_asset_neighbourhood_status", "asset", ["neighbourhood_id", "status"])
    op.drop_index("ix_asset_neighbourhood_id", table_name="asset")


def downgrade() -> None:
    op.create_index("ix_asset_neighbourhood_id", "asset", ["neighbourhood_id"])
    op.drop_index("ix_asset_neighbourhood_status", table_name="asset")
