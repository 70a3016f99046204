"""Strength checks: each check, its dated revisions with frozen findings, residents' responses.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _user(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL"))


def _check_id() -> sa.Column:
    return sa.Column(
        "check_id",
        sa.Integer,
        sa.ForeignKey("strength_check.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "strength_check",
        sa.Column("id", sa.Integer, primary_key=True),
        _user("created_by"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("published_at", TIMESTAMP),
        _user("published_by"),
    )
    for column in ("created_by", "published_at", "published_by"):
        op.create_index(f"ix_strength_check_{column}", "strength_check", [column])
    op.create_table(
        "check_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        _check_id(),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("proposal", JSON, nullable=False),
        sa.Column("findings", JSON, nullable=False),
        sa.Column("run_at", TIMESTAMP, nullable=False),
        sa.Column("decision", JSON),
        sa.Column("change", sa.String(200), nullable=False),
        _user("made_by"),
        sa.Column("made_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("check_id", "number", name=op.f("uq_check_revision_check_id")),
    )
    for column in ("check_id", "made_by"):
        op.create_index(f"ix_check_revision_{column}", "check_revision", [column])
    op.create_table(
        "check_response",
        sa.Column("id", sa.Integer, primary_key=True),
        _check_id(),
        _user("user_id"),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("missed", sa.Text, nullable=False),
        sa.Column("take_part", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("acted_on_at", TIMESTAMP),
        _user("acted_on_by"),
        sa.Column("action_note", sa.Text, nullable=False),
    )
    for column in ("check_id", "user_id", "acted_on_by"):
        op.create_index(f"ix_check_response_{column}", "check_response", [column])


def downgrade() -> None:
    op.drop_table("check_response")
    op.drop_table("check_revision")
    op.drop_table("strength_check")
