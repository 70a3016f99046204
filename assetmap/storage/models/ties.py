"""When groups meet and spaces open, and the ties between strengths."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.schedules import DEFAULT_TIMEZONE
from assetmap.domain.ties import TieKind, TieState
from assetmap.storage.models.base import Base, JSONList, UTCDateTime, enum_type, utcnow


class AssetSchedule(Base):
    """One repeating session of a group, or opening hours of a space, as RFC 5545.

    ``rule`` is the RRULE value; ``starts_on`` at ``start_time`` in ``timezone`` is its DTSTART;
    ``cancelled`` holds ISO dates (its EXDATEs). ``domain.schedules.Schedule`` reads it back.
    """

    __tablename__ = "asset_schedule"
    # What's on reads schedules soonest first, a batch at a time, from where the last ended.
    __table_args__ = (sa.Index("ix_asset_schedule_start_time_id", "start_time", "id"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    position: orm.Mapped[int] = orm.mapped_column(default=0)
    rule: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    starts_on: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    ends_on: orm.Mapped[dt.date | None] = orm.mapped_column(sa.Date)
    start_time: orm.Mapped[dt.time] = orm.mapped_column(sa.Time)
    end_time: orm.Mapped[dt.time | None] = orm.mapped_column(sa.Time)
    cancelled: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    timezone: orm.Mapped[str] = orm.mapped_column(sa.String(60), default=DEFAULT_TIMEZONE)


class Tie(Base):
    """A tie from one strength to another (``domain.ties``): who made it, and whether agreed."""

    __tablename__ = "tie"
    __table_args__ = (
        sa.UniqueConstraint("kind", "from_id", "to_id"),
        sa.CheckConstraint("from_id <> to_id", name="not_itself"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[TieKind] = orm.mapped_column(enum_type(TieKind, "tie_kind"))
    from_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    to_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    state: orm.Mapped[TieState] = orm.mapped_column(enum_type(TieState, "tie_state"))
    made_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    decided_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
