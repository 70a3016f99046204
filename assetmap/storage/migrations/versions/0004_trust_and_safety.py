"""Trust and safety: neighbourhood scopes, role changes, reports, owners' answers, reminders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _user(name: str, ondelete: str = "SET NULL") -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("app_user.id", ondelete=ondelete))


def _asset_id() -> sa.Column:
    return sa.Column(
        "asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    # New columns only: on SQLite, rebuilding the asset table would drop its index triggers.
    op.add_column("asset", sa.Column("reminded_at", TIMESTAMP))
    op.add_column(
        "app_user",
        sa.Column("moderates", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "user_scope",
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("app_user.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "neighbourhood_id",
            sa.Integer,
            sa.ForeignKey("neighbourhood.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_table(
        "role_change",
        sa.Column("id", sa.Integer, primary_key=True),
        _user("user_id"),
        _user("changed_by"),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("changes", JSON, nullable=False),
    )
    for column in ("user_id", "changed_by"):
        op.create_index(f"ix_role_change_{column}", "role_change", [column])
    op.create_table(
        "report",
        sa.Column("id", sa.Integer, primary_key=True),
        _asset_id(),
        _user("reporter_id"),
        sa.Column("problem", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP),
        _user("closed_by"),
        sa.Column("outcome", sa.String(20), nullable=False),
    )
    for column in ("asset_id", "reporter_id", "closed_at"):
        op.create_index(f"ix_report_{column}", "report", [column])
    op.create_table(
        "owner_answer",
        sa.Column("id", sa.Integer, primary_key=True),
        _asset_id(),
        _user("user_id"),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_owner_answer_asset_id", "owner_answer", ["asset_id"])


def downgrade() -> None:
    for table in ("owner_answer", "report", "role_change", "user_scope"):
        op.drop_table(table)
    op.drop_column("app_user", "moderates")
    op.drop_column("asset", "reminded_at")
