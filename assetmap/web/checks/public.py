"""Published strength checks: each check's page and revisions, exports, the print report, and
residents' responses. The "you said, we did" log lists them (``web.said_did``).

Staff see every check, published or not; everyone else sees published ones only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.numbers import format_decimal
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from shapely.geometry import Point
from werkzeug.wrappers import Response as WerkzeugResponse

from assetmap import maps
from assetmap.domain.catchments import EDGE_M, Catchment, How
from assetmap.domain.checks import Decision, Proposal, TakePart, validate_response
from assetmap.domain.errors import ValidationError
from assetmap.domain.findings import (
    FRESHNESS_LABELS,
    INSIDE,
    NEARBY,
    WITHDRAWN,
    Summary,
    freshness,
    shown,
    summarise,
)
from assetmap.domain.permissions import can_change_check, can_run_checks
from assetmap.domain.vocab import Kind
from assetmap.exchange.findings import findings_csv, findings_geojson
from assetmap.maps.catchment import add_catchment, catchment_bounds
from assetmap.storage import checks as store
from assetmap.storage.models import CheckRevision, StrengthCheck
from assetmap.storage.ties import groups_meeting_at
from assetmap.web import db
from assetmap.web.accounts.auth import actor
from assetmap.web.checks import mail as check_mail
from assetmap.web.geocoding import whereabouts
from assetmap.web.mapping import map_settings

if TYPE_CHECKING:
    import geopandas as gpd

bp = Blueprint("check_pages", __name__)


@dataclass(frozen=True)
class RevisionView:
    """One revision of a check as a page shows it."""

    check: StrengthCheck
    revision: CheckRevision
    proposal: Proposal
    decision: Decision | None
    findings: list[dict]  # as they may be read now: see ``findings.shown``
    summary: Summary
    run_on: dt.date
    live: dict[int, dt.date]  # published now: when each was last confirmed
    # The groups that meet now in each space found still published: (group id, title).
    meeting: dict[int, list[tuple[int, str]]] = dataclasses.field(default_factory=dict)

    @property
    def latest(self) -> bool:
        """Return whether this is the check's newest revision."""
        return self.revision.number == len(self.check.revisions)

    @property
    def inside(self) -> list[dict]:
        """Return the findings inside the catchment, those since withdrawn last."""
        return [f for f in self.findings if f["where"] == INSIDE]

    @property
    def nearby(self) -> list[dict]:
        """Return the findings just outside the edge, those since withdrawn last."""
        return [f for f in self.findings if f["where"] == NEARBY]

    @property
    def on_the_map(self) -> list[dict]:
        """Return the findings whose strengths are still published."""
        return [f for f in self.findings if not f[WITHDRAWN]]

    def finding(self, asset_id: int) -> dict | None:
        """Return what this revision found of a strength still published, or None."""
        return next((f for f in self.on_the_map if f["id"] == asset_id), None)

    @property
    def decided(self) -> CheckRevision | None:
        """Return the check's revision holding the decision in force, if any."""
        return store.in_force(self.check)

    @property
    def decision_in_force(self) -> Decision | None:
        """Return the decision in force: the one on the check's ``decided`` revision."""
        decided = self.decided
        return Decision.from_json(decided.decision) if decided and decided.decision else None

    @property
    def in_force(self) -> bool:
        """Return whether this revision holds the check's decision in force."""
        decided = self.decided
        return decided is not None and decided.number == self.revision.number

    @property
    def standing(self) -> CheckRevision | None:
        """Return the earlier revision whose decision stands while this one awaits one."""
        decided = self.decided
        if self.decision is None and decided is not None:
            return decided if decided.number < self.revision.number else None
        return None

    @property
    def awaiting(self) -> CheckRevision | None:
        """Return the check's newest revision where it is newer than this one and awaits a
        decision."""
        newest = store.current(self.check)
        if newest.number > self.revision.number and newest.decision is None:
            return newest
        return None


# The kinds of strength, as a list's options name them.
KIND_PLURALS = {Kind.SKILL: _l("Skills"), Kind.GROUP: _l("Groups"), Kind.SPACE: _l("Spaces")}

# Who or what a field's message is about, where the message does not say.
SUBJECTS = {
    "name": _l("The name"),
    "purpose": _l("The purpose"),
    "audience": _l("Who it is for"),
    "words": _l("The key words"),
    "polygon": _l("The area"),
    "place": _l("The place"),
    "lon": _l("The longitude"),
    "lat": _l("The latitude"),
    "radius_m": _l("The radius"),
    "centre": _l("The centre"),
    "rationale": _l("Why this was decided"),
    "decided_by": _l("Who decided"),
    "decided_on": _l("When it was decided"),
    "filter-q": _l("The words to filter by"),
    "filter-kind": _l("The kind to filter by"),
    "reason": _l("The reason"),
    "missed": _l("What was missed"),
    "comment": _l("The comment"),
    "note": _l("The note"),
}
_PREDICATES = ("is ", "was ", "must ", "has ", "crosses ")


def sentences(errors: dict[str, str]) -> dict[str, str]:
    """Return each field's error as a sentence a person reads beside the field.

    A message that says only what is wrong ("must not be in the future") is said of its field
    ("When it was decided must not be in the future"). Whether it does is read from its English
    (a translated message remembers it), so the same holds in every language.
    """
    out = {}
    for field, message in errors.items():
        english = getattr(message, "english", message)
        if english.startswith(_PREDICATES):
            subject = SUBJECTS.get(field) or _("This")
            # TRANSLATORS: a field's name, then what is wrong with it: "The name is required".
            out[field] = _("%(subject)s %(problem)s", subject=subject, problem=message)
        else:
            out[field] = message[:1].upper() + message[1:]
    return out


def take_part_label(value: str) -> str:
    """Return a resident's answer to "would you take part" as a person reads it."""
    return TakePart(value).label if value in set(TakePart) else value.capitalize()


# What each revision of a check says changed, as kept (in English): read in the reader's
# language when shown.
_CHANGES = {
    "Started and run": _l("Started and run"),
    "Proposal changed and run again": _l("Proposal changed and run again"),
    "Run again on today's map; awaits a decision": _l(
        "Run again on today's map; awaits a decision"
    ),
    "Decision recorded": _l("Decision recorded"),
    "Decision changed": _l("Decision changed"),
}
_STANDS = re.compile(
    r"^Run again on today's map; awaits a decision "
    r"\(the decision on revision (?P<number>\d+) stands until one is recorded\)$"
)


def revision_change(change: str) -> str:
    """Return what a revision says changed, in the reader's language where it is known."""
    known = _CHANGES.get(change)
    if known is not None:
        return str(known)
    stands = _STANDS.match(change)
    if stands:
        return _(
            "Run again on today's map; awaits a decision (the decision on revision "
            "%(number)s stands until one is recorded)",
            number=stands["number"],
        )
    return change


def check_day(value: dt.date | dt.datetime | str | None) -> str:
    """Return a day (a date, or one kept as year-month-day) as the reader writes it."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            return format_date(dt.date.fromisoformat(value[:10]), "long")
        except ValueError:
            return value
    day = value.date() if isinstance(value, dt.datetime) else value
    return format_date(day, "long")


def can_manage() -> bool:
    """Return whether the signed-in user runs checks: a planner or an admin."""
    return can_run_checks(actor())


def visible_check(check_id: int) -> StrengthCheck:
    """Return the check if this user may see it; 404 otherwise."""
    check = store.get_check(db.session(), check_id)
    if check is None or (check.published_at is None and not can_manage()):
        abort(404, _("Strength check %(id)s doesn't exist or isn't published.", id=check_id))
    return check


def revision_view(check: StrengthCheck, number: int | None = None) -> RevisionView:
    """Return a revision of the check (its newest by default) ready for a page; 404 if none."""
    revision = store.current(check) if number is None else store.revision_of(check, number)
    if revision is None:
        abort(
            404, _("Strength check %(id)s has no revision %(number)s.", id=check.id, number=number)
        )
    findings = revision.findings
    run_on = revision.run_at.date()
    live = store.still_published(db.session(), (f["id"] for f in findings))
    spaces = (f["id"] for f in findings if f["kind"] == Kind.SPACE.value and f["id"] in live)
    return RevisionView(
        check=check,
        revision=revision,
        proposal=Proposal.from_json(revision.proposal),
        decision=Decision.from_json(revision.decision) if revision.decision else None,
        findings=shown(findings, live),
        summary=summarise(findings, run_on),
        run_on=run_on,
        live=live,
        meeting=groups_meeting_at(db.session(), spaces),
    )


def page_view(check: StrengthCheck) -> RevisionView:
    """Return the revision a check's page shows first: for a published check, the one holding
    the decision in force (a newer run awaiting a decision does not take it off); otherwise
    the newest."""
    decided = store.in_force(check) if check.published_at is not None else None
    return revision_view(check, decided.number if decided is not None else None)


def in_scope(catchment: Catchment) -> bool:
    """Return whether this user may run a check over the catchment: staff whose
    neighbourhoods, where they are limited to some, hold all of it."""
    user = actor()
    scope = user.neighbourhoods if user is not None else frozenset()
    reach = store.catchment_reach(db.session(), catchment, scope) if scope else frozenset()
    return can_change_check(user, reach)


def may_change(check: StrengthCheck) -> bool:
    """Return whether this user may change the check: see ``in_scope``."""
    return in_scope(Proposal.from_json(store.current(check).proposal).catchment)


def findings_map(view: RevisionView) -> maps.MapParts:
    """Return a map of the catchment and the strengths the revision found."""
    settings = map_settings()
    catchment = view.proposal.catchment
    shown = [(f["lon"], f["lat"]) for f in (*view.inside, *view.nearby) if not f[WITHDRAWN]]
    fmap = maps.new_map(settings, bounds=catchment_bounds(catchment.outline(), shown))
    add_catchment(fmap, area=catchment.area, centre=catchment.centre, radius_m=catchment.radius_m)
    layers = ((view.inside, _("Inside the catchment")), (view.nearby, _("Just outside")))
    for findings, name in layers:
        located = [f for f in findings if not f[WITHDRAWN]]
        if located:
            maps.add_assets(fmap, _layer(located), settings, name=name)
    return maps.render(fmap)


def _layer(findings: list[dict]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(
        {
            "id": [f["id"] for f in findings],
            "kind": [f["kind"] for f in findings],
            "title": [f["title"] for f in findings],
            "themes": [f["themes"] for f in findings],
        },
        geometry=[Point(f["lon"], f["lat"]) for f in findings],
        crs="EPSG:4326",
    )


def catchment_text(proposal: Proposal) -> str:
    """Describe the catchment in words."""
    catchment = proposal.catchment
    if catchment.how is How.NEIGHBOURHOODS:
        names = ", ".join(str(escape(name)) for _code, name in catchment.neighbourhoods)
        return Markup(
            _("Neighbourhoods: %(names)s", names=Markup(f'<span translate="no">{names}</span>'))
        )
    if catchment.how is How.POLYGON:
        return _("An area drawn on the map")
    lon, lat = catchment.centre or (0.0, 0.0)
    within = _(
        "Within %(metres)s metres of %(lat)s, %(lon)s (latitude, longitude)",
        metres=format_decimal(round(catchment.radius_m or 0), locale=get_locale()),
        lat=format(lat, ".5f"),
        lon=format(lon, ".5f"),
    )
    words = whereabouts(db.session(), lon, lat)
    if not words:
        return within
    place = Markup('<span translate="no">%s</span>') % f"{words[:1].lower()}{words[1:]}"
    return Markup(_("%(within)s: %(place)s", within=escape(within), place=place))


def render_check(check: StrengthCheck, number: int | None = None, **extra: Any) -> str:
    """Render a check's page at a revision (by default the one ``page_view`` picks), with the
    controls this user may use."""
    view = page_view(check) if number is None else revision_view(check, number)
    return render_template(
        "checks/check.html",
        view=view,
        map=findings_map(view),
        catchment=catchment_text(view.proposal),
        manage=can_manage() and may_change(check),
        add_strength_url=_add_strength_url(),
        freshness=lambda f: freshness(f["last_confirmed"], view.run_on),
        freshness_labels=FRESHNESS_LABELS,
        take_part_labels={choice.value: choice.label for choice in TakePart},
        edge_m=EDGE_M,
        **extra,
    )


@bp.get("/checks/<int:check_id>")
def show(check_id: int) -> str:
    """Show a check's newest revision."""
    return render_check(visible_check(check_id))


@bp.get("/checks/<int:check_id>/revisions/<int:number>")
def revision(check_id: int, number: int) -> str:
    """Show an earlier (or the newest) revision of a check, as it was."""
    return render_check(visible_check(check_id), number)


def _export_view(check_id: int) -> RevisionView:
    number = request.args.get("revision", type=int)
    check = visible_check(check_id)
    return page_view(check) if number is None else revision_view(check, number)


def _attachment(view: RevisionView, extension: str) -> str:
    name = f"strength-check-{view.check.id}-revision-{view.revision.number}.{extension}"
    return f'attachment; filename="{name}"'


@bp.get("/checks/<int:check_id>/findings.geojson")
def findings_as_geojson(check_id: int) -> Response:
    """Download the strengths a revision found as GeoJSON."""
    view = _export_view(check_id)
    about = {
        "id": view.check.id,
        "revision": view.revision.number,
        "name": view.proposal.name,
        "run_at": view.revision.run_at.isoformat(),
    }
    body = findings_geojson(view.findings, about)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Content-Disposition"] = _attachment(view, "geojson")
    return response


@bp.get("/checks/<int:check_id>/findings.csv")
def findings_as_csv(check_id: int) -> Response:
    """Download the strengths a revision found as CSV."""
    view = _export_view(check_id)
    response = Response(findings_csv(view.findings), mimetype="text/csv")
    response.headers["Content-Disposition"] = _attachment(view, "csv")
    return response


@bp.get("/checks/<int:check_id>/report")
def report(check_id: int) -> str:
    """Show a revision as a report for printing."""
    view = _export_view(check_id)
    return render_template(
        "checks/report.html",
        view=view,
        catchment=catchment_text(view.proposal),
        freshness=lambda f: freshness(f["last_confirmed"], view.run_on),
        freshness_labels=FRESHNESS_LABELS,
        edge_m=EDGE_M,
    )


def _published(check_id: int) -> StrengthCheck:
    check = visible_check(check_id)
    if check.published_at is None:
        abort(404, _("Strength check %(id)s isn't published yet.", id=check_id))
    return check


@bp.get("/checks/<int:check_id>/respond")
@login_required
def respond(check_id: int) -> str:
    """Show the form a resident answers a published check with."""
    check = _published(check_id)
    return _respond_page(check, {}, {})


@bp.post("/checks/<int:check_id>/respond")
@login_required
def respond_post(check_id: int) -> WerkzeugResponse | tuple[str, int]:
    """Store a resident's response, or show the form again with what went wrong."""
    check = _published(check_id)
    values = {name: request.form.get(name, "") for name in ("missed", "take_part", "comment")}
    session = db.session()
    try:
        response = store.add_response(
            session, check.id, validate_response(values), by=current_user.id
        )
    except ValidationError as exc:
        session.rollback()
        return _respond_page(check, values, exc.errors), 400
    session.commit()
    check_mail.tell_of_response(check, response)
    flash(_("Thank you: your response is on the check's page."))
    return redirect(url_for("check_pages.show", check_id=check.id, _anchor="responses"))


def _respond_page(check: StrengthCheck, values: dict, errors: dict) -> str:
    return render_template(
        "checks/respond.html",
        check=check,
        name=store.current(check).name,
        values=values,
        errors=sentences(errors),
        take_part=[(choice.value, choice.label) for choice in TakePart],
        add_strength_url=_add_strength_url(),
    )


def _add_strength_url() -> str | None:
    endpoint = "adding.new"
    return url_for(endpoint) if endpoint in current_app.view_functions else None


def init_app(app: Flask) -> None:
    """Register the public check pages, and the words their templates share."""
    app.register_blueprint(bp)
    app.jinja_env.filters["check_day"] = check_day
    app.jinja_env.globals["revision_change"] = revision_change
