"""Running strength checks (planners and admins): start one, change it, run it again, record
the decision, publish it, and mark residents' responses as acted upon.
"""

from __future__ import annotations

from typing import Any

import orjson
from babel import Locale
from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from shapely.geometry import mapping
from werkzeug.wrappers import Response

from assetmap import maps
from assetmap.domain.catchments import How
from assetmap.domain.checks import (
    Proposal,
    check_action_note,
    validate_decision,
    validate_proposal,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.i18n import _ as _d
from assetmap.domain.permissions import can_run_checks, can_use_neighbourhood
from assetmap.domain.vocab import Kind, Role, Theme
from assetmap.storage import checks as store
from assetmap.storage.models import StrengthCheck, utcnow
from assetmap.storage.neighbourhoods import neighbourhood_choices, neighbourhood_layer
from assetmap.web import db, nav
from assetmap.web.accounts.auth import actor, requires
from assetmap.web.area import current_area
from assetmap.web.checks import forms
from assetmap.web.checks import mail as check_mail
from assetmap.web.checks.public import (
    KIND_PLURALS,
    in_scope,
    may_change,
    render_check,
    revision_view,
    sentences,
)
from assetmap.web.geocoding import geocoder
from assetmap.web.mapping import map_settings

bp = Blueprint("checks", __name__)
STAFF = (Role.PLANNER, Role.ADMIN)
Page = str | tuple[str, int] | Response
_PROPOSAL_TEXT = ("name", "purpose", "audience", "words", "catchment", "polygon", "place")
_PROPOSAL_LISTS = ("themes", "kinds", "neighbourhoods")
_DECISION_TEXT = ("kind", "rationale", "decided_by", "decided_on", "groups", "reason")


@bp.get("/checks")
@requires(can_run_checks)
def index() -> str:
    """List every check, the most recently started first."""
    checks = store.all_checks(db.session())
    return render_template("checks/list.html", checks=checks, current=store.current)


@bp.get("/checks/new")
@requires(can_run_checks)
def new() -> str:
    """Show the form that starts a check."""
    return _form({"catchment": How.POLYGON.value, "radius_m": "800"}, {})


@bp.post("/checks/new")
@requires(can_run_checks)
def create() -> Page:
    """Start a check and run it, or show the form again with what went wrong."""
    values = _proposal_values()
    session = db.session()
    try:
        proposal, notes = _read_proposal(values)
        _within_scope(proposal)
        check = store.start_check(session, proposal, by=current_user.id)
    except ValidationError as exc:
        session.rollback()
        return _form(values, exc.errors), 400
    session.commit()
    _tell(notes, _("The check has run: this is what is already there."))
    return redirect(url_for("check_pages.show", check_id=check.id))


@bp.get("/checks/<int:check_id>/edit")
@requires(can_run_checks)
def edit(check_id: int) -> str:
    """Show the form that changes a check's proposal."""
    check = _changeable(check_id)
    return _form(_values_of(Proposal.from_json(store.current(check).proposal)), {}, check)


@bp.post("/checks/<int:check_id>/edit")
@requires(can_run_checks)
def update(check_id: int) -> Page:
    """Run the changed proposal as a new revision."""
    check = _changeable(check_id)
    values = _proposal_values()
    session = db.session()
    try:
        proposal, notes = _read_proposal(values)
        _within_scope(proposal)
        store.revise_check(session, check.id, proposal, by=current_user.id)
    except ValidationError as exc:
        session.rollback()
        return _form(values, exc.errors, check), 400
    session.commit()
    _tell(notes, _("The changed proposal has run as a new revision."))
    return redirect(url_for("check_pages.show", check_id=check_id))


@bp.get("/checks/<int:check_id>/run-again")
@requires(can_run_checks)
def run_again_preview(check_id: int) -> str:
    """Show what running the check again would change, and what happens to its decision."""
    return forms.rerun_page(_changeable(check_id))


@bp.post("/checks/<int:check_id>/run-again")
@requires(can_run_checks)
def run_again(check_id: int) -> Page:
    """Run the proposal again on today's map, as a new revision awaiting a decision; show what
    it would change again where the check changed since the planner looked."""
    check = _changeable(check_id)
    seen = request.form.get("revision", "").strip()
    if seen and seen != str(store.current(check).number):
        return forms.rerun_page(check, changed_since=True), 409
    revision = store.rerun_check(db.session(), check.id, by=current_user.id)
    db.session().commit()
    flash(forms.rerun_done(check, revision.number))
    return redirect(url_for("check_pages.show", check_id=check_id))


@bp.get("/checks/<int:check_id>/decision")
@requires(can_run_checks)
def decision(check_id: int) -> Page:
    """Show the form that records the decision, its strengths filtered by ``q`` (words) and
    ``kind`` where asked."""
    check = _changeable(check_id)
    made = revision_view(check).decision
    values: dict[str, Any] = {"decided_on": utcnow().date().isoformat()}
    if made is not None:
        values = {**made.as_json(), "groups": "\n".join(made.groups)}
    page = forms.decision_form(check, values, {})
    return (page, 400) if forms.finding_filter()[1] else page


@bp.post("/checks/<int:check_id>/decision")
@requires(can_run_checks)
def decide(check_id: int) -> Page:
    """Record the decision as a new revision, or show the form again with what went wrong."""
    check = _changeable(check_id)
    values: dict[str, Any] = {name: request.form.get(name, "") for name in _DECISION_TEXT}
    values["strengths"] = request.form.getlist("strengths")
    found = {f["id"] for f in revision_view(check).on_the_map}
    session = db.session()
    try:
        made = validate_decision(values, found=found, today=utcnow().date())
        store.record_decision(session, check.id, made, by=current_user.id)
    except ValidationError as exc:
        session.rollback()
        return forms.decision_form(check, values, exc.errors), 400
    session.commit()
    flash(_("The decision is recorded."))
    return redirect(url_for("check_pages.show", check_id=check.id, _anchor="decision"))


@bp.post("/checks/<int:check_id>/publish")
@requires(can_run_checks)
def publish(check_id: int) -> Page:
    """Publish the check on the "you said, we did" log."""
    check = _changeable(check_id)
    session = db.session()
    try:
        store.publish_check(session, check.id, by=current_user.id)
    except ValidationError as exc:
        session.rollback()
        return render_check(check, page_errors=sentences(exc.errors)), 400
    session.commit()
    flash(_("The check is published, and listed on the “You said, we did” log."))
    return redirect(url_for("check_pages.show", check_id=check.id))


@bp.post("/checks/<int:check_id>/responses/<int:response_id>/acted-upon")
@requires(can_run_checks)
def acted_upon(check_id: int, response_id: int) -> Page:
    """Mark a resident's response as acted upon, saying what was done."""
    check = _changeable(check_id)
    note = request.form.get("note", "")
    session = db.session()
    try:
        response = store.mark_acted_upon(
            session, check.id, response_id, check_action_note(note), by=current_user.id
        )
    except LookupError as exc:
        session.rollback()
        page = render_template("error.html", status=404, title=_("Not Found"), message=str(exc))
        return page, 404
    except ValueError as exc:
        session.rollback()
        said = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else str(exc)
        message = sentences({"note": said})["note"]
        page = render_check(
            check,
            page_errors={f"note-{response_id}": message},
            response_errors={response_id: message},
            response_notes={response_id: note},
        )
        return page, 400
    session.commit()
    check_mail.tell_of_action(check, response)
    flash(_("The response is marked as acted upon."))
    return redirect(
        url_for("check_pages.show", check_id=check.id, _anchor=f"response-{response_id}")
    )


def _check(check_id: int) -> StrengthCheck:
    check = store.get_check(db.session(), check_id)
    if check is None:
        abort(404, _("Strength check %(id)s doesn't exist.", id=check_id))
    return check


def _changeable(check_id: int) -> StrengthCheck:
    """Return the check if this user may change it; 403 where it reaches beyond their scope."""
    check = _check(check_id)
    if not may_change(check):
        abort(403, _("Strength check %(id)s reaches beyond your neighbourhoods.", id=check_id))
    return check


def _within_scope(proposal: Proposal) -> None:
    """Refuse a catchment that reaches beyond the user's neighbourhoods."""
    if in_scope(proposal.catchment):
        return
    names = ", ".join(name for _code, name in _usable_neighbourhoods())
    raise ValidationError(
        {
            "catchment": _(
                "The catchment must lie within your neighbourhoods: %(names)s", names=names
            )
        }
    )


def _usable_neighbourhoods() -> list[tuple[str, str]]:
    user = actor()
    return [
        (code, name)
        for n, code, name in neighbourhood_choices(db.session())
        if can_use_neighbourhood(user, n)
    ]


def _tell(notes: list[str], done: str) -> None:
    for note in notes:
        flash(note)
    flash(done)


def _proposal_values() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "") for name in _PROPOSAL_TEXT}
    values.update({name: request.form.getlist(name) for name in _PROPOSAL_LISTS})
    values.update({name: request.form.get(name, "").strip() for name in ("lon", "lat", "radius_m")})
    return values


def _read_proposal(values: dict[str, Any]) -> tuple[Proposal, list[str]]:
    """Check a proposal, first looking up a typed place as the centre of a radius."""
    raw, errors = dict(values), {}
    wants_place = raw["catchment"] == How.RADIUS.value and not (raw["lon"] or raw["lat"])
    if wants_place and raw.get("place", "").strip():
        try:
            places = geocoder().lookup(raw["place"], limit=1)
        except ValueError as exc:
            places, errors["place"] = [], exc.args[0] if len(exc.args) == 1 else str(exc)
        if places:
            raw["lon"], raw["lat"] = places[0].lon, places[0].lat
        else:
            errors.setdefault(
                "place", _d("was not found; try a postcode, a street or a place name")
            )
    try:
        proposal, notes = validate_proposal(
            raw,
            area=_area_box(),
            neighbourhoods=store.neighbourhood_areas(db.session()),
        )
    except ValidationError as exc:
        found = {k: v for k, v in exc.errors.items() if not (errors and k in ("lon", "lat"))}
        raise ValidationError({**found, **errors}) from None
    if errors:
        raise ValidationError(errors)
    return proposal, notes


def _area_box() -> BBox | None:
    """Return the box of the area in force: catchments are kept to it, and maps open on it."""
    area = current_area()
    return area.bbox if area is not None else None


def _values_of(proposal: Proposal) -> dict[str, Any]:
    catchment = proposal.catchment
    values: dict[str, Any] = {
        **proposal.as_json(),
        "words": " ".join(proposal.words),
        "catchment": catchment.how.value,
        "neighbourhoods": [code for code, _name in catchment.neighbourhoods],
        "radius_m": "800",
    }
    if catchment.how is How.POLYGON and catchment.area is not None:
        values["polygon"] = orjson.dumps(mapping(catchment.area)).decode()
    if catchment.centre is not None:
        values["lon"], values["lat"] = (f"{c:.6f}" for c in catchment.centre)
        values["radius_m"] = f"{catchment.radius_m:g}"
    return values


def _form(
    values: dict[str, Any], errors: dict[str, str], check: StrengthCheck | None = None
) -> str:
    session = db.session()
    layer = neighbourhood_layer(session)
    area = _area_box()
    bounds = tuple(layer.total_bounds) if len(layer) else (area.as_tuple() if area else None)
    settings = map_settings()
    fmap = maps.new_map(settings, bounds=bounds, center=None if bounds else (0.0, 51.5))
    if len(layer):
        maps.add_neighbourhoods(fmap, layer)
    return render_template(
        "checks/form.html",
        check=check,
        values=values,
        errors=sentences(errors),
        themes=[(theme.value, theme.label) for theme in Theme],
        kinds=[(kind.value, KIND_PLURALS[kind]) for kind in Kind],
        neighbourhoods=_usable_neighbourhoods(),
        map=maps.render(fmap),
        corner_words=_corner_words(),
    )


def init_app(app: Flask) -> None:
    """Register the staff pages and their navigation link."""
    app.register_blueprint(bp)
    nav.add_link(app, "checks.index", _l("Strength checks"), order=60, show=_staff)


def _corner_words() -> dict[str, str]:
    """Return "{count} corners drawn." for each plural category of the page's language (as
    the browser's ``Intl.PluralRules`` names them), for the drawing script to count with."""
    locale = get_locale() or Locale.parse("en_GB")
    samples: dict[str, int] = {}
    for number in range(0, 201):
        samples.setdefault(locale.plural_form(number), number)
    return {
        category: ngettext(
            "%(count)s corner drawn.", "%(count)s corners drawn.", n, count="{count}"
        )
        for category, n in samples.items()
    }


def _staff(user: Any) -> bool:
    return bool(user.is_authenticated) and can_run_checks(user)
