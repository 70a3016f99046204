"""Community funds: rounds, proposals built on strengths, who voted, secret ballots, updates.

Ballots are secret by construction. ``FundVoter`` records *that* someone voted (so nobody votes
twice, and a coach's recorded vote is audited); ``FundBallot`` records *what* was chosen, under
a holder key that only the running app can make (``storage.funds``: an HMAC of the round and
the voter under the app's secret, never stored), with no id sequence and no time, so a ballot
cannot be joined back to its voter from the database alone, and no page or API reads one: only
totals leave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.storage.models.base import Base, JSONList, UTCDateTime, enum_type, utcnow


class FundRound(Base):
    """A sum of money for an area, what it is for, who may propose, its dates and its rules.

    ``result`` is the count as published: each proposal's votes, rank and whether it was
    funded, with the rule it was counted by, so anyone can count it again."""

    __tablename__ = "fund_round"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    title: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    purpose: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    budget_pence: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)
    method: orm.Mapped[VotingMethod] = orm.mapped_column(enum_type(VotingMethod, "voting_method"))
    tie_break: orm.Mapped[TieBreak] = orm.mapped_column(enum_type(TieBreak, "tie_break"))
    # Which of ``domain.funds.Proposer`` may propose.
    proposers: orm.Mapped[list[str]] = orm.mapped_column(JSONList, default=list)
    proposals_open: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    proposals_close: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    voting_open: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    voting_close: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    results_on: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)
    # The strength check it started from, where it did ("fund what we found").
    check_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("strength_check.id", ondelete="SET NULL"), index=True
    )
    created_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
    counted_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    published_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime, index=True)
    published_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    result: orm.Mapped[dict[str, Any] | None] = orm.mapped_column(JSONList)

    areas: orm.Mapped[list[FundRoundArea]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    proposals: orm.Mapped[list[FundProposal]] = orm.relationship(
        back_populates="round", order_by="FundProposal.id"
    )


class FundRoundArea(Base):
    """One neighbourhood of a round's area."""

    __tablename__ = "fund_round_area"

    round_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_round.id", ondelete="CASCADE"), primary_key=True
    )
    neighbourhood_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="CASCADE"), primary_key=True
    )


class FundProposal(Base):
    """A small project proposed to a round: what it will do, who will do it, how much, and the
    strengths it builds on; checked by a planner (with the reason where not eligible)."""

    __tablename__ = "fund_proposal"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    round_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_round.id", ondelete="CASCADE"), index=True
    )
    title: orm.Mapped[str] = orm.mapped_column(sa.String(120))
    summary: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    who_will_do_it: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    amount_pence: orm.Mapped[int] = orm.mapped_column(sa.BigInteger)
    proposed_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    # A coach proposing for someone without an account.
    on_behalf: orm.Mapped[bool] = orm.mapped_column(default=False)
    status: orm.Mapped[ProposalStatus] = orm.mapped_column(
        enum_type(ProposalStatus, "proposal_status"), default=ProposalStatus.SUBMITTED
    )
    reason: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    checked_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    checked_at: orm.Mapped[dt.datetime | None] = orm.mapped_column(UTCDateTime)
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)

    round: orm.Mapped[FundRound] = orm.relationship(back_populates="proposals")
    strengths: orm.Mapped[list[FundProposalStrength]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    updates: orm.Mapped[list[FundUpdate]] = orm.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="FundUpdate.id"
    )


class FundProposalStrength(Base):
    """A mapped strength a proposal builds on, and whether its owner agreed (a skill's must)."""

    __tablename__ = "fund_proposal_strength"

    proposal_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_proposal.id", ondelete="CASCADE"), primary_key=True
    )
    asset_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    consent: orm.Mapped[Consent] = orm.mapped_column(
        enum_type(Consent, "consent"), default=Consent.NOT_NEEDED
    )


class FundVoter(Base):
    """That someone voted in a round: a resident with an account, or a person without one
    whose vote a coach recorded (known only by ``person_key``, an HMAC of what the coach was
    told, so the same person cannot vote twice). Holds nothing of what they chose."""

    __tablename__ = "fund_voter"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id", name="uq_fund_voter_round_user"),
        sa.UniqueConstraint("round_id", "person_key", name="uq_fund_voter_round_person"),
    )

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    round_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_round.id", ondelete="CASCADE"), index=True
    )
    user_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    person_key: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    recorded_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    neighbourhood_id: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("neighbourhood.id", ondelete="SET NULL")
    )
    # The day only: a time could be matched with a ballot's order.
    voted_on: orm.Mapped[dt.date] = orm.mapped_column(sa.Date)


class FundBallot(Base):
    """What one voter chose, under a holder key only the running app can make: no id
    sequence, no time, nothing that joins it to ``FundVoter``."""

    __tablename__ = "fund_ballot"

    round_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_round.id", ondelete="CASCADE"), primary_key=True
    )
    holder: orm.Mapped[str] = orm.mapped_column(sa.String(64), primary_key=True)
    chosen: orm.Mapped[list[int]] = orm.mapped_column(JSONList, default=list)


class FundUpdate(Base):
    """News of a funded project as it goes: an update, or a milestone reached."""

    __tablename__ = "fund_update"

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    proposal_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey("fund_proposal.id", ondelete="CASCADE"), index=True
    )
    body: orm.Mapped[str] = orm.mapped_column(sa.Text)
    milestone: orm.Mapped[bool] = orm.mapped_column(default=False)
    created_by: orm.Mapped[int | None] = orm.mapped_column(
        sa.ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: orm.Mapped[dt.datetime] = orm.mapped_column(UTCDateTime, default=utcnow)
