"""The asset register: users, assets, themes, revisions, and each backend's indexes.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("role", _enum("role", "resident", "coach", "planner", "admin"), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
    )
    op.create_table(
        "asset",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", _enum("kind", "skill", "group", "space"), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("themes", JSON, nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("lon", sa.Double, nullable=False),
        sa.Column("lat", sa.Double, nullable=False),
        sa.Column("public_lon", sa.Double, nullable=False),
        sa.Column("public_lat", sa.Double, nullable=False),
        sa.Column("availability", sa.String(300), nullable=False),
        sa.Column("accessibility", sa.Text, nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("contact_via_coach", sa.Boolean, nullable=False),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("status", _enum("status", "published", "hidden", "withdrawn"), nullable=False),
        sa.Column("hidden_reason", sa.Text, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("last_confirmed", sa.Date, nullable=False),
        sa.Column("share_modes", JSON, nullable=False),
        sa.Column("meeting_pattern", sa.String(300), nullable=False),
        sa.Column("welcomes_new_members", sa.Boolean),
        sa.Column("opening_times", sa.String(300), nullable=False),
        sa.Column("capacity", sa.Integer),
        sa.Column("facilities", JSON, nullable=False),
        sa.CheckConstraint(
            "lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90", name=op.f("ck_asset_location")
        ),
        sa.CheckConstraint(
            "public_lon BETWEEN -180 AND 180 AND public_lat BETWEEN -90 AND 90",
            name=op.f("ck_asset_public_location"),
        ),
        sa.CheckConstraint(
            "status <> 'hidden' OR hidden_reason <> ''", name=op.f("ck_asset_hidden_reason")
        ),
    )
    op.create_index("ix_asset_owner_id", "asset", ["owner_id"])
    op.create_index("ix_asset_updated_at", "asset", ["updated_at"])
    op.create_table(
        "asset_theme",
        sa.Column(
            "asset_id",
            sa.Integer,
            sa.ForeignKey("asset.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("theme", sa.String(40), primary_key=True),
    )
    op.create_index("ix_asset_theme_theme", "asset_theme", ["theme", "asset_id"])
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "asset_id", sa.Integer, sa.ForeignKey("asset.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column(
            "action",
            _enum("action", "create", "update", "confirm", "withdraw", "hide", "restore"),
            nullable=False,
        ),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_revision_asset_id", "revision", ["asset_id"])
    op.create_index("ix_revision_user_id", "revision", ["user_id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgis_indexes()
    else:
        _sqlite_indexes()


def _postgis_indexes() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        "ALTER TABLE asset ADD COLUMN geog geography(Point, 4326) GENERATED ALWAYS AS "
        "(ST_SetSRID(ST_MakePoint(public_lon, public_lat), 4326)::geography) STORED"
    )
    op.execute("CREATE INDEX ix_asset_geog ON asset USING gist (geog)")
    # Boxes are lon/lat rectangles, which only a geometry column answers exactly.
    op.execute(
        "ALTER TABLE asset ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
        "(ST_SetSRID(ST_MakePoint(public_lon, public_lat), 4326)) STORED"
    )
    op.execute("CREATE INDEX ix_asset_geom ON asset USING gist (geom)")
    op.execute(
        "ALTER TABLE asset ADD COLUMN search tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', title), 'A') || "
        "setweight(to_tsvector('english', tags::text), 'B') || "
        "setweight(to_tsvector('english', description), 'C')) STORED"
    )
    op.execute("CREATE INDEX ix_asset_search ON asset USING gin (search)")


def _sqlite_indexes() -> None:
    # Triggers keep both indexes in step with the asset table inside the same transaction.
    # A bulk load pauses the insert trigger inside its own transaction (a row in
    # asset_index_pause that no other connection ever sees) and indexes each batch with one
    # statement per index instead.
    op.create_table("asset_index_pause", sa.Column("paused", sa.Integer, primary_key=True))
    for statement in _SQLITE_DDL:
        op.execute(statement)


_SQLITE_DDL = (
    # Auxiliary columns carry the exact public point, status and kind, so a nearby search
    # ranks its candidates from the index alone and reads full rows only for the winners.
    "CREATE VIRTUAL TABLE asset_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat, "
    "+lon REAL, +lat REAL, +status TEXT, +kind TEXT)",
    "CREATE VIRTUAL TABLE asset_fts USING fts5(title, description, tags, "
    "content='asset', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER asset_index_insert AFTER INSERT ON asset
    WHEN NOT EXISTS (SELECT 1 FROM asset_index_pause) BEGIN
        INSERT INTO asset_rtree VALUES (new.id, new.public_lon, new.public_lon,
            new.public_lat, new.public_lat, new.public_lon, new.public_lat, new.status, new.kind);
        INSERT INTO asset_fts(rowid, title, description, tags)
            VALUES (new.id, new.title, new.description, new.tags);
    END""",
    """CREATE TRIGGER asset_index_delete AFTER DELETE ON asset BEGIN
        DELETE FROM asset_rtree WHERE id = old.id;
        INSERT INTO asset_fts(asset_fts, rowid, title, description, tags)
            VALUES ('delete', old.id, old.title, old.description, old.tags);
    END""",
    """CREATE TRIGGER asset_index_move AFTER UPDATE OF public_lon, public_lat, status, kind
    ON asset BEGIN
        UPDATE asset_rtree SET min_lon = new.public_lon, max_lon = new.public_lon,
            min_lat = new.public_lat, max_lat = new.public_lat, lon = new.public_lon,
            lat = new.public_lat, status = new.status, kind = new.kind WHERE id = new.id;
    END""",
    """CREATE TRIGGER asset_index_text AFTER UPDATE OF title, description, tags ON asset BEGIN
        INSERT INTO asset_fts(asset_fts, rowid, title, description, tags)
            VALUES ('delete', old.id, old.title, old.description, old.tags);
        INSERT INTO asset_fts(rowid, title, description, tags)
            VALUES (new.id, new.title, new.description, new.tags);
    END""",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "asset_index_insert",
            "asset_index_delete",
            "asset_index_move",
            "asset_index_text",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS asset_fts")
        op.execute("DROP TABLE IF EXISTS asset_rtree")
        op.drop_table("asset_index_pause")
    op.drop_table("revision")
    op.drop_table("asset_theme")
    op.drop_table("asset")
    op.drop_table("app_user")
