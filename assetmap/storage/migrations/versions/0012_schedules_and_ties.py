"""When groups meet and spaces open (RFC 5545 schedules), and the ties between strengths.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:20:26.118051
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "asset_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("cancelled", JSON, nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_asset_schedule_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_schedule")),
    )
    with op.batch_alter_table("asset_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_schedule_asset_id"), ["asset_id"], unique=False)

    op.create_table(
        "tie",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "meets-at",
                "runs-with",
                "offers",
                name="tie_kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("from_id", sa.Integer(), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "accepted",
                "declined",
                name="tie_state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("made_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("from_id <> to_id", name=op.f("ck_tie_not_itself")),
        sa.ForeignKeyConstraint(
            ["from_id"], ["asset.id"], name=op.f("fk_tie_from_id_asset"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["made_by"], ["app_user.id"], name=op.f("fk_tie_made_by_app_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["to_id"], ["asset.id"], name=op.f("fk_tie_to_id_asset"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tie")),
        sa.UniqueConstraint("kind", "from_id", "to_id", name=op.f("uq_tie_kind")),
    )
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_from_id"), ["from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tie_to_id"), ["to_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tie", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tie_to_id"))
        batch_op.drop_index(batch_op.f("ix_tie_from_id"))

    op.drop_table("tie")
    with op.batch_alter_table("asset_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_schedule_asset_id"))

    op.drop_table("asset_schedule")
