"""Community funds: rounds for an area, proposals built on strengths, who voted, secret
ballots and project updates; and where a person says they live, to vote there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:26:48.809089
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from assetmap.storage.models.base import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "fund_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("budget_pence", sa.BigInteger(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "budget",
                "approval",
                name="voting_method",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "tie_break",
            sa.Enum(
                "smaller-first",
                "earlier-first",
                name="tie_break",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "proposers",
            JSON,
            nullable=False,
        ),
        sa.Column("proposals_open", sa.Date(), nullable=False),
        sa.Column("proposals_close", sa.Date(), nullable=False),
        sa.Column("voting_open", sa.Date(), nullable=False),
        sa.Column("voting_close", sa.Date(), nullable=False),
        sa.Column("results_on", sa.Date(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("counted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column(
            "result",
            JSON,
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["strength_check.id"],
            name=op.f("fk_fund_round_check_id_strength_check"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
            name=op.f("fk_fund_round_created_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["app_user.id"],
            name=op.f("fk_fund_round_published_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_round")),
    )
    with op.batch_alter_table("fund_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fund_round_check_id"), ["check_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_fund_round_published_at"), ["published_at"], unique=False
        )

    op.create_table(
        "fund_ballot",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column(
            "chosen",
            JSON,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["fund_round.id"],
            name=op.f("fk_fund_ballot_round_id_fund_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "holder", name=op.f("pk_fund_ballot")),
    )
    op.create_table(
        "fund_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("who_will_do_it", sa.Text(), nullable=False),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=True),
        sa.Column("on_behalf", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "eligible",
                "not-eligible",
                "funded",
                "not-funded",
                name="proposal_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("checked_by", sa.Integer(), nullable=True),
        sa.Column("checked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by"],
            ["app_user.id"],
            name=op.f("fk_fund_proposal_checked_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"],
            ["app_user.id"],
            name=op.f("fk_fund_proposal_proposed_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["fund_round.id"],
            name=op.f("fk_fund_proposal_round_id_fund_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_proposal")),
    )
    with op.batch_alter_table("fund_proposal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_proposal_proposed_by"), ["proposed_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fund_proposal_round_id"), ["round_id"], unique=False)

    op.create_table(
        "fund_round_area",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhood.id"],
            name=op.f("fk_fund_round_area_neighbourhood_id_neighbourhood"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["fund_round.id"],
            name=op.f("fk_fund_round_area_round_id_fund_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "neighbourhood_id", name=op.f("pk_fund_round_area")),
    )
    op.create_table(
        "fund_voter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("person_key", sa.String(length=64), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("voted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhood.id"],
            name=op.f("fk_fund_voter_neighbourhood_id_neighbourhood"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["app_user.id"],
            name=op.f("fk_fund_voter_recorded_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["fund_round.id"],
            name=op.f("fk_fund_voter_round_id_fund_round"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_fund_voter_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_voter")),
        sa.UniqueConstraint("round_id", "person_key", name="uq_fund_voter_round_person"),
        sa.UniqueConstraint("round_id", "user_id", name="uq_fund_voter_round_user"),
    )
    with op.batch_alter_table("fund_voter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_voter_recorded_by"), ["recorded_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fund_voter_round_id"), ["round_id"], unique=False)

    op.create_table(
        "fund_proposal_strength",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column(
            "consent",
            sa.Enum(
                "not-needed",
                "asked",
                "agreed",
                "declined",
                name="consent",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["asset.id"],
            name=op.f("fk_fund_proposal_strength_asset_id_asset"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposal.id"],
            name=op.f("fk_fund_proposal_strength_proposal_id_fund_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", "asset_id", name=op.f("pk_fund_proposal_strength")),
    )
    with op.batch_alter_table("fund_proposal_strength", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_proposal_strength_asset_id"), ["asset_id"], unique=False
        )

    op.create_table(
        "fund_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("milestone", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["app_user.id"],
            name=op.f("fk_fund_update_created_by_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["fund_proposal.id"],
            name=op.f("fk_fund_update_proposal_id_fund_proposal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_update")),
    )
    with op.batch_alter_table("fund_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fund_update_proposal_id"), ["proposal_id"], unique=False
        )

    # Not in batch mode, which on SQLite would copy the table: SQLite adds a column with its
    # reference in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE app_user ADD COLUMN home_neighbourhood_id INTEGER "
            "CONSTRAINT fk_app_user_home_neighbourhood_id_neighbourhood "
            "REFERENCES neighbourhood (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("app_user", sa.Column("home_neighbourhood_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_app_user_home_neighbourhood_id_neighbourhood"),
            "app_user",
            "neighbourhood",
            ["home_neighbourhood_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(
            op.f("fk_app_user_home_neighbourhood_id_neighbourhood"), "app_user", type_="foreignkey"
        )
    op.drop_column("app_user", "home_neighbourhood_id")

    with op.batch_alter_table("fund_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_update_proposal_id"))

    op.drop_table("fund_update")
    with op.batch_alter_table("fund_proposal_strength", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_proposal_strength_asset_id"))

    op.drop_table("fund_proposal_strength")
    with op.batch_alter_table("fund_voter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_voter_round_id"))
        batch_op.drop_index(batch_op.f("ix_fund_voter_recorded_by"))

    op.drop_table("fund_voter")
    op.drop_table("fund_round_area")
    with op.batch_alter_table("fund_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_proposal_round_id"))
        batch_op.drop_index(batch_op.f("ix_fund_proposal_proposed_by"))

    op.drop_table("fund_proposal")
    op.drop_table("fund_ballot")
    with op.batch_alter_table("fund_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_round_published_at"))
        batch_op.drop_index(batch_op.f("ix_fund_round_check_id"))

    op.drop_table("fund_round")
