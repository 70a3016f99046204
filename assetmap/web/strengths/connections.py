"""Coaches record that they connected someone with a strength; each strength shows how often.

A connection holds a date, the strength, the coach and a short note, never who it was for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from assetmap.domain.errors import ValidationError
from assetmap.domain.permissions import can_record_connection, can_see_contact, signed_in
from assetmap.domain.vocab import Role, Status
from assetmap.storage import assets as store
from assetmap.storage.connections import NOTE_MAX, add_connection, connection_count
from assetmap.storage.models import Asset, utcnow
from assetmap.web import db
from assetmap.web.accounts.auth import actor, requires
from assetmap.web.strengths.written import sentence, title_of

bp = Blueprint("connections", __name__)
CONNECTORS = (Role.COACH, Role.ADMIN)
_LABELS = {"on": _l("The date"), "note": _l("The note")}


def _today() -> dt.date:
    return utcnow().date()


class ConnectionForm(FlaskForm):  # type: ignore[misc]
    asset = HiddenField()
    back = HiddenField()
    on = DateField(
        _l("Date of the connection"),
        default=_today,
        validators=[InputRequired(_l("Enter the date you made the connection"))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        validators=[
            Length(
                max=NOTE_MAX,
                message=_l("Note must be %(most)d characters or fewer", most=NOTE_MAX),
            ),
        ],
    )


def safe_back(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _published(text: str | None) -> Asset:
    asset_id = int(text) if text and text.isdigit() and len(text) < 10 else 0
    asset = store.get_asset(db.session(), asset_id) if asset_id else None
    if asset is None or asset.status is not Status.PUBLISHED:
        abort(404, _("Asset %(id)s doesn't exist or isn't public.", id=text))
    return asset


@bp.get("/connections/new")
@requires(can_record_connection)
def new() -> str:
    """Show the form to record a connection with a strength."""
    asset = _published(request.args.get("asset"))
    if not can_record_connection(actor(), asset):
        abort(403, _("This strength is outside your neighbourhoods."))
    form = ConnectionForm(asset=asset.id, back=safe_back(request.args.get("back")) or "")
    return render_template("search/connect.html", form=form, asset=asset, note_max=NOTE_MAX)


@bp.post("/connections/new")
@requires(can_record_connection)
def create() -> Response | tuple[str, int]:
    """Record a connection, then go back to the search it came from."""
    form = ConnectionForm()
    asset = _published(form.asset.data)
    if not can_record_connection(actor(), asset):
        abort(403, _("This strength is outside your neighbourhoods."))
    if form.validate():
        session = db.session()
        try:
            add_connection(
                session,
                asset.id,
                coach_id=current_user.id,
                on=form.on.data,
                note=form.note.data or "",
            )
        except ValidationError as exc:
            for name, reason in exc.errors.items():
                target = form.on if name == "on" else form.note
                label = _LABELS.get(name, _l("The note"))
                target.errors = [
                    *target.errors,
                    _("%(field)s %(reason)s", field=label, reason=reason),
                ]
        else:
            session.commit()
            said = _("Connection with %(title)s recorded.", title=title_of(asset))
            flash(sentence(said))
            back = safe_back(form.back.data) or url_for("pages.asset", asset_id=asset.id)
            return redirect(back)
    if form.on.errors and form.on.data is None and request.form.get("on"):
        form.on.errors = [_("Enter a real date, like 2026-05-31")]
    page = render_template("search/connect.html", form=form, asset=asset, note_max=NOTE_MAX)
    return page, 400


@bp.get("/assets/<int:asset_id>/contact.json")
@requires(signed_in)
def contact(asset_id: int) -> Response:
    """Return a published strength's contact to someone its owner agreed may pass it on.

    The map's popups ask for it when they open, so that the map's own features stay the same
    for everyone and never carry a contact. Everyone else gets ``null``, the same answer as
    for a strength with no contact or none at all, so the answer tells them nothing.
    """
    asset = store.get_asset(db.session(), asset_id)
    shown = (
        asset is not None
        and asset.status is Status.PUBLISHED
        and can_see_contact(actor(), asset)
        and asset.contact
    )
    response = jsonify(contact=asset.contact if shown and asset is not None else None)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _asset_page_connections() -> dict[str, Any]:
    # The strength's page shows how often it was connected, and coaches may record one there.
    if request.endpoint != "pages.asset" or not request.view_args:
        return {}
    asset_id = int(request.view_args.get("asset_id", 0))
    asset = store.get_asset(db.session(), asset_id)
    return {
        "connection_count": connection_count(db.session(), asset_id),
        "can_record_connection": asset is not None and can_record_connection(actor(), asset),
    }


def init_app(app: Flask) -> None:
    """Register the connection pages and the count on each strength's page."""
    app.register_blueprint(bp)
    app.context_processor(_asset_page_connections)
