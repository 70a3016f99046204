"""A strength's history page, and restoring an earlier version.

The public sees what changed in the public fields; the owner and admins see every field, who
made each change, and the reasons given.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from assetmap.domain.errors import ValidationError
from assetmap.domain.permissions import can_restore_version, can_see_full_history, signed_in
from assetmap.domain.privacy import PRIVATE_FIELDS
from assetmap.domain.vocab import Action, Status
from assetmap.storage import assets as store
from assetmap.storage import history as history_store
from assetmap.storage.models import Asset, Revision
from assetmap.web import db
from assetmap.web.accounts.auth import actor, requires
from assetmap.web.area import current_area
from assetmap.web.pages import HISTORY_LABELS
from assetmap.web.strengths.written import sentence, title_of

bp = Blueprint("history", __name__)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return _("(none)")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _who(revision: Revision, asset: Asset, full: bool) -> str:
    if revision.user_id is None:
        return _("assetmap, automatically") if revision.action is Action.HIDE else _("an import")
    if full and revision.user is not None:
        return revision.user.display_name or revision.user.email
    return _("its owner") if revision.user_id == asset.owner_id else _("a moderator or admin")


def action_label(revision: Revision, asset: Asset) -> str:
    """Return what a revision did, in words that tell a moderator's act from assetmap's and
    from the owner's."""
    status = (revision.changes or {}).get("status")
    before = status[0] if isinstance(status, list) and status else None
    if revision.action is Action.HIDE:
        by_assetmap = revision.user_id is None
        if by_assetmap:
            return _("Hidden until its owner confirms it")
        return _("Hidden by a moderator")
    if revision.action is Action.RESTORE:
        if before == "withdrawn":
            return _("Brought back by its owner")
        if revision.user_id is not None and revision.user_id == asset.owner_id:
            return _("Shown again: its owner confirmed it")
        return _("Shown again by a moderator")
    return HISTORY_LABELS[revision.action]


def history_rows(asset: Asset, revisions: list[Revision], full: bool) -> list[dict[str, Any]]:
    """Return each revision as a person reads it; private fields only where ``full``."""
    rows = []
    for revision in revisions:
        changes = [
            (name.replace("_", " "), _shown(change[0]), _shown(change[1]))
            for name, change in sorted((revision.changes or {}).items())
            if (full or name not in PRIVATE_FIELDS) and isinstance(change, list)
        ]
        hidden = not full and any(name in PRIVATE_FIELDS for name in revision.changes or {})
        rows.append(
            {
                "id": revision.id,
                "action": action_label(revision, asset),
                "at": revision.at,
                "who": _who(revision, asset, full),
                "changes": changes,
                "private_changed": hidden,
                "reason": revision.reason if full else "",
            }
        )
    return rows


def _viewable(asset_id: int) -> tuple[Asset, bool]:
    asset = store.get_asset(db.session(), asset_id)
    if asset is None:
        abort(404, _("Strength %(id)s doesn't exist.", id=asset_id))
    full = can_see_full_history(actor(), asset)
    if not full and asset.status is not Status.PUBLISHED:
        abort(404, _("Strength %(id)s doesn't exist or isn't public.", id=asset_id))
    return asset, full


@bp.get("/assets/<int:asset_id>/history")
def show(asset_id: int) -> str:
    """Show every change to a strength, newest first."""
    asset, full = _viewable(asset_id)
    revisions = history_store.revisions(db.session(), asset.id)
    rows = history_rows(asset, revisions, full)
    return render_template(
        "history/show.html",
        asset=asset,
        rows=list(reversed(rows)),
        full=full,
        can_restore=can_restore_version(actor(), asset) and asset.status is not Status.WITHDRAWN,
        latest=revisions[-1].id if revisions else None,
    )


@bp.post("/assets/<int:asset_id>/history/<int:revision_id>/restore")
@requires(signed_in)
def restore(asset_id: int, revision_id: int) -> Response:
    """Put back the strength as it was after an earlier revision, as a new revision."""
    asset = store.get_asset(db.session(), asset_id)
    if asset is None:
        abort(404, _("Strength %(id)s doesn't exist.", id=asset_id))
    user = actor()
    if user is None or not can_restore_version(user, asset):
        abort(403, _("Only an admin can restore an earlier version."))
    session = db.session()
    config = current_app.config
    try:
        history_store.restore_version(
            session,
            asset.id,
            revision_id,
            by=user.id,
            cell_m=float(config["PRIVACY_CELL_M"]),
            area=current_area(),
        )
    except ValidationError as exc:
        session.rollback()
        abort(409 if "status" in exc.errors else 404, "; ".join(exc.errors.values()))
    session.commit()
    said = _("“%(title)s” is back as it was after that change.", title=title_of(asset))
    flash(sentence(said))
    return redirect(url_for(".show", asset_id=asset.id))


def init_app(app: Flask) -> None:
    """Register the history pages."""
    app.register_blueprint(bp)
