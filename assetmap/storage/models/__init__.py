"""The tables assetmap keeps, as SQLAlchemy 2 typed models.

Spatial and text indexes are not mapped here: each backend builds its own in the migrations
(an R*Tree and FTS5 on SQLite, a geography column and tsvector on PostGIS).
"""

from __future__ import annotations

from assetmap.storage.models.area import Place, ServiceArea
from assetmap.storage.models.base import Base, JSONList, UTCDateTime, utcnow
from assetmap.storage.models.checks import CheckResponse, CheckRevision, StrengthCheck
from assetmap.storage.models.funds import (
    FundBallot,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    FundUpdate,
    FundVoter,
)
from assetmap.storage.models.map_cell import MapCell
from assetmap.storage.models.moderation import OwnerAnswer, Report
from assetmap.storage.models.people import ApiToken, RoleChange, User, UserScope
from assetmap.storage.models.register import (
    Asset,
    AssetTheme,
    Connection,
    Neighbourhood,
    Revision,
    SubmissionKey,
)
from assetmap.storage.models.ties import AssetSchedule, Tie

# Registered with the metadata, but not exported: only ``storage.private_points`` reads it.
from assetmap.storage.models import private as _private  # noqa: E402, F401  isort: skip

__all__ = [
    "ApiToken",
    "Asset",
    "AssetSchedule",
    "AssetTheme",
    "Base",
    "CheckResponse",
    "CheckRevision",
    "Connection",
    "FundBallot",
    "FundProposal",
    "FundProposalStrength",
    "FundRound",
    "FundRoundArea",
    "FundUpdate",
    "FundVoter",
    "JSONList",
    "MapCell",
    "Neighbourhood",
    "OwnerAnswer",
    "Place",
    "Report",
    "Revision",
    "RoleChange",
    "ServiceArea",
    "StrengthCheck",
    "SubmissionKey",
    "Tie",
    "UTCDateTime",
    "User",
    "UserScope",
    "utcnow",
]
