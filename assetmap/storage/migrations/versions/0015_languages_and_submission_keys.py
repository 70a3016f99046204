"""Remember the language a person reads and a strength is written in, and the keys of forms
sent, so a form sent twice adds once.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 08:38:34.685480
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assetmap.storage.models.base import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_submission_key_asset_id_asset"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_submission_key_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_key")),
        sa.UniqueConstraint("user_id", "key", name="uq_submission_key_user_key"),
    )
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=12), server_default="", nullable=False)
        )

    with op.batch_alter_table("asset", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=35), server_default="en-GB", nullable=False)
        )


def downgrade() -> None:
    # Not in batch mode: on SQLite that would copy the table and lose the asset table's
    # triggers, which keep its spatial and text indexes. SQLite drops a column in place.
    op.drop_column("asset", "language")
    op.drop_column("app_user", "language")
    op.drop_table("submission_key")
