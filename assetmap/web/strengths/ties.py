"""Ties between strengths: a group says where it meets and who it runs things with, a person
offers their skill to a group, the group's owner answers, and either end takes a tie off.

The other strength is found by name with a plain search form and chosen from its results, so
every step works without JavaScript. An offer of a skill is public only once the group's owner
accepts it, and even then only as the skill's public page shows it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf

from assetmap.domain.errors import ValidationError
from assetmap.domain.permissions import Actor, can_answer_tie, can_make_tie
from assetmap.domain.ties import TieEnd, TieKind, TieState, check_tie
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import assets as store
from assetmap.storage import ties as tie_store
from assetmap.storage.models import Asset
from assetmap.web import db
from assetmap.web.accounts.auth import actor
from assetmap.web.strengths.connections import safe_back
from assetmap.web.strengths.written import sentence, title_of, written

bp = Blueprint("ties", __name__)
Page = str | tuple[str, int] | Response
SEARCH_MAX = 100


@dataclasses.dataclass(frozen=True)
class Making:
    """How a page asks for the other end of a kind of tie."""

    # Each is read in the reader's language when shown (a lazy string).
    action: Any  # the link on the strength's page
    question: Any  # the search page's heading
    hint: Any
    choose: Any  # the error when nothing was chosen


MAKING = {
    TieKind.MEETS_AT: Making(
        _l("Say where it meets"),
        _l("Where does it meet?"),
        _l("Search for the space by its name, such as Church hall"),
        _l("Choose the space it meets at"),
    ),
    TieKind.RUNS_WITH: Making(
        _l("Add a partner group"),
        _l("Which group does it run things with?"),
        _l("Search for the group by its name, such as Friends of the park"),
        _l("Choose the group it runs things with"),
    ),
    TieKind.OFFERS: Making(
        _l("Offer this skill to a group"),
        _l("Which group would you like to offer it to?"),
        _l(
            "Search for the group by its name. The group's owner is asked first: nobody else "
            "sees your offer unless they accept it, and they never see your name or address."
        ),
        _l("Choose the group to offer your skill to"),
    ),
}


class TieForm(FlaskForm):  # type: ignore[misc]
    kind = HiddenField()
    q = HiddenField()
    to = RadioField(_l("Choose one"), coerce=int, validate_choice=False)


class AnswerForm(FlaskForm):  # type: ignore[misc]
    tie = HiddenField()
    back = HiddenField()
    answer = HiddenField(
        validators=[AnyOf(["accept", "decline"], _l("Accept or decline the offer"))]
    )


class RemoveForm(FlaskForm):  # type: ignore[misc]
    tie = HiddenField()


def kinds_from(kind: Kind) -> list[TieKind]:
    """Return the kinds of tie a strength of this kind may start."""
    return [tie_kind for tie_kind in TieKind if tie_kind.kinds[0] is kind]


def _published(asset_id: int) -> Asset:
    asset = store.get_asset(db.session(), asset_id)
    if asset is None or asset.status is not Status.PUBLISHED:
        abort(404, _("Strength %(id)s doesn't exist or isn't public.", id=asset_id))
    return asset


def _maker(asset_id: int) -> Asset:
    """Return the strength if the signed-in person may tie it to another: 404 or 403 if not."""
    asset = _published(asset_id)
    if not kinds_from(asset.kind):
        abort(404, _("A space's ties are made from the groups that meet there."))
    if not can_make_tie(actor(), asset):
        abort(403, _("Only its owner, or staff for its neighbourhood, can tie it to another."))
    return asset


def _kind(asset: Asset, text: str | None) -> TieKind:
    """Return the kind of tie asked for, the strength's first kind when none was."""
    allowed = kinds_from(asset.kind)
    if not text:
        return allowed[0]
    try:
        kind = TieKind(text)
    except ValueError:
        abort(400, _("There is no kind of tie called “%(kind)s”.", kind=text))
    if kind not in allowed:
        abort(400, check_tie(kind, asset.kind, kind.kinds[1], 0, 1))
    return kind


def _id(text: Any) -> int:
    value = str(text or "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


@bp.get("/strengths/<int:asset_id>/ties/new")
@login_required
def new(asset_id: int) -> Page:
    """Ask which strength to tie this one to: a search by name, then its results to choose."""
    asset = _maker(asset_id)
    kind = _kind(asset, request.args.get("kind"))
    form = TieForm(formdata=None, kind=kind.value, q=request.args.get("q", ""))
    return _new_page(asset, kind, form)


@bp.post("/strengths/<int:asset_id>/ties/new")
@login_required
def create(asset_id: int) -> Page:
    """Make the tie chosen, or show the choice again saying what is wrong."""
    asset = _maker(asset_id)
    form = TieForm()
    kind = _kind(asset, form.kind.data)
    if form.validate() and form.to.data:
        session = db.session()
        try:
            tie = tie_store.add_tie(session, kind, asset.id, form.to.data, by=current_user.id)
        except ValidationError as exc:
            session.rollback()
            form.to.errors = list(exc.errors.values())
        else:
            other = store.get_asset(session, tie.to_id)
            session.commit()
            flash(_made(kind, asset, title_of(other) if other else ""))
            return redirect(url_for("pages.asset", asset_id=asset.id))
    else:
        form.to.errors = [MAKING[kind].choose]
    return _new_page(asset, kind, form), 400


def _made(kind: TieKind, asset: Asset, other: str) -> str:
    title = title_of(asset)
    if kind is TieKind.OFFERS:
        said = _(
            "You offered “%(title)s” to “%(other)s”. It shows on both pages once the "
            "group's owner accepts it.",
            title=title,
            other=other,
        )
    elif kind is TieKind.MEETS_AT:
        said = _("“%(title)s” meets at “%(other)s” now.", title=title, other=other)
    else:
        said = _("“%(title)s” runs things with “%(other)s” now.", title=title, other=other)
    return sentence(said)


def _new_page(asset: Asset, kind: TieKind, form: TieForm) -> str:
    words = " ".join(str(form.q.data or "").split())
    problem = ""
    found: list[tie_store.Candidate] = []
    asked = "q" in request.args if request.method == "GET" else bool(words)
    if asked:
        if not words:
            problem = _("Enter a name to search for")
        elif len(words) > SEARCH_MAX:
            problem = _("Name must be %(most)d characters or fewer", most=SEARCH_MAX)
        else:
            found = tie_store.tie_candidates(
                db.session(), kind.kinds[1], words, leaving_out=asset.id
            )
    form.to.label.text = MAKING[kind].choose
    return render_template(
        "ties/new.html",
        asset=asset,
        kind=kind,
        making=MAKING[kind],
        other_kind=kind.kinds[1],
        form=form,
        words=words,
        problem=problem,
        problems=[("q", problem)] * bool(problem) + [("to", m) for m in form.to.errors],
        found=found,
    )


@bp.post("/strengths/<int:asset_id>/ties/answer")
@login_required
def answer(asset_id: int) -> Response:
    """Accept or decline an offer of a skill to this group; its owner, or staff in scope."""
    group = _published(asset_id)
    if not can_answer_tie(actor(), group):
        abort(403, _("Only the group's owner, or staff for its neighbourhood, can answer offers."))
    form = AnswerForm()
    if not form.validate():
        abort(400, _("Accept or decline the offer."))
    offer = _waiting(group, _id(form.tie.data))
    session = db.session()
    accept = form.answer.data == "accept"
    tie_store.answer_tie(session, offer.tie_id, accept, by=current_user.id)
    session.commit()
    if accept:
        said = _(
            "You accepted “%(offer)s”. It now shows on “%(group)s”’s page.",
            offer=written(offer.title, offer.language),
            group=title_of(group),
        )
    else:
        said = _(
            "You declined “%(offer)s”. Nobody else will see it was offered.",
            offer=written(offer.title, offer.language),
        )
    flash(sentence(said))
    back = safe_back(form.back.data) or url_for("pages.asset", asset_id=group.id)
    return redirect(back)


def _waiting(group: Asset, tie_id: int) -> TieEnd:
    ends = tie_store.ties_for(db.session(), group.id, actor())
    for end in ends:
        if end.tie_id == tie_id and not end.outgoing and end.state is TieState.PROPOSED:
            return end
    abort(404, _("This offer doesn't exist, or was already answered."))


@bp.route("/strengths/<int:asset_id>/ties/remove", methods=["GET", "POST"])
@login_required
def remove(asset_id: int) -> Page:
    """Ask, then take a tie off this strength; the owner of either end, or staff in scope."""
    asset = _published(asset_id)
    form = RemoveForm(tie=request.args.get("tie"))
    end = _removable(asset, _id(form.tie.data))
    if request.method == "GET":
        return render_template("ties/remove.html", asset=asset, end=end, form=form)
    if not form.validate():
        abort(400, _("The form had expired. Try again."))
    session = db.session()
    tie_store.remove_tie(session, end.tie_id, by=current_user.id)
    session.commit()
    said = _(
        "“%(title)s” is no longer tied to “%(other)s”.",
        title=title_of(asset),
        other=written(end.title, end.language),
    )
    flash(sentence(said))
    return redirect(url_for("pages.asset", asset_id=asset.id))


def _removable(asset: Asset, tie_id: int) -> TieEnd:
    viewer = actor()
    session = db.session()
    end = next(
        (e for e in tie_store.ties_for(session, asset.id, viewer) if e.tie_id == tie_id), None
    )
    if end is None:
        abort(404, _("This tie doesn't exist, or was already taken off."))
    other = store.get_asset(session, end.asset_id)
    if other is None or not may_remove(viewer, asset, other, end):
        abort(
            403,
            _(
                "Only the owner of either strength, or staff for its neighbourhood, "
                "can take it off."
            ),
        )
    return end


def may_remove(viewer: Actor | None, asset: Asset, other: Asset, end: TieEnd) -> bool:
    """Return whether the viewer may take off a tie of ``asset`` to ``other``: whoever may
    make it from its first end, or answer it at its second."""
    first, second = (asset, other) if end.outgoing else (other, asset)
    return can_make_tie(viewer, first) or can_answer_tie(viewer, second)


@dataclasses.dataclass(frozen=True)
class TiesView:
    """What a strength's page shows of its ties to this viewer."""

    sections: list[tuple[str, list[TieEnd]]]  # public ties by what they say
    waiting: list[TieEnd]  # offers to this group waiting for its owner's answer
    offered: list[TieEnd]  # this skill's offers not (yet) accepted, for its owner
    making: list[tuple[TieKind, str]]  # the ties the viewer may start from here
    removable: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.sections or self.waiting or self.offered or self.making)


def ties_view(asset: Asset, viewer: Actor | None) -> TiesView:
    """Return what the strength's page shows of its ties to the viewer, in three queries."""
    session = db.session()
    ends = tie_store.ties_for(session, asset.id, viewer)
    others = store.get_assets(session, [end.asset_id for end in ends])
    public = [end for end in ends if end.state is TieState.ACCEPTED]
    labels = list(dict.fromkeys(end.label for end in sorted(public, key=_order)))
    sections = [(label, [end for end in public if end.label == label]) for label in labels]
    making = kinds_from(asset.kind) if can_make_tie(viewer, asset) else []
    return TiesView(
        sections=sections,
        waiting=[e for e in ends if not e.outgoing and e.state is TieState.PROPOSED],
        offered=[e for e in ends if e.outgoing and e.state is not TieState.ACCEPTED],
        making=[(kind, str(MAKING[kind].action)) for kind in making],
        removable=frozenset(
            end.tie_id
            for end in ends
            if end.asset_id in others and may_remove(viewer, asset, others[end.asset_id], end)
        ),
    )


def _order(end: TieEnd) -> tuple[int, bool, str]:
    return list(TieKind).index(end.kind), not end.outgoing, end.title.lower()


def _asset_page_ties() -> dict[str, Any]:
    # A strength's page shows its ties, and the actions its viewer may take on them.
    if request.endpoint != "pages.asset" or not request.view_args:
        return {}
    asset = store.get_asset(db.session(), int(request.view_args.get("asset_id", 0)))
    if asset is None or asset.status is not Status.PUBLISHED:
        return {}
    return {"tie_view": ties_view(asset, actor())}


def _offers_waiting() -> dict[str, Any]:
    # A person's list of their strengths shows the offers waiting for their answer.
    if request.endpoint != "strengths.mine" or not current_user.is_authenticated:
        return {}
    return {"offers_waiting": tie_store.pending_offers(db.session(), current_user.id)}


def init_app(app: Flask) -> None:
    """Register the tie pages, and the ties on each strength's page and the owner's list."""
    app.register_blueprint(bp)
    app.context_processor(_asset_page_ties)
    app.context_processor(_offers_waiting)
