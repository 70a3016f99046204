"""The place an assetmap serves: the area strengths must lie in, and its gazetteer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models.base import Base


class ServiceArea(Base):
    """The area strengths must lie in, derived from the neighbourhoods: their union with a
    margin, as WGS84 polygons in WKB, and its bounding box. At most one row (id 1)."""

    __tablename__ = "service_area"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    boundary: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary)
    margin_m: orm.Mapped[float] = orm.mapped_column(sa.Double)
    min_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    min_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
    max_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    max_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)


class Place(Base):
    """A named point of the gazetteer (WGS84): a street, a place or a postcode.

    ``key`` is the name as compared (``assetmap.domain.places.normalise``): lowercase, accents,
    apostrophes and other punctuation taken out, so a lookup is an indexed match on it.
    """

    __tablename__ = "place"
    __table_args__ = (
        sa.CheckConstraint("lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90", name="location"),
        sa.Index("ix_place_key", "key", postgresql_ops={"key": "text_pattern_ops"}),
        sa.Index("ix_place_lat_lon", "lat", "lon"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(20))
    key: orm.Mapped[str] = orm.mapped_column(sa.String(200))
    lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
