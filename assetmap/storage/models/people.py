"""People who sign in, their API tokens, their neighbourhoods and changes of role."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.vocab import Role
from assetmap.storage.models.base import Base, JSONList, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from assetmap.storage.models.register import Asset


class User(Base):
    """Someone who signs in: a resident, coach, planner or admin."""

    __tablename__ = "app_user"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), unique=True)
    display_name: orm.Mapped[str] = orm.mapped_column(sa.String(100), default="")
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    role: orm.Mapped[Role] = orm.mapped_column(enum_type(Role, "role"), default=Role.RESIDENT)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    # A coach or admin who moderates reports (in their neighbourhoods, where they have some).
    moderates: orm.Mapped[bool] = orm.mapped_column(default=False, server_default=sa.false())
    # Raised to end every session at once: sign-out, a new password, a change of role.
    session_epoch: orm.Mapped[int] = orm.mapped_column(default=0, server_default="0")
    # When the person followed the link mailed to their address; None until then.
    confirmed_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    # The language the person chose for pages and mail ("cy"); empty until they choose.
    language: orm.Mapped[str] = orm.mapped_column(sa.String(12), default="", server_default="")
    # The neighbourhood they say they live in: who may vote in a community fund's round there
    # (with a confirmed email address).
    home_neighbourhood_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="SET NULL")
    )

    assets: orm.Mapped[list[Asset]] = orm.relationship(back_populates="owner")
    scope_rows: orm.Mapped[list[UserScope]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="UserScope.neighbourhood_id"
    )

    @property
    def neighbourhoods(self) -> frozenset[int]:
        """Return the neighbourhoods the user is limited to; empty means everywhere."""
        return frozenset(row.neighbourhood_id for row in self.scope_rows)


class ApiToken(Base):
    """A personal API token: only its hash is kept; the person sees the token once."""

    __tablename__ = "api_token"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    name: orm.Mapped[str] = orm.mapped_column(sa.String(100))
    token_hash: orm.Mapped[str] = orm.mapped_column(sa.String(128), unique=True)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    last_used_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    revoked_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)

    user: orm.Mapped[User] = orm.relationship()


class UserScope(Base):
    """A neighbourhood a coach, planner or admin is limited to; none means everywhere."""

    __tablename__ = "user_scope"

    user_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    neighbourhood_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )


class RoleChange(Base):
    """One change of a user's role, neighbourhoods or moderation: who, when, from what to what."""

    __tablename__ = "role_change"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    changed_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    changes: orm.Mapped[dict[str, Any]] = orm.mapped_column(JSONList, default=dict)

    user: orm.Mapped[User | None] = orm.relationship(foreign_keys=[user_id])
    by: orm.Mapped[User | None] = orm.relationship(foreign_keys=[changed_by])
