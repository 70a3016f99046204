"""Calendars of groups and spaces: a calendar file to download or subscribe to, setting a
schedule from a calendar file the group already keeps, and the page's schema.org data."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response
from wtforms import HiddenField

from assetmap.domain.errors import ValidationError
from assetmap.domain.schedules import Schedule, validate_schedule
from assetmap.domain.vocab import Kind, Status
from assetmap.exchange.calendars import CalendarError, CalendarReading, write_calendar
from assetmap.exchange.jsonld import Located, group_jsonld, space_jsonld
from assetmap.runtime.links import external_url
from assetmap.services import calendars as service
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.storage.schedules import SCHEDULED_KINDS, schedules_of
from assetmap.storage.ties import meeting_places
from assetmap.web import db
from assetmap.web.strengths.schedules import schedulable

bp = Blueprint("calendars", __name__)
Page = str | tuple[str, int] | Response
# How long a browser or a calendar may keep a calendar file before asking again.
CACHE_S = 3600
# How long the schedules read from a file wait for their confirmation.
CONFIRM_MAX_AGE_S = 3600


# -- a calendar file --------------------------------------------------------------------------


@bp.get("/assets/<int:asset_id>/calendar.ics")
def calendar(asset_id: int) -> Response:
    """Answer a published group's sessions, or a space's opening hours, as a calendar file."""
    session = db.session()
    asset = store.get_asset(session, asset_id)
    if asset is None or asset.status is not Status.PUBLISHED or asset.kind not in SCHEDULED_KINDS:
        abort(404, _("Group or space %(id)s doesn't exist or isn't public.", id=asset_id))
    name, description = service.calendar_name(asset)
    body = write_calendar(
        service.calendar_entries(session, [asset]), name=name, description=description
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    filename = secure_filename(asset.title.lower()) or "calendar"
    response.headers.set("Content-Disposition", "inline", filename=f"{filename}.ics")
    response.headers["Cache-Control"] = f"public, max-age={CACHE_S}"
    # Its words (the schedule's, in the calendar) are in the reader's language.
    response.vary.update(("Accept-Language", "Cookie"))
    # The venue's name is in the file too, so the tag is the file's, not the strength's.
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = _utc(asset.updated_at)
    return response.make_conditional(request)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


# -- importing a calendar file ----------------------------------------------------------------


class UploadForm(FlaskForm):  # type: ignore[misc]
    calendar = FileField(
        _l("Calendar file"),
        description=_l(
            "An .ics file, exported from Google Calendar, Outlook, Apple Calendar or "
            "Meetup. It must be smaller than 1 MB."
        ),
        validators=[FileRequired(_l("Choose a calendar file (.ics) to upload"))],
    )


class ConfirmForm(FlaskForm):  # type: ignore[misc]
    schedules = HiddenField()


@bp.get("/strengths/<int:asset_id>/schedule/import")
@login_required
def upload(asset_id: int) -> str:
    """Ask for the calendar file to read."""
    return _upload_page(schedulable(asset_id), UploadForm())


@bp.post("/strengths/<int:asset_id>/schedule/import")
@login_required
def preview(asset_id: int) -> Page:
    """Show what the file holds and what would be left out, writing nothing yet."""
    asset = schedulable(asset_id)
    form = UploadForm()
    if not form.validate():
        return _upload_page(asset, form), 400
    on = service.today()
    try:
        reading = service.read_for(db.session(), asset.id, form.calendar.data.read(), on=on)
    except (CalendarError, service.CalendarImportError) as exc:
        form.calendar.errors = [*form.calendar.errors, str(exc)]
        return _upload_page(asset, form), 400
    confirm = ConfirmForm(formdata=None, data={"schedules": _seal(asset, reading)})
    return _upload_page(asset, UploadForm(formdata=None), reading=reading, confirm=confirm)


@bp.post("/strengths/<int:asset_id>/schedule/import/confirm")
@login_required
def confirm(asset_id: int) -> Page:
    """Replace the schedule with the sessions the file held, all or nothing."""
    asset = schedulable(asset_id)
    form = ConfirmForm()
    if not form.validate():
        abort(400, _("This form has expired. Please upload the calendar again."))
    schedules = _unseal(asset, form.schedules.data or "")
    session = db.session()
    try:
        service.replace_schedules(session, asset.id, schedules, by=current_user.id)
    except (ValidationError, service.CalendarImportError) as exc:
        session.rollback()
        flash(_("The schedule was not changed: %(reason)s", reason=_reason(exc)), "info")
        return redirect(url_for(".upload", asset_id=asset.id))
    session.commit()
    count = len(schedules)
    flash(
        ngettext(
            "The schedule now has the %(num)d session from the calendar.",
            "The schedule now has the %(num)d sessions from the calendar.",
            count,
        )
    )
    return redirect(url_for("schedules.show", asset_id=asset.id))


def _upload_page(
    asset: Asset,
    form: UploadForm,
    *,
    reading: CalendarReading | None = None,
    confirm: ConfirmForm | None = None,
) -> str:
    on = service.today()
    return render_template(
        "strengths/calendar_import.html",
        asset=asset,
        form=form,
        reading=reading,
        found=[item.schedule.describe(today=on) for item in reading.found] if reading else [],
        confirm=confirm,
    )


def _seal(asset: Asset, reading: CalendarReading) -> str:
    """Sign the schedules read, for this person and this strength, to carry to the confirmation."""
    payload = {
        "user": current_user.id,
        "asset": asset.id,
        "schedules": [item.as_dict() for item in reading.schedules],
    }
    return str(_serializer().dumps(payload))


def _unseal(asset: Asset, token: str) -> list[Schedule]:
    try:
        payload = _serializer().loads(token, max_age=CONFIRM_MAX_AGE_S)
    except BadSignature:
        abort(400, _("This form has expired or was changed. Please upload the calendar again."))
    if payload.get("user") != current_user.id or payload.get("asset") != asset.id:
        abort(400, _("This form belongs to another strength. Please upload the calendar again."))
    try:
        return [validate_schedule(raw, today=service.today()) for raw in payload["schedules"]]
    except (ValidationError, KeyError, TypeError):
        abort(400, _("This form has expired or was changed. Please upload the calendar again."))


def _reason(exc: Exception) -> str:
    """Return why a schedule was refused: the domain's reasons, else the error's own words."""
    if isinstance(exc, ValidationError):
        return "; ".join(str(reason) for reason in exc.errors.values())
    return str(exc)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="assetmap.calendar-import")


# -- on a strength's page ---------------------------------------------------------------------


def _asset_page_calendar() -> dict[str, Any]:
    # A group's or space's page offers its calendar and carries its schema.org description.
    if request.endpoint != "pages.asset" or not request.view_args:
        return {}
    session = db.session()
    asset = store.get_asset(session, int(request.view_args.get("asset_id", 0)))
    if asset is None or asset.status is not Status.PUBLISHED or asset.kind not in SCHEDULED_KINDS:
        return {}
    schedules = schedules_of(session, [asset.id]).get(asset.id, [])
    found: dict[str, Any] = {"jsonld": _jsonld(asset, schedules)}
    if schedules:
        link = external_url("calendars.calendar", asset_id=asset.id)
        found["calendar_links"] = {
            "download": url_for("calendars.calendar", asset_id=asset.id),
            "subscribe": "webcal://" + link.split("://", 1)[1],
        }
    return found


def _jsonld(asset: Asset, schedules: list[Schedule]) -> dict[str, Any]:
    url = external_url("pages.asset", asset_id=asset.id)
    me = Located(asset.title, url, asset.public_lon, asset.public_lat, asset.description)
    now = dt.datetime.now(dt.UTC)
    if asset.kind is Kind.SPACE:
        return space_jsonld(me, schedules, now=now)
    venues = meeting_places(db.session(), [asset.id]).get(asset.id, [])
    venue = None
    if venues:
        first = venues[0]
        venue_url = external_url("pages.asset", asset_id=first.asset_id)
        venue = Located(first.title, venue_url, first.lon, first.lat)
    return group_jsonld(me, schedules, venue=venue, now=now)


def init_app(app: Flask) -> None:
    """Register the calendar pages, and the calendar links and linked data on a strength's page."""
    app.register_blueprint(bp)
    app.context_processor(_asset_page_calendar)
