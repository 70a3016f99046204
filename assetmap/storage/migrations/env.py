"""Alembic environment: runs on the connection assetmap hands over, on SQLite or PostGIS."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy import exc

from assetmap.storage.models import Base

# Each backend builds its own spatial and text indexes; they are not in the models.
_BACKEND_OWNED = (
    "geog",
    "geom",
    "search",
    "asset_rtree",
    "asset_fts",
    "ix_asset_ge",
    "ix_asset_search",
    "spatial_ref_sys",
)


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    if type_ == "foreign_key_constraint" and context.get_bind().dialect.name == "sqlite":
        # SQLite reflects a column's inline foreign key without its name or ON DELETE, so
        # comparing them there reports differences that are not; PostgreSQL compares them.
        return False
    return not (reflected and compare_to is None and (name or "").startswith(_BACKEND_OWNED))


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "run migrations through assetmap: `flask --app assetmap init-db` applies them, "
            '`make migration MESSAGE="..."` writes the next one'
        )
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=_include_object,
    )
    # PostGIS's column types are the backend's own and are not mapped in the models.
    warnings.filterwarnings(
        "ignore", r"Did not recognize type '(geography|geometry)'", exc.SAWarning
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
