"""Grants already made, shown where people already look: what a strength was funded for, the
grants made in some neighbourhoods (a strength check's catchment), and funded projects as
points for the explore map.

A grant is a funded proposal of a round whose result is published. A proposal builds on a
strength only where the strength's part in it is settled: a group or a space (its owner's
consent not needed, or given), a skill only where its owner agreed. A funded project is placed
at the public point of the first strength it builds on (the lowest id of those still
published): a skill's public point is the centre of its grid cell, never where its person is,
and nothing here reads a private point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from shapely.geometry import Point
from sqlalchemy import orm

from assetmap.domain.funds import Consent, ProposalStatus
from assetmap.domain.provenance import local_day
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import Asset
from assetmap.storage.models.funds import (
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
)

if TYPE_CHECKING:
    import geopandas as gpd

# The columns of ``funded_points``' GeoDataFrame, besides its geometry.
POINT_COLUMNS = ("proposal_id", "title", "amount_pence", "round_id", "round_title", "decided_on")


@dataclass(frozen=True)
class Grant:
    """A funded project: its round, title and amount, and the day its result was published."""

    round_id: int
    round_title: str
    proposal_id: int
    title: str
    amount_pence: int
    decided_on: dt.date


def _settled(asset: Any) -> sa.ColumnElement[bool]:
    """Return whether a strength a proposal builds on has its owner's part settled: a skill's
    owner must have agreed."""
    return sa.or_(
        FundProposalStrength.consent == Consent.AGREED,
        sa.and_(FundProposalStrength.consent == Consent.NOT_NEEDED, asset.kind != Kind.SKILL),
    )


_COLUMNS = (
    FundRound.id,
    FundRound.title,
    FundProposal.id,
    FundProposal.title,
    FundProposal.amount_pence,
    FundRound.published_at,
)
# The strengths a subquery reads, apart from any the query around it joins.
_STRENGTH = orm.aliased(Asset, name="strength")
_NEWEST_FIRST = (FundRound.published_at.desc(), FundRound.id.desc(), FundProposal.id)


def _granted(*columns: Any) -> sa.Select[Any]:
    """Return the funded proposals of published rounds, with ``columns`` beside the grant's."""
    return (
        sa.select(*_COLUMNS, *columns)
        .join(FundRound, FundRound.id == FundProposal.round_id)
        .where(
            FundProposal.status == ProposalStatus.FUNDED,
            FundRound.published_at.is_not(None),
        )
    )


def _grant(row: Any) -> Grant:
    round_id, round_title, proposal_id, title, amount, published_at = row[:6]
    return Grant(round_id, round_title, proposal_id, title, amount, local_day(published_at))


def _settled_strengths(*where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Return the ids of the strengths a proposal builds on with their part settled, as a
    subquery of the proposal's; ``where`` is said of them (``_STRENGTH``)."""
    return (
        sa.select(FundProposalStrength.asset_id)
        .join(_STRENGTH, _STRENGTH.id == FundProposalStrength.asset_id)
        .where(FundProposalStrength.proposal_id == FundProposal.id, _settled(_STRENGTH), *where)
    )


def grants_for_strength(session: orm.Session, asset_id: int) -> list[Grant]:
    """Return the grants building on a strength, newest first."""
    query = (
        _granted()
        .join(FundProposalStrength, FundProposalStrength.proposal_id == FundProposal.id)
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(FundProposalStrength.asset_id == asset_id, _settled(Asset))
        .order_by(*_NEWEST_FIRST)
    )
    return [_grant(row) for row in session.execute(query)]


def grants_in(session: orm.Session, neighbourhood_ids: Collection[int | None]) -> list[Grant]:
    """Return the grants made in any of these neighbourhoods, newest first.

    A grant is made where the strengths it builds on are filed; one whose strengths are all
    gone (an erased skill) is made where its round was, any of the round's neighbourhoods.
    ``None`` (land in no neighbourhood) is passed over.
    """
    wanted = sorted(n for n in set(neighbourhood_ids) if n is not None)
    if not wanted:
        return []
    on_strength = _settled_strengths(_STRENGTH.neighbourhood_id.in_(wanted)).exists()
    any_strength = (
        sa.select(FundProposalStrength.asset_id)
        .where(FundProposalStrength.proposal_id == FundProposal.id)
        .exists()
    )
    in_round = (
        sa.select(FundRoundArea.round_id)
        .where(FundRoundArea.round_id == FundRound.id, FundRoundArea.neighbourhood_id.in_(wanted))
        .exists()
    )
    query = (
        _granted()
        .where(sa.or_(on_strength, sa.and_(~any_strength, in_round)))
        .order_by(*_NEWEST_FIRST)
    )
    return [_grant(row) for row in session.execute(query)]


def funded_points(session: orm.Session) -> gpd.GeoDataFrame:
    """Return every grant as a point (EPSG:4326) at the public point of the first published
    strength it builds on, newest first; a grant building on none still published is left
    off. Columns: ``POINT_COLUMNS`` and ``geometry``."""
    import geopandas as gpd

    first = (
        _settled_strengths(_STRENGTH.status == Status.PUBLISHED)
        .with_only_columns(sa.func.min(FundProposalStrength.asset_id))
        .scalar_subquery()
    )
    query = (
        _granted(Asset.public_lon, Asset.public_lat)
        .join(Asset, Asset.id == first)
        .order_by(*_NEWEST_FIRST)
    )
    rows = session.execute(query).all()
    grants = [_grant(row) for row in rows]
    return gpd.GeoDataFrame(
        {
            "proposal_id": [g.proposal_id for g in grants],
            "title": [g.title for g in grants],
            "amount_pence": [g.amount_pence for g in grants],
            "round_id": [g.round_id for g in grants],
            "round_title": [g.round_title for g in grants],
            "decided_on": [g.decided_on for g in grants],
        },
        geometry=[Point(row[6], row[7]) for row in rows],
        crs="EPSG:4326",
    )
