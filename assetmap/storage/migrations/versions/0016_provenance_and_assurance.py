"""Record a strength's provenance (when it was last found in its source, and when its source
stopped listing it) and who last assured it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 11:50:16.257338
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assetmap.storage.models.base import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unlisted_at", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("assured_by", sa.String(length=20), server_default="", nullable=False)
        )
    # A strength whose owner added or last confirmed it was assured by its owner then.
    op.execute(
        """
        UPDATE asset SET assured_by = 'owner'
        WHERE owner_id IS NOT NULL AND owner_id = (
            SELECT revision.user_id FROM revision
            WHERE revision.asset_id = asset.id AND revision.action IN ('create', 'confirm')
            ORDER BY revision.id DESC LIMIT 1
        )
        """
    )


def downgrade() -> None:
    # Not in batch mode: on SQLite that would copy the table and lose the asset table's
    # triggers, which keep its spatial and text indexes. SQLite drops a column in place.
    op.drop_column("asset", "assured_by")
    op.drop_column("asset", "unlisted_at")
    op.drop_column("asset", "checked_at")
