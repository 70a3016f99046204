"""Bring confirmation dates set in the future back to today.

Owners could once send any ``last_confirmed`` through the API, and a date such as 9999-12-31 kept
a strength out of the freshness loop for ever. Confirming is now dated by the server alone; a
date still to come is set to the day this runs.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_asset = sa.table("asset", sa.column("last_confirmed", sa.Date))


def upgrade() -> None:
    today = dt.datetime.now(dt.UTC).date()
    op.execute(_asset.update().where(_asset.c.last_confirmed > today).values(last_confirmed=today))


def downgrade() -> None:
    """Nothing to undo: the dates in the future were never true."""
