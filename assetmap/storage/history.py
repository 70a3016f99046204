"""A strength's history: its revisions, putting an earlier version back, and bringing back
a withdrawn strength."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.assets import FIELD_NAMES
from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _, format_date
from assetmap.domain.privacy import is_generalised
from assetmap.domain.vocab import Action, Status
from assetmap.storage.accounts import DELETED_REASON
from assetmap.storage.assets import AssetNotFound, _record, _require, draft_of, update_asset
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Revision, User, utcnow

# What a restore puts back: what the owner said, not when it was confirmed.
RESTORABLE = tuple(name for name in FIELD_NAMES if name not in ("kind", "last_confirmed"))


def revisions(session: orm.Session, asset_id: int) -> list[Revision]:
    """Return a strength's revisions, oldest first, with who made them."""
    query = (
        sa.select(Revision)
        .where(Revision.asset_id == asset_id)
        .options(orm.joinedload(Revision.user))
        .order_by(Revision.id)
    )
    return list(session.scalars(query))


def version_after(session: orm.Session, asset: Asset, revision_id: int) -> dict[str, Any]:
    """Return the strength's fields as they stood just after revision ``revision_id``.

    Works back from the current fields, undoing each later revision's changes.
    """
    history = revisions(session, asset.id)
    if not any(revision.id == revision_id for revision in history):
        message = _(
            "strength %(id)s has no revision %(revision)s", id=asset.id, revision=revision_id
        )
        raise ValidationError({"revision": message})
    values = draft_of(asset).as_dict()
    for revision in reversed(history):
        if revision.id <= revision_id:
            break
        for name, change in (revision.changes or {}).items():
            if name in values and isinstance(change, list) and len(change) == 2:
                values[name] = change[0]
    return {name: values[name] for name in RESTORABLE}


def restore_version(
    session: orm.Session,
    asset_id: int,
    revision_id: int,
    *,
    by: int | None,
    cell_m: float,
    area: Area | None = None,
) -> Asset:
    """Put back the strength as it was after ``revision_id``, as a new revision.

    A skill stays where its owner put it: only what it says is put back.
    """
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    values = version_after(session, asset, revision_id)
    if is_generalised(asset.kind):
        # Only its owner places a skill; its history holds public points alone.
        values.pop("lon"), values.pop("lat")
    return update_asset(
        session,
        asset_id,
        values,
        by=by,
        cell_m=cell_m,
        area=area,
        reason=_when(session, revision_id),
    )


def _when(session: orm.Session, revision_id: int) -> str:
    """Return the reason a version put back is given: kept with the revision, in the language
    of the person who put it back."""
    revision = session.get(Revision, revision_id)
    if revision is None:
        return _("Put back as it was on an earlier date")
    time = revision.at.strftime("%H:%M")
    return _(
        "Put back as it was on %(date)s at %(time)s UTC", date=format_date(revision.at), time=time
    )


def bring_back(session: orm.Session, asset_id: int, *, by: int | None) -> Asset:
    """Undo a strength's withdrawal, as a new revision: it returns to the state it was
    withdrawn from, so a hidden strength comes back hidden.

    A strength withdrawn because its owner deleted their account stays withdrawn: what it
    said is gone.
    """
    begin_write(session)
    asset = _require(session, asset_id)
    withdrawal = last_withdrawal(session, asset)
    if asset.status is not Status.WITHDRAWN or withdrawal is None:
        raise ValidationError({"status": "only a withdrawn strength can be brought back"})
    if withdrawal.reason == DELETED_REASON or _owner_deleted(session, asset):
        raise ValidationError({"status": "its owner's account was deleted; it can't come back"})
    before = Status(withdrawal.changes["status"][0])
    _record(session, asset, by, Action.RESTORE, {"status": ["withdrawn", before.value]})
    asset.status, asset.updated_at = before, utcnow()
    session.flush()
    return asset


def _owner_deleted(session: orm.Session, asset: Asset) -> bool:
    # Deleting an account keeps its row under this address (``accounts.delete_account``).
    owner = session.get(User, asset.owner_id) if asset.owner_id is not None else None
    return owner is None or owner.email == f"deleted-{owner.id}@invalid"


def last_withdrawal(session: orm.Session, asset: Asset) -> Revision | None:
    """Return the revision that last withdrew the strength, or None."""
    query = (
        sa.select(Revision)
        .where(Revision.asset_id == asset.id, Revision.action == Action.WITHDRAW)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()
