"""The register: strengths, their themes and revisions, neighbourhoods and connections."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.vocab import Action, Kind, Status
from assetmap.storage.models.base import Base, JSONList, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from assetmap.storage.models.people import User


class Asset(Base):
    """A community strength: a skill, a group or a space."""

    __tablename__ = "asset"
    __table_args__ = (
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
    kind: orm.Mapped[Kind] = orm.mapped_column(enum_type(Kind, "kind"))
    title: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    description: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    themes: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    tags: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    # Where the strength is shown, indexed and searched: a group's or a space's own point, a
    # skill's grid-cell centre. A skill's exact point is kept apart (``models.private``).
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
        enum_type(Status, "status"), default=Status.PUBLISHED
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
    # The language its owner wrote it in, as a BCP 47 tag: pages never translate it.
    language: orm.Mapped[str] = orm.mapped_column(
        sa.String(35), default="en-GB", server_default="en-GB"
    )

    neighbourhood_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="SET NULL")
    )
    # Where an imported asset came from (e.g. "osm", a file's name) and its id there.
    source: orm.Mapped[str] = orm.mapped_column(sa.String(100), default="")
    source_id: orm.Mapped[str] = orm.mapped_column(sa.String(200), default="")
    # When an import last found it in its source (a feed or file), and when its source stopped
    # listing it: its provenance, beside ``source``. Both None for a strength added here.
    checked_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    unlisted_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    # Who last assured it (``domain.provenance.Assurer``): a person, or its source, confirming
    # it is still right on ``last_confirmed``; empty where nobody is known to have.
    assured_by: orm.Mapped[str] = orm.mapped_column(sa.String(20), default="", server_default="")
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
    action: orm.Mapped[Action] = orm.mapped_column(enum_type(Action, "action"))
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


class SubmissionKey(Base):
    """A key a person's device sent with a new strength, so that the same form sent twice
    (again after a lost connection, or from a queue of forms kept while offline) adds it once."""

    __tablename__ = "submission_key"
    __table_args__ = (sa.UniqueConstraint("user_id", "key", name="uq_submission_key_user_key"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    user_id: orm.Mapped[int] = orm.mapped_column(sa.ForeignKey("app_user.id", ondelete="CASCADE"))
    key: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    asset_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="SET NULL")
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
