"""The exact point of a person's skill: the one table no public view, report or export reads.

A skill is shown, indexed, searched, exported and recorded in its history at its public point,
the centre of a grid cell. Where its owner actually put it (often their home) is kept here
alone, and read only through ``assetmap.storage.private_points.owner_point``, for the owner's own
views. Groups and spaces are public places: their exact point is their public point, and they
have no row here.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models.base import Base


class PrivatePoint(Base):
    """Where a skill's owner put it, in WGS84; one row per skill."""

    __tablename__ = "private_point"
    __table_args__ = (
        sa.CheckConstraint("lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90", name="location"),
    )

    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True
    )
    lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
