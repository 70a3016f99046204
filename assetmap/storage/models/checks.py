"""Strength checks, their dated revisions, and the public's responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models.base import Base, JSONList, UTCDateTime, utcnow


class StrengthCheck(Base):
    """A look at what a community already has before a service is commissioned."""

    __tablename__ = "strength_check"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    created_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    published_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, index=True)
    published_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )

    revisions: orm.Mapped[list[CheckRevision]] = orm.relationship(
        back_populates="check",
        order_by="CheckRevision.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    responses: orm.Mapped[list[CheckResponse]] = orm.relationship(
        order_by="CheckResponse.id", cascade="all, delete-orphan", passive_deletes=True
    )


class CheckRevision(Base):
    """One dated, unchangeable version of a check: the proposal, its findings, the decision.

    ``findings`` are the public records of the strengths found when the check ran, kept as they
    were; a later change makes a new revision and leaves this one as it is.
    """

    __tablename__ = "check_revision"
    __table_args__ = (sa.UniqueConstraint("check_id", "number"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    check_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("strength_check.id", ondelete="CASCADE"), index=True
    )
    number: orm.Mapped[int] = orm.mapped_column()
    name: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    proposal: orm.Mapped[dict[str, Any]] = orm.mapped_column(JSONList)
    findings: orm.Mapped[list[dict[str, Any]]] = orm.mapped_column(JSONList)
    run_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime)
    decision: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(JSONList)
    change: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    made_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    made_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)

    check: orm.Mapped[StrengthCheck] = orm.relationship(back_populates="revisions")


class CheckResponse(Base):
    """A resident's answer to a published check, and what staff did about it."""

    __tablename__ = "check_response"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    check_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("strength_check.id", ondelete="CASCADE"), index=True
    )
    user_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    missed: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    take_part: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="")
    comment: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    acted_on_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    acted_on_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    action_note: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
