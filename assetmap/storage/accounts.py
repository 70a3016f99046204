"""What is held about a person: their strengths, everything exported, and deleting it all.

Deleting an account keeps its row (revisions still point at it) but nothing personal in it:
the address becomes ``deleted-<id>@invalid``; the name, password hash and where they live are
cleared. Every strength is withdrawn, its contact cleared and a skill's exact point forgotten
(it stays at its public point); in the revisions of those strengths the personal fields are
replaced by null. Every word the person wrote goes too, wherever it was kept (see
``erasure``), and with it from the text index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.privacy import PRIVATE_FIELDS
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import erasure, written
from assetmap.storage.assets import LAYER_COLUMNS, record_of, withdraw_asset
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.models import (
    ApiToken,
    Asset,
    Connection,
    FundVoter,
    Neighbourhood,
    Revision,
    Tie,
    User,
)
from assetmap.storage.private_points import forget_points, owner_point
from assetmap.storage.schedules import schedules_of

if TYPE_CHECKING:
    import geopandas as gpd

DELETED_REASON = "account deleted"
# Where a group or space is, is public; where a skill is, is where a person is.
_LOCATION = frozenset({"lon", "lat"})


class AccountNotFound(LookupError):
    """No user has the id asked for."""

    def __init__(self, user_id: int) -> None:
        super().__init__(f"User {user_id} doesn't exist.")
        self.user_id = user_id


def owned_assets(session: orm.Session, user_id: int) -> list[Asset]:
    """Return every asset the user owns, whatever its status, newest first."""
    query = (
        sa.select(Asset)
        .where(Asset.owner_id == user_id)
        .order_by(Asset.created_at.desc(), Asset.id.desc())
    )
    return list(session.scalars(query))


def owned_layer(session: orm.Session, user_id: int) -> gpd.GeoDataFrame:
    """Return the user's published assets at their public points, as ``read_layer`` does."""
    import geopandas as gpd
    import pandas as pd

    query = (
        sa.select(*LAYER_COLUMNS)
        .where(Asset.owner_id == user_id, Asset.status == Status.PUBLISHED)
        .order_by(Asset.id)
    )
    frame = pd.DataFrame.from_records(
        session.execute(query).all(), columns=[column.key for column in LAYER_COLUMNS]
    )
    frame["kind"] = frame["kind"].map(lambda kind: kind.value, na_action="ignore")
    geometry = gpd.points_from_xy(frame.pop("public_lon"), frame.pop("public_lat"), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def personal_data(session: orm.Session, user: User) -> dict[str, Any]:
    """Return every record held about ``user`` as plain JSON values, and nobody else's."""
    assets = owned_assets(session, user.id)
    return {
        "user": {
            "id": user.id,
            "email": user.email,
            "display_name": user.display_name,
            "role": user.role.value,
            "moderates": user.moderates,
            "neighbourhoods": sorted(user.neighbourhoods),
            "created_at": user.created_at.isoformat(),
            "where_you_live": _home(session, user),
        },
        "strengths": _own_records(session, list(reversed(assets)), user),
        "ties": _ties(session, user.id),
        "revisions": _revisions(session, user.id),
        "api_tokens": _tokens(session, user.id),
        "connections": _connections(session, user.id),
        "reports": written.reports_filed(session, user.id),
        "answers_to_moderators": written.answers_given(session, user.id),
        "check_responses": written.responses_given(session, user.id),
        "role_changes": written.role_changes_of(session, user.id),
        "fund_votes": _fund_votes(session, user.id),
    }


def _home(session: orm.Session, user: User) -> dict[str, Any] | None:
    """Return the neighbourhood the person says they live in, or None."""
    if user.home_neighbourhood_id is None:
        return None
    home = session.get(Neighbourhood, user.home_neighbourhood_id)
    return None if home is None else {"id": home.id, "code": home.code, "name": home.name}


def _fund_votes(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return the fund rounds the person voted in, and the votes they recorded for others,
    by round and day alone: how anyone voted is secret, and held apart from who voted."""
    query = (
        sa.select(FundVoter)
        .where(sa.or_(FundVoter.user_id == user_id, FundVoter.recorded_by == user_id))
        .order_by(FundVoter.round_id, FundVoter.voted_on, FundVoter.id)
    )
    return [
        {
            "round_id": voter.round_id,
            "voted_on": voter.voted_on.isoformat(),
            "recorded_by_you_for_someone_else": voter.user_id != user_id,
        }
        for voter in session.scalars(query)
    ]


def _own_records(session: orm.Session, assets: list[Asset], owner: User) -> list[dict[str, Any]]:
    """Return the person's strengths as held, each with its schedules."""
    schedules = schedules_of(session, [asset.id for asset in assets])
    records = []
    for asset in assets:
        record = _own_record(session, asset, owner)
        record["schedules"] = [item.as_dict() for item in schedules.get(asset.id, [])]
        records.append(record)
    return records


def _ties(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return the ties the person made, and those to or from their strengths, by ids alone:
    the other strength may be someone else's, and is theirs to describe."""
    mine = sa.select(Asset.id).where(Asset.owner_id == user_id)
    query = (
        sa.select(Tie)
        .where(sa.or_(Tie.made_by == user_id, Tie.from_id.in_(mine), Tie.to_id.in_(mine)))
        .order_by(Tie.id)
    )
    return [
        {
            "id": tie.id,
            "kind": tie.kind.value,
            "from_id": tie.from_id,
            "to_id": tie.to_id,
            "state": tie.state.value,
            "made_by_you": tie.made_by == user_id,
            "created_at": tie.created_at.isoformat(),
            "decided_at": tie.decided_at.isoformat() if tie.decided_at else None,
        }
        for tie in session.scalars(query)
    ]


def _own_record(session: orm.Session, asset: Asset, owner: User) -> dict[str, Any]:
    """Return one of the person's strengths as held, at the exact point they gave it."""
    record = record_of(asset)
    point = owner_point(session, asset, owner)
    if point is not None:
        record["lon"], record["lat"] = point
    return record


def _revisions(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return the history of the user's strengths, and the bare facts of their other edits.

    A change the user made to someone else's strength is a record about them, but what it
    changed is about the other person, so only which strength, what and when are given.
    """
    query = (
        sa.select(Revision, Asset.owner_id)
        .join(Asset, Asset.id == Revision.asset_id)
        .where(sa.or_(Asset.owner_id == user_id, Revision.user_id == user_id))
        .order_by(Revision.id)
    )
    out = []
    for revision, owner_id in session.execute(query):
        row: dict[str, Any] = {
            "id": revision.id,
            "asset_id": revision.asset_id,
            "action": revision.action.value,
            "at": revision.at.isoformat(),
            "by_you": revision.user_id == user_id,
        }
        if owner_id == user_id:
            row.update(changes=revision.changes, reason=revision.reason)
        out.append(row)
    return out


def _tokens(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    query = sa.select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
    return [
        {
            "name": token.name,
            "created_at": token.created_at.isoformat(),
            "last_used_at": _iso(token.last_used_at),
            "revoked_at": _iso(token.revoked_at),
        }
        for token in session.scalars(query)
    ]


def _connections(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    query = sa.select(Connection).where(Connection.coach_id == user_id).order_by(Connection.id)
    return [
        {"asset_id": c.asset_id, "on": c.on.isoformat(), "note": c.note}
        for c in session.scalars(query)
    ]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def delete_account(session: orm.Session, user_id: int) -> User:
    """Withdraw the user's strengths and remove their personal data; the caller commits."""
    begin_write(session)
    user = session.get(User, user_id)
    if user is None:
        raise AccountNotFound(user_id)
    owned = owned_assets(session, user_id)
    for asset in owned:
        withdraw_asset(session, asset.id, by=user_id, reason=DELETED_REASON)
        _scrub_asset(session, asset)
        erasure.blank_strength(asset)
        for revision in asset.revisions:
            revision.changes = scrub_changes(asset.kind, revision.changes)
            revision.reason = _kept_reason(revision.reason)
    erasure.erase_writing(session, user_id, [asset.id for asset in owned])
    session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))
    user.email = f"deleted-{user_id}@invalid"
    user.display_name = ""
    user.password_hash = None
    user.home_neighbourhood_id = None
    session.flush()
    backend_for(session).forget_words(session)
    return user


def _kept_reason(reason: str) -> str:
    """Return a revision's reason, or nothing where anyone but assetmap wrote it."""
    return reason if reason == DELETED_REASON else ""


def personal_fields(kind: Kind) -> frozenset[str]:
    """Return the fields of an asset of ``kind`` that are about a person, not a place."""
    return PRIVATE_FIELDS | _LOCATION if kind is Kind.SKILL else PRIVATE_FIELDS


def scrub_changes(kind: Kind, changes: dict[str, Any]) -> dict[str, Any]:
    """Return a revision's ``changes`` with each personal or written field's values as null."""
    personal = personal_fields(kind) | erasure.WRITTEN_FIELDS
    return {name: _nulled(value) if name in personal else value for name, value in changes.items()}


def _nulled(value: Any) -> Any:
    """Return ``[old, new]`` as ``[None, None]``, keeping its shape; anything else as None."""
    return [None] * len(value) if isinstance(value, list) else None


def _scrub_asset(session: orm.Session, asset: Asset) -> None:
    asset.contact = ""
    asset.contact_via_coach = False
    forget_points(session, [asset.id])
