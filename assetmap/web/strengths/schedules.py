"""When a group meets or a space is open: the pages that set its sessions, and the words on
its public page.

A strength's sessions are saved together (``storage.schedules.set_schedules``, all or nothing),
so each page here reads them all, changes one, and saves the whole list back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import format_day
from assetmap.domain.limits import SHORT_TEXT_MAX
from assetmap.domain.permissions import can_edit_schedule
from assetmap.domain.schedules import (
    DEFAULT_TIMEZONE,
    SCHEDULES_MAX,
    Schedule,
    Session,
    time_in_words,
    validate_schedule,
)
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.storage.schedules import SCHEDULED_KINDS, schedules_of, set_schedules
from assetmap.web import db
from assetmap.web.accounts.auth import actor
from assetmap.web.strengths.schedule_forms import NoteForm, SessionForm, reworded
from assetmap.web.strengths.written import sentence, title_of

bp = Blueprint("schedules", __name__)
Page = str | tuple[str, int] | Response
# What a group's sessions and a space's opening hours are called on its pages.
HEADINGS = {Kind.GROUP: _l("When it meets"), Kind.SPACE: _l("When it's open")}
NEXT = {Kind.GROUP: _l("Next"), Kind.SPACE: _l("Next open")}


def today() -> dt.date:
    """Return today's date where the schedules are kept: in London."""
    return now().date()


def now() -> dt.datetime:
    """Return the time now, in London."""
    return dt.datetime.now(ZoneInfo(DEFAULT_TIMEZONE))


def session_in_words(session: Session) -> str:
    """Return "Friday 1 January 2027, 7.30pm", in the reader's language."""
    starts = session.starts
    return _("%(day)s, %(time)s", day=format_day(starts.date()), time=time_in_words(starts.time()))


def note_of(asset: Asset) -> str:
    """Return the free-text note beside the sessions: a group's meeting pattern, a space's
    opening times."""
    return (asset.meeting_pattern if asset.kind is Kind.GROUP else asset.opening_times) or ""


def schedulable(asset_id: int) -> Asset:
    """Return the group or space if the signed-in person may set its times: 404, 403 or 409
    if not."""
    asset = store.get_asset(db.session(), asset_id)
    if asset is None or asset.kind not in SCHEDULED_KINDS:
        abort(404, _("Group or space %(id)s doesn't exist.", id=asset_id))
    if not can_edit_schedule(actor(), asset):
        abort(403, _("Only its owner, or staff for its neighbourhood, can change when it happens."))
    if asset.status is Status.WITHDRAWN:
        abort(409, _("“%(title)s” was withdrawn and can't be changed.", title=asset.title))
    return asset


def _sessions(asset: Asset) -> list[Schedule]:
    return schedules_of(db.session(), [asset.id]).get(asset.id, [])


def _save(asset: Asset, sessions: list[Schedule], note: str | None = None) -> str | None:
    """Save the sessions (and the note) and commit, or roll back and return why not."""
    session = db.session()
    try:
        set_schedules(session, asset.id, sessions, by=current_user.id, note=note)
    except ValidationError as exc:
        session.rollback()
        return "; ".join(reworded(name, reason) for name, reason in exc.errors.items())
    session.commit()
    return None


@bp.get("/strengths/<int:asset_id>/schedule")
@login_required
def show(asset_id: int) -> str:
    """List the sessions in words, each to change or remove, with the note beside them."""
    asset = schedulable(asset_id)
    return _list_page(asset, NoteForm(formdata=None, data={"note": note_of(asset)}))


def _list_page(asset: Asset, note: NoteForm) -> str:
    sessions = _sessions(asset)
    return render_template(
        "strengths/schedule.html",
        asset=asset,
        heading=HEADINGS[asset.kind],
        sessions=[_described(item) for item in sessions],
        full=len(sessions) >= SCHEDULES_MAX,
        most=SCHEDULES_MAX,
        form=note,
    )


def _described(schedule: Schedule) -> dict[str, Any]:
    upcoming = [schedule.next_session(now())]
    for _step in range(2):
        last = upcoming[-1]
        upcoming.append(last and schedule.next_session(last.starts + dt.timedelta(minutes=1)))
    return {
        "words": schedule.describe(today=today()),
        "cancelled": schedule.cancelled_in_words(today=today()),
        "next": [session_in_words(item) for item in upcoming if item is not None],
    }


@bp.post("/strengths/<int:asset_id>/schedule")
@login_required
def save_note(asset_id: int) -> Page:
    """Change the note beside the sessions."""
    asset = schedulable(asset_id)
    form = NoteForm()
    note = form.cleaned(SHORT_TEXT_MAX) if form.validate() else None
    refused = _save(asset, _sessions(asset), note) if note is not None else None
    if note is None or refused:
        if refused:
            form.note.errors = [*form.note.errors, refused]
        return _list_page(asset, form), 400
    flash(sentence(_("The note on times for “%(title)s” is saved.", title=title_of(asset))))
    return redirect(url_for(".show", asset_id=asset.id))


@bp.route("/strengths/<int:asset_id>/schedule/new", methods=["GET", "POST"])
@login_required
def new(asset_id: int) -> Page:
    """Add a session."""
    asset = schedulable(asset_id)
    sessions = _sessions(asset)
    if len(sessions) >= SCHEDULES_MAX:
        flash(
            _("You can give at most %(most)d. Change or remove one first.", most=SCHEDULES_MAX),
            "info",
        )
        return redirect(url_for(".show", asset_id=asset.id))
    if request.method == "GET":
        return _form_page(asset, SessionForm(formdata=None), None)
    return _saved(asset, SessionForm(), sessions, len(sessions))


@bp.route("/strengths/<int:asset_id>/schedule/<int:number>", methods=["GET", "POST"])
@login_required
def change(asset_id: int, number: int) -> Page:
    """Change one session, by its number in the list (from 1)."""
    asset = schedulable(asset_id)
    sessions = _sessions(asset)
    if not 1 <= number <= len(sessions):
        abort(404, _("“%(title)s” has no session %(number)d.", title=asset.title, number=number))
    if request.method == "GET":
        return _form_page(asset, SessionForm.filled(sessions[number - 1]), number)
    return _saved(asset, SessionForm(), sessions, number - 1)


def _saved(asset: Asset, form: SessionForm, sessions: list[Schedule], index: int) -> Page:
    """Save the form's session at ``index`` (the end: a new one), or show the form again."""
    number = index + 1 if index < len(sessions) else None
    if not form.validate():
        return _form_page(asset, form, number), 400
    try:
        schedule = validate_schedule(form.raw(), today=today())
    except ValidationError as exc:
        form.reject(exc.errors)
        return _form_page(asset, form, number), 400
    changed = [*sessions[:index], schedule, *sessions[index + 1 :]]
    refused = _save(asset, changed)
    if refused:
        form.frequency.errors = [*form.frequency.errors, refused]
        return _form_page(asset, form, number), 400
    flash(_("Saved: %(session)s.", session=schedule.describe(today=today())))
    return redirect(url_for(".show", asset_id=asset.id))


def _form_page(asset: Asset, form: SessionForm, number: int | None) -> str:
    action = (
        url_for(".change", asset_id=asset.id, number=number)
        if number
        else url_for(".new", asset_id=asset.id)
    )
    return render_template(
        "strengths/session_form.html",
        asset=asset,
        form=form,
        heading=HEADINGS[asset.kind],
        action=action,
        number=number,
    )


@bp.post("/strengths/<int:asset_id>/schedule/<int:number>/remove")
@login_required
def remove(asset_id: int, number: int) -> Page:
    """Remove one session."""
    asset = schedulable(asset_id)
    form = NoteForm()  # only its CSRF token is read
    if not form.validate():
        abort(400, _("The form had expired. Go back and try again."))
    sessions = _sessions(asset)
    if not 1 <= number <= len(sessions):
        abort(404, _("“%(title)s” has no session %(number)d.", title=asset.title, number=number))
    gone = sessions.pop(number - 1)
    refused = _save(asset, sessions)
    if refused:
        abort(400, refused)
    flash(_("Removed: %(session)s.", session=gone.describe(today=today())))
    return redirect(url_for(".show", asset_id=asset.id))


def _asset_page_when() -> dict[str, Any]:
    # A group's or space's page says when it meets or opens, and what comes next.
    if request.endpoint != "pages.asset" or not request.view_args:
        return {}
    asset = store.get_asset(db.session(), int(request.view_args.get("asset_id", 0)))
    if asset is None or asset.kind not in SCHEDULED_KINDS:
        return {}
    sessions = _sessions(asset)
    items = []
    for schedule in sessions:
        upcoming = schedule.next_session(now())
        items.append(
            {
                "words": schedule.describe(today=today()),
                "cancelled": schedule.cancelled_in_words(today=today()),
                "next": session_in_words(upcoming) if upcoming else "",
            }
        )
    return {
        "when": {
            "heading": str(HEADINGS[asset.kind]),
            "next_label": str(NEXT[asset.kind]),
            "sessions": items,
            "note": note_of(asset),
            "can_change": can_edit_schedule(actor(), asset) and asset.status is Status.PUBLISHED,
        }
    }


def init_app(app: Flask) -> None:
    """Register the schedule pages, and what a strength's page says of its times."""
    app.register_blueprint(bp)
    app.context_processor(_asset_page_when)
