"""The explore map's fine cells, kept by the database as strengths are written."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models.base import Base


class MapCell(Base):
    """How many published strengths of one kind (and one theme, or '' for all) lie in one cell.

    A cell of ``level`` 0 is ``storage.clusters.CACHE_CELL_LON`` degrees of longitude by
    ``CACHE_CELL_LAT`` of latitude, counted from 180 west and 90 south, of their public points;
    one of level k is 2**k of those a side (its column and row are theirs shifted right by k).
    Triggers on ``asset`` and ``asset_theme`` keep it (see the migration that made it); a count
    can fall to 0 and the row stay, so readers skip those.
    """

    __tablename__ = "map_cell"

    level: orm.Mapped[int] = orm.mapped_column(
        sa.SmallInteger, primary_key=True, autoincrement=False
    )
    theme: orm.Mapped[str] = orm.mapped_column(sa.String(40), primary_key=True)
    lon_cell: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    lat_cell: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=False)
    kind: orm.Mapped[str] = orm.mapped_column(sa.String(20), primary_key=True)
    count: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)
    sum_lon: orm.Mapped[float] = orm.mapped_column(sa.Double)
    sum_lat: orm.Mapped[float] = orm.mapped_column(sa.Double)
