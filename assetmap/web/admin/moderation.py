"""Reporting a strength, the moderators' queue, hiding with a reason, restoring, answering.

Anyone may report a published strength, signed in or not: the person who notices a mistake, or
finds themselves listed without agreeing, often has no account. CSRF protection still applies
(the token is in the visitor's session) and reports are rate-limited per address.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, Length

from assetmap import mail
from assetmap.domain.errors import ValidationError
from assetmap.domain.moderation import PROBLEM_LABELS, REASON_MAX, Problem
from assetmap.domain.permissions import can_answer, can_moderate, can_report, is_moderator
from assetmap.domain.vocab import Status
from assetmap.runtime.links import external_url
from assetmap.storage import assets as store
from assetmap.storage import moderation as moderation_store
from assetmap.storage.models import Asset
from assetmap.storage.users import get_user
from assetmap.web import db, nav
from assetmap.web.accounts.auth import actor, requires

bp = Blueprint("moderation", __name__)
Page = str | tuple[str, int] | Response


_TOO_LONG = _l("Write at most %(most)s characters", most=REASON_MAX)


class ReportForm(FlaskForm):  # type: ignore[misc]
    problem = RadioField(
        _l("What is wrong with it?"),
        choices=[SelectChoice(p.value, _l(PROBLEM_LABELS[p.value])) for p in Problem],
        validators=[DataRequired(_l("Choose what is wrong with it"))],
    )
    reason = TextAreaField(
        _l("Tell us more"),
        validators=[
            DataRequired(_l("Say what is wrong, so a moderator can check it")),
            Length(max=REASON_MAX, message=_TOO_LONG),
        ],
    )


class ReasonForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        _l("Why is it being hidden?"),
        validators=[
            DataRequired(_l("Give the reason: its owner is told it")),
            Length(max=REASON_MAX, message=_TOO_LONG),
        ],
    )


class AnswerForm(FlaskForm):  # type: ignore[misc]
    answer = TextAreaField(
        _l("Your answer to the moderators"),
        validators=[
            DataRequired(_l("Write your answer")),
            Length(max=REASON_MAX, message=_TOO_LONG),
        ],
    )


def _me() -> int:
    user = actor()
    if user is None:
        abort(401)
    return user.id


def _asset(asset_id: int) -> Asset:
    asset = store.get_asset(db.session(), asset_id)
    if asset is None:
        abort(404, _("Strength %(id)s doesn't exist.", id=asset_id))
    return asset


def _published(asset_id: int) -> Asset:
    asset = _asset(asset_id)
    if asset.status is not Status.PUBLISHED:
        abort(404, _("Strength %(id)s doesn't exist or isn't public.", id=asset_id))
    return asset


def _moderated(asset_id: int) -> Asset:
    asset = _asset(asset_id)
    if not can_moderate(actor(), asset):
        abort(403, _("You can't moderate this strength."))
    return asset


@bp.get("/assets/<int:asset_id>/report")
@requires(can_report)
def report(asset_id: int) -> str:
    """Ask what is wrong with a strength."""
    return render_template(
        "moderation/report.html", asset=_published(asset_id), form=ReportForm(formdata=None)
    )


@bp.post("/assets/<int:asset_id>/report")
@requires(can_report)
def report_post(asset_id: int) -> Page:
    """Record a report for the moderators, or show the form again with what is missing."""
    asset = _published(asset_id)
    form = ReportForm()
    if not form.validate():
        return render_template("moderation/report.html", asset=asset, form=form), 400
    user = actor()
    session = db.session()
    moderation_store.add_report(
        session, asset.id, form.problem.data, form.reason.data, by=user.id if user else None
    )
    session.commit()
    flash(_("Thank you. A moderator will look at your report."))
    return redirect(url_for("pages.asset", asset_id=asset.id))


@bp.get("/moderation")
@requires(is_moderator)
def queue() -> str:
    """List open reports and hidden strengths the moderator may act on."""
    session = db.session()
    user = actor()
    reports = [r for r in moderation_store.open_reports(session) if can_moderate(user, r.asset)]
    hidden = [a for a in moderation_store.hidden_assets(session) if can_moderate(user, a)]
    answers = moderation_store.answers_for(session, [asset.id for asset in hidden])
    return render_template(
        "moderation/queue.html", reports=reports, hidden=hidden, answers=answers, Problem=Problem
    )


@bp.get("/moderation/assets/<int:asset_id>/hide")
@requires(is_moderator)
def hide(asset_id: int) -> str:
    """Ask for the reason a strength is being hidden."""
    asset = _moderated(asset_id)
    reports = moderation_store.open_reports_of(db.session(), asset.id)
    form = ReasonForm(formdata=None)
    return render_template(
        "moderation/hide.html", asset=asset, form=form, reports=reports, Problem=Problem
    )


@bp.post("/moderation/assets/<int:asset_id>/hide")
@requires(is_moderator)
def hide_post(asset_id: int) -> Page:
    """Hide a published strength with the reason, and tell its owner."""
    asset = _moderated(asset_id)
    form = ReasonForm()
    session = db.session()
    if not form.validate():
        reports = moderation_store.open_reports_of(session, asset.id)
        page = render_template(
            "moderation/hide.html", asset=asset, form=form, reports=reports, Problem=Problem
        )
        return page, 400
    try:
        moderation_store.hide_asset(session, asset.id, by=_me(), reason=form.reason.data)
    except ValidationError as exc:
        abort(409, "; ".join(exc.errors.values()))
    session.commit()
    _tell_owner(asset)
    flash(_("“%(title)s” is hidden. Its owner has been told why.", title=asset.title))
    return redirect(url_for(".queue"))


def _tell_owner(asset: Asset) -> None:
    _tell(
        asset.owner_id,
        _l("“%(title)s” has been hidden", title=asset.title),
        "moderation/hidden_email.txt",
        asset=asset,
        link=external_url("strengths.mine"),
    )


def _tell(user_id: int | None, subject: object, template: str, **values: Any) -> None:
    """Mail a person in their language once this answer has gone, unless they have no account
    (any more)."""
    user = get_user(db.session(), user_id) if user_id else None
    if user is not None and not user.email.endswith("@invalid"):
        mail.send_to(user, subject, template, **values)


@bp.post("/moderation/assets/<int:asset_id>/restore")
@requires(is_moderator)
def restore(asset_id: int) -> Response:
    """Show a hidden strength again."""
    asset = _moderated(asset_id)
    session = db.session()
    reason = request.form.get("reason", "")[:REASON_MAX].strip()
    try:
        moderation_store.restore_asset(session, asset.id, by=_me(), reason=reason)
    except ValidationError as exc:
        abort(409, "; ".join(exc.errors.values()))
    session.commit()
    _tell(
        asset.owner_id,
        _l("“%(title)s” is on the map again", title=asset.title),
        "moderation/shown_email.txt",
        asset=asset,
        reason=reason,
        link=external_url("strengths.mine"),
    )
    flash(_("“%(title)s” is public again. Its owner has been told.", title=asset.title))
    return redirect(url_for(".queue"))


@bp.post("/moderation/reports/<int:report_id>/dismiss")
@requires(is_moderator)
def dismiss(report_id: int) -> Response:
    """Close a report without hiding the strength."""
    session = db.session()
    found = moderation_store.get_report(session, report_id)
    if found is None:
        abort(404, _("Report %(id)s doesn't exist.", id=report_id))
    if not can_moderate(actor(), found.asset):
        abort(403, _("You can't moderate this strength."))
    moderation_store.dismiss_report(session, report_id, by=_me())
    session.commit()
    flash(_("The report is closed; the strength stays public."))
    return redirect(url_for(".queue"))


@bp.post("/strengths/<int:asset_id>/answer")
@requires(lambda user: user is not None)
def answer(asset_id: int) -> Page:
    """Record the owner's answer to the moderators about a hidden strength."""
    asset = _asset(asset_id)
    if not can_answer(actor(), asset):
        abort(403, _("You can only answer about your own strengths."))
    if asset.status is not Status.HIDDEN:
        abort(409, _("“%(title)s” is not hidden.", title=asset.title))
    form = AnswerForm()
    if not form.validate():
        flash(_("Write your answer before sending it."))
        return redirect(url_for("strengths.mine"))
    session = db.session()
    hiding = moderation_store.last_hides(session, [asset.id])[asset.id]
    answer = moderation_store.add_answer(session, asset.id, form.answer.data, by=_me())
    session.commit()
    if hiding is not None and hiding.by is not None:
        _tell(
            hiding.by,
            _l("The owner of “%(title)s” has answered", title=asset.title),
            "moderation/answer_email.txt",
            asset=asset,
            answer=answer.text,
            link=external_url("moderation.queue") + "#hidden",
        )
    flash(_("Your answer is sent to the moderators."))
    return redirect(url_for("strengths.mine"))


def init_app(app: Flask) -> None:
    """Register the report and moderation pages and the queue's navigation link."""
    app.register_blueprint(bp)
    nav.add_link(
        app,
        "moderation.queue",
        _l("Moderation"),
        order=70,
        show=lambda u: bool(u.is_authenticated) and is_moderator(u),
    )
