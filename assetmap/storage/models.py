"""The tables assetmap keeps, as SQLAlchemy 2 typed models.

Spatial and text indexes are not mapped here: each backend builds its own in the migrations
(an R*Tree and FTS5 on SQLite, a geography column and tsvector on PostGIS).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.dialects.postgresql import JSONB

from assetmap.domain.vocab import Action, Kind, Role, Status

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONList = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC on every backend and always read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """Return the current time in UTC."""
    return dt.datetime.now(dt.UTC)


def _enum(enum_cls: type, name: str) -> sa.Enum:
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(orm.DeclarativeBase):
    """The declarative base, with stable constraint names on every backend."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """Someone who signs in: a resident, coach, planner or admin."""

    __tablename__ = "app_user"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    email: orm.Mapped[str] = orm.mapped_column(sa.String(254), unique=True)
    display_name: orm.Mapped[str] = orm.mapped_column(sa.String(100), default="")
    password_hash: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    role: orm.Mapped[Role] = orm.mapped_column(_enum(Role, "role"), default=Role.RESIDENT)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    # A coach or admin who moderates reports (in their neighbourhoods, where they have some).
    moderates: orm.Mapped[bool] = orm.mapped_column(default=False, server_default=sa.false())

    assets: orm.Mapped[list[Asset]] = orm.relationship(back_populates="owner")
    scope_rows: orm.Mapped[list[UserScope]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="UserScope.neighbourhood_id"
    )

    @property
    def neighbourhoods(self) -> frozenset[int]:
        """Return the neighbourhoods the user is limited to; empty means everywhere."""
        return frozenset(row.neighbourhood_id for row in self.scope_rows)


class Asset(Base):
    """A community strength: a skill, a group or a space."""

    __tablename__ = "asset"
    __table_args__ = (
        sa.CheckConstraint("lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90", name="location"),
        sa.CheckConstraint(
            "public_lon BETWEEN -180 AND 180 AND public_lat BETWEEN -90 AND 90",
            name="public_location",
        ),
        sa.CheckConstraint("status <> 'hidden' OR hidden_reason <> ''", name="hidden_reason"),
        sa.Index("ix_asset_updated_at", "updated_at"),
        # Covers counting each neighbourhood's published strengths from the index alone.
        sa.Index("ix_asset_neighbourhood_status", "neighbourhood_id", "status"),
        sa.Index(
            "uq_asset_source",
            "source",
            "source_id",
            unique=True,
            sqlite_where=sa.text("source_id <> ''"),
            postgresql_where=sa.text("source_id <> ''"),
        ),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    kind: orm.Mapped[Kind] = orm.mapped_column(_enum(Kind, "kind"))
    title: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    themes: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    tags: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    # The exact point, private to the owner (and to staff for groups and spaces).
    lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
    # The point the public sees and every spatial index is built on.
    public_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    public_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
    availability: orm.Mapped[str] = orm.mapped_column(sa.String(300), default="")
    accessibility: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    contact: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    contact_via_coach: orm.Mapped[bool] = orm.mapped_column(default=False)
    owner_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    status: orm.Mapped[Status] = orm.mapped_column(
        _enum(Status, "status"), default=Status.PUBLISHED
    )
    hidden_reason: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    updated_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    last_confirmed: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    share_modes: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    meeting_pattern: orm.Mapped[str] = orm.mapped_column(sa.String(300), default="")
    welcomes_new_members: orm.Mapped[bool | None] = orm.mapped_column()
    opening_times: orm.Mapped[str] = orm.mapped_column(sa.String(300), default="")
    capacity: orm.Mapped[int | None] = orm.mapped_column()
    facilities: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)

    neighbourhood_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="SET NULL")
    )
    # Where an imported asset came from (e.g. "osm", a file's name) and its id there.
    source: orm.Mapped[str] = orm.mapped_column(sa.String(100), default="")
    source_id: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    # When the owner was last reminded to confirm it, so a reminder goes once per interval.
    reminded_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)

    owner: orm.Mapped[User | None] = orm.relationship(back_populates="assets")
    neighbourhood: orm.Mapped[Neighbourhood | None] = orm.relationship()
    theme_rows: orm.Mapped[list[AssetTheme]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    revisions: orm.Mapped[list[Revision]] = orm.relationship(
        back_populates="asset", order_by="Revision.id"
    )


class AssetTheme(Base):
    """One theme of one asset: the index behind every theme filter."""

    __tablename__ = "asset_theme"
    __table_args__ = (sa.Index("ix_asset_theme_theme", "theme", "asset_id"),)

    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    theme: orm.Mapped[str] = orm.mapped_column(sa.String(40), primary_key=True)


class Revision(Base):
    """One creation, change, confirmation or withdrawal of an asset: who, when and what."""

    __tablename__ = "revision"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    user_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    action: orm.Mapped[Action] = orm.mapped_column(_enum(Action, "action"))
    at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    changes: orm.Mapped[dict[str, Any]] = orm.mapped_column(JSONList, default=dict)
    reason: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")

    asset: orm.Mapped[Asset] = orm.relationship(back_populates="revisions")
    user: orm.Mapped[User | None] = orm.relationship()


class Neighbourhood(Base):
    """A named area of the map, such as a ward; its boundary is WGS84 polygons as WKB."""

    __tablename__ = "neighbourhood"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    code: orm.Mapped[str] = orm.mapped_column(sa.String(60), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    boundary: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary)
    min_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    min_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
    max_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    max_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)


class Connection(Base):
    """A coach connected someone with a strength: when, which, who, and a note with no names."""

    __tablename__ = "connection"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), index=True
    )
    coach_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    on: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    note: orm.Mapped[str] = orm.mapped_column(sa.String(500), default="")
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)


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
