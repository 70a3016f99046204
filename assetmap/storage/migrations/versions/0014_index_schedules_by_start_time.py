"""Index schedules by start time, so what's on reads them soonest first a batch at a time.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 07:19:40.315145
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("asset_schedule", schema=None) as batch_op:
        batch_op.create_index("ix_asset_schedule_start_time_id", ["start_time", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("asset_schedule", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_schedule_start_time_id")
