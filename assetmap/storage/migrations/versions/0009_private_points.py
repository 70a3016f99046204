"""Keep a skill's exact point in a table of its own, and nowhere else.

The asset table held every strength's exact point beside its public one, so any query, import
check, history or export could reach a person's home by accident. The exact point of a skill
moves to ``private_point``, which only the owner's views read; the asset table keeps the public
point alone (for groups and spaces it is their exact point). Revisions of skills recorded the
exact point they were given: those values become the public point of the same grid cell
(``ASSETMAP_PRIVACY_CELL_M``, 400 m unless set). Source ids made from a hash of a strength's
title and point are replaced by random ones.

SQLite cannot drop a column named in a CHECK constraint, and rebuilding the asset table would
cascade its deletion to every table that refers to it. So the constraint is taken out of the
stored schema (SQLite's documented procedure for changes that leave the stored rows as they
are) before the columns are dropped.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Any

import sqlalchemy as sa
from alembic import op

from assetmap.domain.privacy import DEFAULT_CELL_M, generalise_point

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_asset = sa.table(
    "asset",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("source_id", sa.String),
)
_revision = sa.table(
    "revision", sa.column("id", sa.Integer), sa.column("asset_id"), sa.column("changes", sa.JSON)
)
_CHECK = re.compile(r",\s*CONSTRAINT ck_asset_location CHECK \([^()]*\)", re.IGNORECASE)


def upgrade() -> None:
    op.create_table(
        "private_point",
        sa.Column("asset_id", sa.Integer, nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.CheckConstraint(
            "lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90",
            name=op.f("ck_private_point_location"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_private_point_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_private_point")),
    )
    op.execute(
        "INSERT INTO private_point (asset_id, lon, lat) "
        "SELECT id, lon, lat FROM asset WHERE kind = 'skill'"
    )
    _generalise_skill_revisions(float(os.environ.get("ASSETMAP_PRIVACY_CELL_M", DEFAULT_CELL_M)))
    _replace_hashed_source_ids()
    _drop_exact_columns()


def _generalise_skill_revisions(cell_m: float) -> None:
    """Put the public point in place of the exact one in every recorded change of a skill."""
    bind = op.get_bind()
    skills = sa.select(_asset.c.id).where(_asset.c.kind == "skill")
    rows = bind.execute(
        sa.select(_revision.c.id, _revision.c.changes).where(_revision.c.asset_id.in_(skills))
    ).all()
    for revision_id, changes in rows:
        if changes and ("lon" in changes or "lat" in changes):
            bind.execute(
                _revision.update()
                .where(_revision.c.id == revision_id)
                .values(changes=_generalised(changes, cell_m))
            )


def _generalised(changes: dict[str, Any], cell_m: float) -> dict[str, Any]:
    lons, lats = changes.get("lon", [None, None]), changes.get("lat", [None, None])
    points = [
        generalise_point(lon, lat, cell_m) if lon is not None and lat is not None else (None, None)
        for lon, lat in zip(lons, lats, strict=False)
    ]
    out = dict(changes)
    out["lon"], out["lat"] = [p[0] for p in points], [p[1] for p in points]
    return out


def _replace_hashed_source_ids() -> None:
    """Give a random id to each strength whose generated id was a hash of its point."""
    bind = op.get_bind()
    ids = bind.execute(sa.select(_asset.c.id).where(_asset.c.source_id.like("sha1:%"))).scalars()
    for asset_id in list(ids):
        new_id = "id:" + secrets.token_hex(10)
        bind.execute(_asset.update().where(_asset.c.id == asset_id).values(source_id=new_id))


def _drop_exact_columns() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _drop_sqlite_check()
    else:
        op.drop_constraint(op.f("ck_asset_location"), "asset", type_="check")
    op.drop_column("asset", "lon")
    op.drop_column("asset", "lat")


def _drop_sqlite_check() -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'asset'"
    ).scalar_one()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'asset'",
        (_CHECK.sub("", sql, count=1),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def downgrade() -> None:
    for name in ("lon", "lat"):
        op.add_column("asset", sa.Column(name, sa.Double, nullable=False, server_default="0"))
    op.execute(
        "UPDATE asset SET lon = COALESCE((SELECT p.lon FROM private_point p "
        "WHERE p.asset_id = asset.id), public_lon), lat = COALESCE((SELECT p.lat FROM "
        "private_point p WHERE p.asset_id = asset.id), public_lat)"
    )
    if op.get_bind().dialect.name != "sqlite":
        within = "lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90"
        op.create_check_constraint(op.f("ck_asset_location"), "asset", within)
    op.drop_table("private_point")
