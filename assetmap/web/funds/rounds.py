"""Community fund rounds: the list everyone sees, each round's public page, and the forms
planners and admins open and change rounds with (from scratch, or from a strength check).

The round's page holds what the other parts of a fund add: each of them gives its partial
(``funds/_proposals.html``, ``_voting.html``, ``_results.html``) its data with a context
processor active for ``funds_rounds.show`` alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Proposer, Stage, TieBreak, VotingMethod, pounds
from assetmap.domain.permissions import can_run_funds, can_use_neighbourhood
from assetmap.domain.provenance import local_day
from assetmap.storage import funds as store
from assetmap.storage.checks import CheckNotFound, current, get_check
from assetmap.storage.models import FundRound, utcnow
from assetmap.storage.neighbourhoods import neighbourhood_choices
from assetmap.web import db, nav
from assetmap.web.accounts.auth import actor, requires

bp = Blueprint("funds_rounds", __name__)
Page = str | tuple[str, int] | Response
_TEXT = ("title", "purpose", "budget", "method", "tie_break")
_LISTS = ("proposers", "neighbourhoods")
_PARTS = ("day", "month", "year")
# The list's sections, in order, and the stages each holds.
SECTIONS = (
    ("ideas", _l("Open for ideas"), (Stage.UPCOMING, Stage.PROPOSING, Stage.CHECKING)),
    ("voting", _l("Voting now"), (Stage.VOTING, Stage.COUNTING)),
    ("decided", _l("Decided"), (Stage.DECIDED,)),
)
# Who or what a field's message is about, where the message does not say.
SUBJECTS = {
    "title": _l("The title"),
    "purpose": _l("What the money is for"),
    "budget": _l("The budget"),
    "method": _l("How people vote"),
    "tie_break": _l("How ties are broken"),
    "proposers": _l("Who may propose ideas"),
    "proposals_open": _l("The day ideas open"),
    "proposals_close": _l("The day ideas close"),
    "voting_open": _l("The day voting opens"),
    "voting_close": _l("The day voting closes"),
    "results_on": _l("The day of the result"),
    "neighbourhoods": _l("The area"),
}
_PREDICATES = ("is ", "must ")
METHOD_HINTS = {
    VotingMethod.BUDGET: _l(
        "Each person picks the projects they want, as long as their amounts add up to no more "
        "than the budget."
    ),
    VotingMethod.APPROVAL: _l("Each person ticks every project they support."),
}
TIE_RULES = {
    TieBreak.SMALLER_FIRST: _l(
        "If projects have the same number of votes, the one asking for less money comes first. "
        "If they also ask for the same amount, the one proposed first comes first."
    ),
    TieBreak.EARLIER_FIRST: _l(
        "If projects have the same number of votes, the one proposed first comes first."
    ),
}
DEFAULTS: dict[str, Any] = {
    "method": VotingMethod.BUDGET.value,
    "tie_break": TieBreak.SMALLER_FIRST.value,
    "proposers": [member.value for member in Proposer],
    "neighbourhoods": [],
}


def today() -> dt.date:
    """Return today where the register is: the day a round's stage is read on."""
    return local_day(utcnow())


@bp.get("/funds")
def index() -> str:
    """List every round by stage, the newest first in each."""
    views = store.list_rounds(db.session(), today=today())
    sections = [
        (key, title, [view for view in views if view.stage in stages])
        for key, title, stages in SECTIONS
    ]
    return render_template(
        "funds/index.html", sections=sections, manage=can_run_funds(actor()), pounds=pounds
    )


@bp.get("/funds/<int:round_id>")
def show(round_id: int) -> str:
    """Show a round: what it is for, its money, area, dates, rules and where it is now."""
    view = store.get_round(db.session(), round_id, today=today())
    if view is None:
        abort(404, _("Fund round %(id)s doesn't exist.", id=round_id))
    fund, user = view.round, actor()
    manage = store.may_run(user, [n for n, _name in view.area]) and view.stage in store.CHANGEABLE
    return render_template(
        "funds/round.html",
        view=view,
        fund=fund,
        budget=pounds(fund.budget_pence),
        timeline=_timeline(fund, view.stage),
        proposers=[member.label for member in Proposer if member.value in fund.proposers],
        method_rule=METHOD_HINTS[fund.method],
        tie_rule=TIE_RULES[fund.tie_break],
        check=_check_shown(fund),
        manage=manage,
    )


@bp.get("/funds/new")
@requires(can_run_funds)
def new() -> str:
    """Show the form that opens a round."""
    return _form(dict(DEFAULTS), {})


@bp.post("/funds/new")
@requires(can_run_funds)
def create() -> Page:
    """Open a round, or show the form again with what went wrong."""
    return _create(None)


@bp.get("/checks/<int:check_id>/fund")
@requires(can_run_funds)
def from_check(check_id: int) -> str:
    """Show the form that opens a round, filled in from a strength check."""
    try:
        values = store.from_check(db.session(), check_id)
    except CheckNotFound as exc:
        abort(404, str(exc))
    user = actor()
    if not all(can_use_neighbourhood(user, int(n)) for n in values["neighbourhoods"]):
        abort(403, _("Strength check %(id)s reaches beyond your neighbourhoods.", id=check_id))
    return _form(DEFAULTS | values, {}, check_id=check_id)


@bp.post("/checks/<int:check_id>/fund")
@requires(can_run_funds)
def create_from_check(check_id: int) -> Page:
    """Open a round started from a strength check."""
    if get_check(db.session(), check_id) is None:
        abort(404, _("Strength check %(id)s doesn't exist.", id=check_id))
    return _create(check_id)


@bp.get("/funds/<int:round_id>/edit")
@requires(can_run_funds)
def edit(round_id: int) -> Page:
    """Show the form that changes a round, while it still may be changed."""
    fund = _changeable(round_id)
    if isinstance(fund, tuple):
        return fund
    return _form(_values_of(fund), {}, fund=fund)


@bp.post("/funds/<int:round_id>/edit")
@requires(can_run_funds)
def update(round_id: int) -> Page:
    """Store a round's changes, or show the form again with what went wrong."""
    fund = _changeable(round_id)
    if isinstance(fund, tuple):
        return fund
    values, session = _typed(), db.session()
    try:
        store.change_round(session, round_id, _stored(values), user=actor(), today=today())
    except ValidationError as exc:
        session.rollback()
        return _form(values, exc.errors, fund=fund), 400
    session.commit()
    flash(_("The round is changed."))
    return redirect(url_for("funds_rounds.show", round_id=round_id))


def _create(check_id: int | None) -> Page:
    values, session = _typed(), db.session()
    try:
        fund = store.create_round(session, _stored(values), user=actor(), check_id=check_id)
    except ValidationError as exc:
        session.rollback()
        return _form(values, exc.errors, check_id=check_id), 400
    session.commit()
    flash(_("The round is open. Its page says what it is for and how votes will be counted."))
    return redirect(url_for("funds_rounds.show", round_id=fund.id))


def _changeable(round_id: int) -> FundRound | tuple[str, int]:
    """Return the round if this user may change it now; 404, 403, or a page saying why not."""
    try:
        return store.changeable(db.session(), round_id, user=actor(), today=today())
    except store.RoundNotFound as exc:
        abort(404, str(exc))
    except store.OutsideScope as exc:
        abort(403, str(exc))
    except store.RoundFixed as exc:
        title = _("This round can no longer be changed")
        return render_template("error.html", status=409, title=title, message=str(exc)), 409


def _typed() -> dict[str, Any]:
    """Return the form's fields as typed, each date as its three boxes."""
    values: dict[str, Any] = {name: request.form.get(name, "") for name in _TEXT}
    values.update({name: request.form.getlist(name) for name in _LISTS})
    for name in store.DATE_FIELDS:
        values.update({f"{name}-{part}": request.form.get(f"{name}-{part}", "") for part in _PARTS})
    return values


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Return what was typed as storage reads it: each date as (day, month, year)."""
    out = {name: values[name] for name in (*_TEXT, *_LISTS)}
    for name in store.DATE_FIELDS:
        out[name] = tuple(values[f"{name}-{part}"] for part in _PARTS)
    return out


def _values_of(fund: FundRound) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": fund.title,
        "purpose": fund.purpose,
        "budget": pounds(fund.budget_pence).removeprefix("£"),
        "method": fund.method.value,
        "tie_break": fund.tie_break.value,
        "proposers": list(fund.proposers),
        "neighbourhoods": [str(area.neighbourhood_id) for area in fund.areas],
    }
    for name in store.DATE_FIELDS:
        day: dt.date = getattr(fund, name)
        values.update(
            {f"{name}-day": day.day, f"{name}-month": day.month, f"{name}-year": day.year}
        )
    return values


def _form(
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    fund: FundRound | None = None,
    check_id: int | None = None,
) -> str:
    user = actor()
    choices = neighbourhood_choices(db.session())
    return render_template(
        "funds/round_form.html",
        fund=fund,
        check_id=check_id,
        values=values,
        errors=sentences(errors),
        methods=[(m.value, m.label, METHOD_HINTS[m]) for m in VotingMethod],
        tie_breaks=[(t.value, TIE_RULES[t]) for t in TieBreak],
        proposers=[(p.value, p.label) for p in Proposer],
        neighbourhoods=[
            (str(n), name) for n, _c, name in choices if can_use_neighbourhood(user, n)
        ],
        date_fields=_date_fields(),
    )


def _date_fields() -> list[tuple[str, str, str]]:
    hints = {
        "proposals_open": _("The first day people can propose ideas."),
        "proposals_close": _("The last day people can propose ideas."),
        "voting_open": _("At least a day after ideas close, to check them against the rules."),
        "voting_close": _("The last day people can vote."),
        "results_on": _("After the last day of voting."),
    }
    return [(name, str(SUBJECTS[name]), hints[name]) for name in store.DATE_FIELDS]


def sentences(errors: dict[str, Any]) -> dict[str, str]:
    """Return each field's error as a sentence a person reads beside the field: a message
    saying only what is wrong ("is required") is said of its field."""
    out = {}
    for field, message in errors.items():
        english = getattr(message, "english", str(message))
        said = str(message)
        if english.startswith(_PREDICATES) and field in SUBJECTS:
            # TRANSLATORS: a field's name, then what is wrong with it: "The title is required".
            out[field] = _("%(subject)s %(problem)s", subject=SUBJECTS[field], problem=said)
        else:
            out[field] = said[:1].upper() + said[1:]
    return out


def _timeline(fund: FundRound, stage: Stage) -> list[dict[str, Any]]:
    """Return the round's steps, each with its words and whether it is done, now or to come."""
    day = format_date
    steps = [
        (
            Stage.PROPOSING,
            _(
                "Ideas are taken from %(start)s to %(end)s.",
                start=day(fund.proposals_open, "long"),
                end=day(fund.proposals_close, "long"),
            ),
        ),
        (Stage.CHECKING, _("Ideas are checked against the round's rules.")),
        (
            Stage.VOTING,
            _(
                "Voting is open from %(start)s to %(end)s.",
                start=day(fund.voting_open, "long"),
                end=day(fund.voting_close, "long"),
            ),
        ),
        (Stage.COUNTING, _("The result is due on %(day)s.", day=day(fund.results_on, "long"))),
    ]
    order = [Stage.UPCOMING, Stage.PROPOSING, Stage.CHECKING, Stage.VOTING, Stage.COUNTING]
    at = order.index(stage) if stage in order else len(order)
    return [
        {
            "words": words,
            "label": step.label,
            "state": "now"
            if order.index(step) == at
            else "done"
            if order.index(step) < at
            else "next",
        }
        for step, words in steps
    ]


def _check_shown(fund: FundRound) -> dict[str, Any] | None:
    """Return the strength check the round started from, where this user may see it."""
    if fund.check_id is None:
        return None
    check = get_check(db.session(), fund.check_id)
    if check is None or (check.published_at is None and not can_run_funds(actor())):
        return None
    return {"id": check.id, "name": current(check).name}


def init_app(app: Flask) -> None:
    """Register the rounds' pages and the navigation link everyone sees."""
    app.register_blueprint(bp)
    nav.add_link(app, "funds_rounds.index", _l("Community funds"), order=66)
