"""Voting in a community fund's round: a resident's secret ballot, changeable until voting
closes; a vote a community connector records for someone without an account; the audit of
those for planners; and the voting part of the round's page.

Nothing here shows anyone's choices but the signed-in person's own: the ballot is read by
making their holder key again from their own id, never from one in the request.
"""

from __future__ import annotations

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
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Stage, VotingMethod, pounds
from assetmap.domain.permissions import can_record_vote, can_run_funds
from assetmap.storage import ballots
from assetmap.storage.models import FundRound, User
from assetmap.web import db
from assetmap.web.accounts.auth import actor, login_manager, requires

bp = Blueprint("funds_voting", __name__)
Page = str | tuple[str, int] | Response
Refusal = ballots.Refusal


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _round(round_id: int) -> FundRound:
    found = db.session().get(FundRound, round_id)
    if found is None:
        abort(404, _("Fund round %(id)s doesn't exist.", id=round_id))
    return found


def _user() -> User | None:
    return current_user.user if current_user.is_authenticated else None


def _why_not(reason: Refusal, fund: FundRound) -> str:
    """Return, in plain words, why the person may not vote and what they can do about it."""
    if reason is Refusal.SIGN_IN:
        return _("Sign in to vote. If you do not have an account, sign up: it is free.")
    if reason is Refusal.CONFIRM_EMAIL:
        return _("Confirm your email address to vote: open the link we sent you.")
    if reason is Refusal.NO_HOME:
        return _(
            "Only people who live in the area can vote. "
            "Say where you live on your account page, then come back."
        )
    if reason is Refusal.OUTSIDE_AREA:
        return _(
            "Only people who live in the area can vote, "
            "and your account says you live somewhere else."
        )
    if ballots.stage_of(fund, ballots.today()) in (Stage.COUNTING, Stage.DECIDED):
        return _("Voting has closed.")
    return _("Voting opens on %(day)s.", day=format_date(fund.voting_open, "long"))


def _chosen() -> list[int] | None:
    """Return the proposal ids sent in ``choices``, or None if one is not a number."""
    values = request.form.getlist("choices")
    if not all(value.isdigit() and len(value) < 12 for value in values):
        return None
    return [int(value) for value in values]


def _ballot_error(error: ValidationError, fund: FundRound, chosen: list[int]) -> str:
    """Return what is wrong with a ballot as one whole sentence."""
    english = getattr(error.errors.get("choices"), "english", "")
    if english.startswith("add up to"):
        amounts = {p.id: p.amount_pence for p in ballots.options(db.session(), fund.id)}
        return _(
            "The projects you chose add up to %(total)s, more than the budget of %(budget)s. "
            "Take one off.",
            total=pounds(sum(amounts.get(key, 0) for key in chosen)),
            budget=pounds(fund.budget_pence),
        )
    if english.startswith("choose at least"):
        return _("Choose at least one project")
    return _("Choose only projects from this list, each once")


def _options(fund: FundRound) -> list[dict[str, Any]]:
    return [
        {
            "id": proposal.id,
            "title": proposal.title,
            "summary": proposal.summary,
            "amount": pounds(proposal.amount_pence),
            "pence": proposal.amount_pence,
        }
        for proposal in ballots.options(db.session(), fund.id)
    ]


def _vote_page(fund: FundRound, status: int = 200, **extra: Any) -> tuple[str, int]:
    session, user = db.session(), _user()
    reason = ballots.refusal(session, fund, user, ballots.today())
    mine = (
        None if user is None else ballots.own_choices(session, fund.id, user.id, secret=_secret())
    )
    values = {
        "fund": fund,
        "reason": reason,
        "why_not": None if reason is None else _why_not(reason, fund),
        "options": _options(fund) if reason is None else [],
        "selected": [str(key) for key in (extra.pop("selected", None) or mine or [])],
        "voted": mine is not None,
        "budget": pounds(fund.budget_pence),
        "budget_vote": fund.method is VotingMethod.BUDGET,
        "until": format_date(fund.voting_close, "long"),
        "error": None,
        **extra,
    }
    return render_template("funds/vote.html", **values), status


@bp.get("/funds/<int:round_id>/vote")
def vote(round_id: int) -> Page:
    """Show the ballot to someone who may vote (with their choices, if they voted), or say in
    plain words why they may not."""
    return _vote_page(_round(round_id))


@bp.post("/funds/<int:round_id>/vote")
def vote_post(round_id: int) -> Page:
    """Cast or change the signed-in person's ballot, checked again here whatever the page's
    script said; refuse it whole if anything is wrong."""
    fund, user = _round(round_id), _user()
    chosen = _chosen()
    if user is None:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if chosen is None:
        return _vote_page(fund, 400, error=_("Choose only projects from this list, each once"))
    try:
        ballots.cast(db.session(), fund.id, user.id, chosen, secret=_secret(), on=ballots.today())
    except ballots.VoteRefused:
        return _vote_page(fund, 403)
    except ValidationError as exc:
        error = _ballot_error(exc, fund, chosen)
        return _vote_page(fund, 400, error=error, selected=chosen)
    flash(
        _(
            "Your vote is saved. You can change it until %(day)s.",
            day=format_date(fund.voting_close, "long"),
        ),
        "success",
    )
    return redirect(url_for("funds_voting.vote", round_id=fund.id))


def _record_page(fund: FundRound, status: int = 200, **extra: Any) -> tuple[str, int]:
    stage = ballots.stage_of(fund, ballots.today())
    values = {
        "fund": fund,
        "open": stage is Stage.VOTING,
        "why_not": None if stage is Stage.VOTING else _why_not(Refusal.NOT_OPEN, fund),
        "options": _options(fund),
        "budget": pounds(fund.budget_pence),
        "budget_vote": fund.method is VotingMethod.BUDGET,
        "values": {},
        "errors": {},
        "selected": [],
        **extra,
    }
    return render_template("funds/record_vote.html", **values), status


@bp.get("/funds/<int:round_id>/vote/record")
@requires(can_record_vote)
def record(round_id: int) -> Page:
    """Show the form a community connector records someone's vote with."""
    return _record_page(_round(round_id))


@bp.post("/funds/<int:round_id>/vote/record")
@requires(can_record_vote)
def record_post(round_id: int) -> Page:
    """Record the vote of someone without an account: their name and postcode only tell
    them apart, and are never kept; the vote cannot be changed later."""
    fund = _round(round_id)
    values = {key: request.form.get(key, "") for key in ("name", "postcode", "has_account")}
    chosen = _chosen()
    errors = _record_errors(values, chosen)
    if not errors and chosen is not None:
        errors = _recorded(fund, values, chosen)
    if errors:
        selected = [str(key) for key in chosen or []]
        return _record_page(fund, 400, values=values, errors=errors, selected=selected)
    flash(_("Their vote is recorded. It cannot be changed now."), "success")
    return redirect(url_for("funds_voting.record", round_id=fund.id))


def _record_errors(values: dict[str, str], chosen: list[int] | None) -> dict[str, str]:
    errors = {}
    if values["has_account"] not in ("yes", "no"):
        errors["has_account"] = _("Say whether they have an account on this site")
    elif values["has_account"] == "yes":
        errors["has_account"] = _(
            "People with an account vote for themselves: help them sign in and vote."
        )
    if chosen is None:
        errors["choices"] = _("Choose only projects from this list, each once")
    return errors


def _recorded(fund: FundRound, values: dict[str, str], chosen: list[int]) -> dict[str, str]:
    """Record the vote; return what is wrong, by field, if it was refused."""
    try:
        ballots.record(
            db.session(),
            fund.id,
            current_user.id,
            name=values["name"],
            postcode=values["postcode"],
            chosen=chosen,
            secret=_secret(),
            on=ballots.today(),
        )
    except ballots.AlreadyRecorded:
        return {"name": _("A vote for this person is already recorded in this round")}
    except ballots.VoteRefused:
        return {"choices": _why_not(Refusal.NOT_OPEN, fund)}
    except ValidationError as exc:
        if "choices" in exc.errors:
            return {"choices": _ballot_error(exc, fund, chosen)}
        return {field: str(message) for field, message in exc.errors.items()}
    return {}


@bp.get("/funds/<int:round_id>/recorded-votes")
@requires(can_run_funds)
def recorded_votes(round_id: int) -> Page:
    """Show planners how many votes each connector recorded, and on which days: never for
    whom, nor how anyone voted."""
    fund = _round(round_id)
    audit = ballots.recorders(db.session(), fund.id)
    return render_template(
        "funds/recorded_votes.html",
        fund=fund,
        audit=audit,
        total=sum(r.votes for r in audit),
        day=lambda value: format_date(value, "long"),
    )


def _round_page_voting() -> dict[str, Any]:
    # The round's page says whether voting is open, how many have voted, and whether you have.
    if request.endpoint != "funds_rounds.show" or not request.view_args:
        return {}
    round_id = int(request.view_args.get("round_id", 0))
    session, user = db.session(), actor()
    fund = session.get(FundRound, round_id)
    if fund is None:
        return {}
    stage = ballots.stage_of(fund, ballots.today())
    return {
        "voting": {
            "open": stage is Stage.VOTING,
            "closed": stage in (Stage.COUNTING, Stage.DECIDED),
            "count": ballots.voter_count(session, round_id),
            "voted": user is not None and ballots.has_voted(session, round_id, user.id),
            "until": format_date(fund.voting_close, "long"),
            "opens": format_date(fund.voting_open, "long"),
            "upcoming": stage in (Stage.UPCOMING, Stage.PROPOSING, Stage.CHECKING),
            "can_record": can_record_vote(user),
            "can_audit": can_run_funds(user),
        }
    }


def init_app(app: Flask) -> None:
    """Register the voting pages and the voting part of a round's page."""
    app.register_blueprint(bp)
    app.context_processor(_round_page_voting)
