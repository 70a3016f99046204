"""Accounts: a session epoch that ends every session at once, and confirmed addresses.

``session_epoch`` is part of what a signed-in cookie carries; raising it on sign-out, a new
password or a change of role makes every cookie issued before it worthless. ``confirmed_at``
is when the person followed the link mailed to their address; until then they can sign in
but not add anything. Everyone who already has an account counts as confirmed.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column("app_user", sa.Column("confirmed_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE app_user SET confirmed_at = created_at")


def downgrade() -> None:
    op.drop_column("app_user", "confirmed_at")
    op.drop_column("app_user", "session_epoch")
