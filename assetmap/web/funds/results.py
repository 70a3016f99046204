"""A community fund's result: planners count the votes once voting has closed and publish the
result; anyone reads it on the round's page and as JSON (enough to count it again); funded
projects' updates and milestones, added by a planner or the project's proposer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import ProposalStatus, Stage, pounds
from assetmap.domain.permissions import can_run_funds, signed_in
from assetmap.domain.provenance import local_day
from assetmap.storage import fund_results as store
from assetmap.storage.funds import RoundNotFound, may_run, round_neighbourhoods, stage_of
from assetmap.storage.models import FundProposal, FundRound, utcnow
from assetmap.web import db
from assetmap.web.accounts.auth import actor, requires

bp = Blueprint("funds_results", __name__)
Page = str | tuple[str, int] | WerkzeugResponse


def today() -> dt.date:
    """Return the register's local day now."""
    return local_day(utcnow())


def _round(round_id: int) -> FundRound:
    try:
        return store.require_round(db.session(), round_id)
    except RoundNotFound as exc:
        abort(404, str(exc))


def _may_run(fund: FundRound) -> bool:
    user = actor()
    return can_run_funds(user) and may_run(user, round_neighbourhoods(db.session(), fund.id))


def _digest(result: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()


@bp.get("/funds/<int:round_id>/count")
@requires(can_run_funds)
def count(round_id: int) -> Page:
    """Show what the count gives, to check before publishing it."""
    fund = _round(round_id)
    if not _may_run(fund):
        abort(403, _("This round's area is outside the neighbourhoods you work in."))
    return _count_page(fund)


def _count_page(fund: FundRound, problem: str = "") -> str:
    result, refused = fund.result if fund.published_at else None, problem
    if fund.published_at is None:
        try:
            result = store.preview(db.session(), fund.id, today=today())
        except ValidationError as exc:
            refused = problem or str(exc.errors["round"])
    return render_template(
        "funds/count.html",
        fund=fund,
        refused=refused,
        problem=bool(problem),
        result=result,
        rows=store.rows(result) if result else [],
        digest=_digest(result) if result else "",
        rule=store.rule_in_words(fund.tie_break),
        pounds=pounds,
    )


@bp.post("/funds/<int:round_id>/count")
@requires(can_run_funds)
def publish(round_id: int) -> Page:
    """Count the votes again and publish the result, if it is the one the planner checked."""
    fund = _round(round_id)
    if not _may_run(fund):
        abort(403, _("This round's area is outside the neighbourhoods you work in."))
    session = db.session()
    try:
        counted = store.count_round(session, fund.id, today=today())
        if _digest(counted.result or {}) != request.form.get("digest", ""):
            session.rollback()
            message = _("The count has changed since you looked. Check it again, then publish.")
            return _count_page(_round(round_id), message), 409
        store.publish(session, fund.id, by=getattr(actor(), "id", None), today=today())
    except ValidationError as exc:
        session.rollback()
        return _count_page(_round(round_id), str(exc.errors["round"])), 400
    session.commit()
    flash(_("The result is published."))
    return redirect(url_for("funds_rounds.show", round_id=fund.id, _anchor="result"))


@bp.get("/funds/<int:round_id>/result.json")
def result_json(round_id: int) -> Response:
    """Return a published result's totals and rule: enough for anyone to count it again."""
    fund = _round(round_id)
    result = store.published_result(fund)
    if result is None:
        abort(404, _("This round's result is not published yet."))
    assert fund.published_at is not None
    body = {
        "round": {"id": fund.id, "title": fund.title},
        "published_at": fund.published_at.isoformat(),
        **result,
    }
    response = jsonify(body)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _funded(round_id: int, proposal_id: int) -> tuple[FundRound, FundProposal]:
    fund = _round(round_id)
    try:
        proposal = store.funded_proposal(db.session(), round_id, proposal_id)
    except store.ProposalNotFound as exc:
        abort(404, str(exc))
    user = actor()
    if not (_may_run(fund) or (user is not None and proposal.proposed_by == user.id)):
        abort(403, _("Only a planner or the person who proposed it can add news of a project."))
    if proposal.status is not ProposalStatus.FUNDED:
        abort(404, _("Only a funded project has updates."))
    return fund, proposal


@bp.get("/funds/<int:round_id>/proposals/<int:proposal_id>/updates/new")
@requires(signed_in)
def new_update(round_id: int, proposal_id: int) -> Page:
    """Show the form for news of a funded project."""
    fund, proposal = _funded(round_id, proposal_id)
    return _update_form(fund, proposal, {}, {})


@bp.post("/funds/<int:round_id>/proposals/<int:proposal_id>/updates/new")
@requires(signed_in)
def add_update(round_id: int, proposal_id: int) -> Page:
    """Add news of a funded project, or show the form again saying what was wrong."""
    fund, proposal = _funded(round_id, proposal_id)
    values = {"body": request.form.get("body", ""), "milestone": request.form.get("milestone")}
    session = db.session()
    try:
        store.add_update(
            session,
            proposal,
            values["body"] or "",
            milestone=values["milestone"] == "yes",
            by=getattr(actor(), "id", None),
        )
    except ValidationError as exc:
        session.rollback()
        return _update_form(fund, proposal, values, exc.errors), 400
    session.commit()
    flash(_("Your news of “%(project)s” is on the round's page.", project=proposal.title))
    return redirect(
        url_for("funds_rounds.show", round_id=fund.id, _anchor=f"project-{proposal.id}")
    )


def _update_form(
    fund: FundRound, proposal: FundProposal, values: dict[str, Any], errors: dict[str, Any]
) -> str:
    return render_template(
        "funds/update_form.html",
        fund=fund,
        proposal=proposal,
        values=values,
        errors={name: str(message) for name, message in errors.items()},
    )


def _round_page_results() -> dict[str, Any]:
    # The round's page shows its published result, the rule beside it, and funded projects'
    # strengths and news; planners see a link to count the votes once voting has closed.
    if request.endpoint != "funds_rounds.show" or not request.view_args:
        return {}
    fund = db.session().get(FundRound, int(request.view_args.get("round_id", 0)))
    if fund is None:
        return {}
    result = store.published_result(fund)
    if result is None:
        countable = stage_of(fund, today()) is Stage.COUNTING and _may_run(fund)
        return {"fund_results": {"published": False, "countable": countable, "fund": fund}}
    return {"fund_results": _published(fund, result)}


def _published(fund: FundRound, result: dict[str, Any]) -> dict[str, Any]:
    session = db.session()
    rows = store.rows(result)
    funded = [row.proposal_id for row in rows if row.funded]
    user = actor()
    staff = _may_run(fund)
    proposers = store.proposers_of(session, funded)
    return {
        "published": True,
        "fund": fund,
        "rows": rows,
        "rule": store.rule_in_words(fund.tie_break),
        "budget": pounds(result["budget_pence"]),
        "ballots": result["ballots"],
        "funded_in_words": store.funded_in_words(result),
        "strengths": store.strengths_of(session, funded),
        "updates": store.updates_of(session, funded),
        "may_update": {
            pid for pid in funded if staff or (user is not None and proposers[pid] == user.id)
        },
        "pounds": pounds,
    }


def init_app(app: Flask) -> None:
    """Register the count, the result's JSON and project updates, and the round page's part."""
    app.register_blueprint(bp)
    app.context_processor(_round_page_results)
