"""Reports of strengths, and owners' answers to a hiding."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from assetmap.storage.models.register import Asset


class Report(Base):
    """Someone said a strength is wrong, out of date or abusive; a moderator deals with it."""

    __tablename__ = "report"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    reporter_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    problem: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    reason: orm.Mapped[str] = orm.mapped_column(sa.Text)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    closed_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, index=True)
    closed_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    outcome: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="")

    asset: orm.Mapped[Asset] = orm.relationship()


class OwnerAnswer(Base):
    """What a strength's owner said back to a moderator about hiding it."""

    __tablename__ = "owner_answer"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    user_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    text: orm.Mapped[str] = orm.mapped_column(sa.Text)
