"""Ideas for a community fund's round: people who live there, run a group there, or connect
someone without an account propose small projects built on mapped strengths; a skill's owner
agrees first; planners check each idea against the round's rules.

Strengths are found with a plain search inside the proposal form and chosen with checkboxes,
so every step works without JavaScript. Nothing here names who proposed an idea, or who owns
a skill: a skill is its title and kind, and its owner hears of an idea only from "someone".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from assetmap import mail
from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import ProposalStatus, Stage, parse_pounds, pounds
from assetmap.domain.i18n import N_
from assetmap.domain.provenance import local_day
from assetmap.runtime.links import external_url
from assetmap.storage import fund_proposals as store
from assetmap.storage import funds as rounds
from assetmap.storage.models import FundRound, utcnow
from assetmap.web import db
from assetmap.web.accounts.auth import actor, login_manager
from assetmap.web.geocoding import untranslated

bp = Blueprint("funds_proposals", __name__)
Page = str | tuple[str, int] | Response
_TEXT = ("title", "summary", "who_will_do_it", "amount", "q")
SEARCH_MAX = 100
# The subject of the mail asking a skill's owner, translated in the owner's language.
ASKED = N_("Someone would like to build on your skill “%(skill)s”")


def today() -> dt.date:
    """Return today where the register is: the day a round's stage is read on."""
    return local_day(utcnow())


def _id(text: Any) -> int:
    value = str(text or "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _round(round_id: int) -> FundRound:
    fund = db.session().get(FundRound, round_id)
    if fund is None:
        abort(404, _("Fund round %(id)s doesn't exist.", id=round_id))
    return fund


def _not_now(title: str, message: str) -> NoReturn:
    """Stop with a page saying the round's stage does not allow this now (409)."""
    page = render_template("error.html", status=409, title=title, message=message)
    abort(Response(page, 409))


def _modes(fund: FundRound) -> tuple[bool, bool]:
    """Return whether the signed-in person may propose for themselves, and for someone
    without an account."""
    session, user = db.session(), current_user.user
    return (
        store.may_propose(session, fund, user, on_behalf=False),
        store.may_propose(session, fund, user, on_behalf=True),
    )


def _proposer(round_id: int) -> tuple[FundRound, bool, bool]:
    """Return the round taking ideas and how the person may propose to it; or stop with 404,
    403, or a page saying it is not taking ideas."""
    fund = _round(round_id)
    if rounds.stage_of(fund, today()) is not Stage.PROPOSING:
        _not_now(
            _("This round is not taking ideas"),
            _("Ideas can be proposed only while the round is taking them."),
        )
    themselves, for_others = _modes(fund)
    if not (themselves or for_others):
        abort(
            403,
            _(
                "Only people who live in the round's area, with a confirmed email address, "
                "or who run a group there can propose ideas, as the round allows."
            ),
        )
    return fund, themselves, for_others


@bp.get("/funds/<int:round_id>/propose")
@login_required
def propose(round_id: int) -> Page:
    """Show the form for an idea: what it will do, who will do it, how much, and the
    strengths it builds on."""
    fund, themselves, for_others = _proposer(round_id)
    values = {"on_behalf": "" if themselves else "y"}
    return _form(fund, values, [], {}, themselves=themselves, for_others=for_others)


@bp.post("/funds/<int:round_id>/propose")
@login_required
def propose_post(round_id: int) -> Page:
    """Search for strengths and show the form again, or send the idea."""
    fund, themselves, for_others = _proposer(round_id)
    values: dict[str, Any] = {name: request.form.get(name, "") for name in _TEXT}
    values["on_behalf"] = "y" if (request.form.get("on_behalf") == "y" or not themselves) else ""
    chosen = [n for n in map(_id, request.form.getlist("strengths")) if n][: store.STRENGTHS_MAX]
    modes = {"themselves": themselves, "for_others": for_others}
    if request.form.get("action") == "search":
        return _form(fund, values, chosen, {}, searched=True, **modes)
    session = db.session()
    errors: dict[str, str] = {}
    try:
        amount = parse_pounds(str(values["amount"]), "amount")
    except ValidationError:
        amount = 0
        errors["amount"] = _("Enter the amount in pounds, like 1250 or 1,250.50")
    idea = store.Idea(
        title=str(values["title"]),
        summary=str(values["summary"]),
        who_will_do_it=str(values["who_will_do_it"]),
        amount_pence=amount,
        strength_ids=tuple(chosen),
        on_behalf=values["on_behalf"] == "y",
    )
    try:
        proposal, asked = store.add_proposal(
            session, fund.id, idea, by=current_user.user, today=today()
        )
    except ValidationError as exc:
        session.rollback()
        return _form(fund, values, chosen, exc.errors | errors, **modes), 400
    _ask_owners(fund, proposal.title, proposal.summary, proposal.amount_pence, asked)
    session.commit()
    if asked:
        flash(_("Your idea is in. We have asked the owner of each skill it names to agree."))
    else:
        flash(_("Your idea is in. A planner will check it against the round's rules."))
    return redirect(url_for(".show", round_id=fund.id, proposal_id=proposal.id))


def _form(
    fund: FundRound,
    values: dict[str, Any],
    chosen: list[int],
    errors: dict[str, str],
    *,
    themselves: bool,
    for_others: bool,
    searched: bool = False,
) -> str:
    words = " ".join(str(values.get("q", "")).split())
    choices: list[store.StrengthChoice] = []
    if searched and not words:
        errors = errors | {"q": _("Enter a name to search for")}
    elif len(words) > SEARCH_MAX:
        errors = errors | {"q": _("Search must be %(most)d characters or fewer", most=SEARCH_MAX)}
        words = ""
    if chosen or words:
        choices = store.strength_choices(db.session(), fund.id, words, also=chosen)
    return render_template(
        "funds/propose.html",
        fund=fund,
        budget=pounds(fund.budget_pence),
        values=values,
        errors=errors,
        chosen={str(n) for n in chosen},
        choices=choices,
        words=words,
        searched=searched and bool(words),
        themselves=themselves,
        for_others=for_others,
    )


def _ask_owners(
    fund: FundRound, title: str, summary: str, amount_pence: int, skill_ids: list[int]
) -> None:
    """Mail the owner of each skill named, asking them to agree: never saying who asked."""
    link = external_url("funds_proposals.consent")
    for owner, skill, language in store.skills_to_ask(db.session(), skill_ids):
        if owner.email.endswith("@invalid"):
            continue
        mail.send_to(
            owner,
            lambda skill=skill: _(
                "Someone would like to build on your skill “%(skill)s”", skill=skill
            ),
            "funds/consent_email.txt",
            skill=skill,
            skill_language=language,
            fund_title=fund.title,
            title=title,
            summary=summary,
            amount=pounds(amount_pence),
            link=link,
        )


@bp.get("/funds/<int:round_id>/proposals/<int:proposal_id>")
def show(round_id: int, proposal_id: int) -> str:
    """Show an idea: what it will do, who will do it, how much, where it is, and the strengths
    it builds on; never who proposed it."""
    fund = _round(round_id)
    proposal = _proposal(fund, proposal_id)
    stage = rounds.stage_of(fund, today())
    user = actor()
    own = user is not None and proposal.proposed_by == user.id
    return render_template(
        "funds/proposal.html",
        fund=fund,
        proposal=proposal,
        own=own,
        may_withdraw=own and stage in store.BEFORE_VOTING,
        may_check=_may_check(fund) and stage in store.BEFORE_VOTING,
        not_eligible=ProposalStatus.NOT_ELIGIBLE,
    )


def _proposal(fund: FundRound, proposal_id: int) -> store.ProposalView:
    found = store.get_proposal(db.session(), fund.id, proposal_id)
    if found is None:
        abort(404, _("Idea %(id)s doesn't exist in this round.", id=proposal_id))
    return found


def _may_check(fund: FundRound) -> bool:
    area = rounds.round_neighbourhoods(db.session(), fund.id)
    return rounds.may_run(actor(), area)


def _checker(round_id: int, proposal_id: int) -> tuple[FundRound, store.ProposalView]:
    fund = _round(round_id)
    if actor() is None:
        abort(login_manager.unauthorized())
    if not _may_check(fund):
        abort(403, _("Only planners for the round's area can check ideas."))
    proposal = _proposal(fund, proposal_id)
    if rounds.stage_of(fund, today()) not in store.BEFORE_VOTING:
        _not_now(
            _("This idea can no longer be checked"),
            _("Ideas can only be checked before voting opens."),
        )
    return fund, proposal


@bp.get("/funds/<int:round_id>/proposals/<int:proposal_id>/check")
def check(round_id: int, proposal_id: int) -> Page:
    """Ask a planner whether the idea can be voted on, and if not, why not."""
    fund, proposal = _checker(round_id, proposal_id)
    values = {"eligible": "", "reason": proposal.reason}
    if proposal.status in (ProposalStatus.ELIGIBLE, ProposalStatus.NOT_ELIGIBLE):
        values["eligible"] = "yes" if proposal.status is ProposalStatus.ELIGIBLE else "no"
    return _check_page(fund, proposal, values, {})


@bp.post("/funds/<int:round_id>/proposals/<int:proposal_id>/check")
def check_post(round_id: int, proposal_id: int) -> Page:
    """Record whether the idea can be voted on, with the reason where not."""
    fund, proposal = _checker(round_id, proposal_id)
    values = {name: request.form.get(name, "") for name in ("eligible", "reason")}
    if values["eligible"] not in ("yes", "no"):
        errors = {"eligible": _("Choose whether the idea can be voted on")}
        return _check_page(fund, proposal, values, errors), 400
    session = db.session()
    try:
        store.check_proposal(
            session,
            proposal.id,
            values["eligible"] == "yes",
            values["reason"],
            by=current_user.id,
            today=today(),
        )
    except ValidationError as exc:
        session.rollback()
        return _check_page(fund, proposal, values, exc.errors), 400
    session.commit()
    title = untranslated(proposal.title)
    flash(Markup(_("Checked: “%(title)s” now says so on the round's page.", title=title)))
    return redirect(url_for("funds_rounds.show", round_id=fund.id) + "#ideas")


def _check_page(
    fund: FundRound, proposal: store.ProposalView, values: dict[str, Any], errors: dict[str, str]
) -> str:
    return render_template(
        "funds/check_proposal.html", fund=fund, proposal=proposal, values=values, errors=errors
    )


@bp.post("/funds/<int:round_id>/proposals/<int:proposal_id>/withdraw")
@login_required
def withdraw(round_id: int, proposal_id: int) -> Page:
    """Take back one's own idea before voting opens."""
    fund = _round(round_id)
    proposal = _proposal(fund, proposal_id)
    if proposal.proposed_by != current_user.id:
        abort(403, _("Only the person who proposed an idea can withdraw it."))
    if rounds.stage_of(fund, today()) not in store.BEFORE_VOTING:
        _not_now(
            _("This idea can no longer be withdrawn"),
            _("An idea can only be withdrawn before voting opens."),
        )
    session = db.session()
    store.withdraw_proposal(session, proposal.id, by=current_user.id, today=today())
    session.commit()
    flash(Markup(_("You withdrew “%(title)s”.", title=untranslated(proposal.title))))
    return redirect(url_for("funds_rounds.show", round_id=fund.id))


@bp.get("/funds/consent")
@login_required
def consent() -> str:
    """List the ideas waiting for the person to agree to their skills being named."""
    waiting = store.consent_requests(db.session(), current_user.id)
    return render_template("funds/consent.html", waiting=waiting)


@bp.post("/funds/consent")
@login_required
def consent_post() -> Response:
    """Agree to, or decline, an idea naming one of the person's skills."""
    answer = request.form.get("answer", "")
    if answer not in ("agree", "decline"):
        abort(400, _("Agree or decline the request."))
    proposal_id, skill_id = _id(request.form.get("proposal")), _id(request.form.get("skill"))
    session = db.session()
    try:
        store.answer_consent(session, proposal_id, skill_id, answer == "agree", by=current_user.id)
    except ValidationError:
        session.rollback()
        abort(404, _("This request doesn't exist, or was already answered."))
    session.commit()
    if answer == "agree":
        flash(_("You agreed. The idea can now be checked and voted on."))
    else:
        flash(
            _("You declined. The idea will not name your skill, and cannot be voted on as it is.")
        )
    return redirect(url_for(".consent"))


def _round_page_proposals() -> dict[str, Any]:
    # A round's page lists its ideas, and offers to propose one to those who may.
    if request.endpoint != "funds_rounds.show" or not request.view_args:
        return {}
    fund = db.session().get(FundRound, int(request.view_args.get("round_id", 0)))
    if fund is None:
        return {}
    taking = rounds.stage_of(fund, today()) is Stage.PROPOSING
    may = taking and actor() is not None and any(_modes(fund))
    return {
        "fund_proposals": store.proposals_of(db.session(), fund.id),
        "fund_taking_ideas": taking,
        "fund_may_propose": may,
        "fund_round_id": fund.id,
    }


def init_app(app: Flask) -> None:
    """Register the proposal pages, and the ideas on each round's page."""
    app.register_blueprint(bp)
    app.context_processor(_round_page_proposals)
