"""Counts and lists that summarise the register."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.query import AssetSummary
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage.backends import SUMMARY_COLUMNS, summary
from assetmap.storage.models import Asset, AssetTheme


def count_by_kind(session: orm.Session) -> dict[Kind, int]:
    """Return how many published assets there are of each kind (zero included)."""
    query = (
        sa.select(Asset.kind, sa.func.count())
        .where(Asset.status == Status.PUBLISHED)
        .group_by(Asset.kind)
    )
    counts = dict.fromkeys(Kind, 0)
    counts.update({kind: count for kind, count in session.execute(query)})
    return counts


def count_by_theme(session: orm.Session) -> dict[Theme, int]:
    """Return how many published assets carry each theme (zero included)."""
    query = (
        sa.select(AssetTheme.theme, sa.func.count())
        .join(Asset, Asset.id == AssetTheme.asset_id)
        .where(Asset.status == Status.PUBLISHED)
        .group_by(AssetTheme.theme)
    )
    counts = dict.fromkeys(Theme, 0)
    counts.update({Theme(theme): count for theme, count in session.execute(query)})
    return counts


def newest(session: orm.Session, limit: int = 10) -> list[AssetSummary]:
    """Return the most recently added published assets, newest first."""
    query = (
        sa.select(*SUMMARY_COLUMNS)
        .where(Asset.status == Status.PUBLISHED)
        .order_by(Asset.created_at.desc(), Asset.id.desc())
        .limit(limit)
    )
    return [summary(row) for row in session.execute(query)]
