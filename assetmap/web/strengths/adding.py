"""Residents add strengths in steps: choose the kind, describe it, place it, preview, publish.

Nothing is stored before Publish: what was typed travels between the steps in a hidden field
signed with the app's secret (``itsdangerous``), bound to the person and the kind.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request
from flask import url_for as url
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from shapely.geometry import Point
from werkzeug.wrappers import Response

from assetmap import maps
from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.privacy import PRIVATE_FIELDS, public_point
from assetmap.domain.vocab import Kind
from assetmap.storage import submissions
from assetmap.web import db, nav
from assetmap.web.geocoding import whereabouts_marked
from assetmap.web.mapping import map_settings
from assetmap.web.strengths.forms import KIND_HINTS, KindForm, PlaceForm, StrengthForm
from assetmap.web.strengths.placing import area, cell_m, picker, resolve
from assetmap.web.strengths.written import sentence, written

bp = Blueprint("adding", __name__)
DRAFT_MAX_AGE_S = 24 * 3600
LOCATION_ERRORS = ("lon", "lat", "location")
Page = str | tuple[str, int] | Response


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        abort(404, _("There is no kind of strength called %(kind)r.", kind=value))


def _seal(kind: Kind, values: dict[str, Any], place: str) -> str:
    """Sign what was typed so far, for this person and this kind."""
    payload = {"user": current_user.id, "kind": kind.value, "values": values, "place": place}
    return str(_serializer().dumps(payload))


def _unseal(kind: Kind, *, required: bool = True) -> tuple[dict[str, Any], str]:
    """Return the values and place name a signed draft carries, refusing a changed or old one."""
    token = request.form.get("draft", "")
    if not token and not required:
        return {}, ""
    try:
        payload = _serializer().loads(token, max_age=DRAFT_MAX_AGE_S)
    except BadSignature:
        abort(400, _("This form has expired or was changed. Please start again."))
    if payload.get("user") != current_user.id or payload.get("kind") != kind.value:
        abort(400, _("This form belongs to another strength. Please start again."))
    return dict(payload["values"]), str(payload["place"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="assetmap.strength-draft")


@bp.get("/strengths/new")
@login_required
def new() -> str:
    """Ask what kind of strength the person is adding."""
    return render_template("strengths/kind.html", form=KindForm(), kind_hints=KIND_HINTS)


@bp.post("/strengths/new")
@login_required
def new_post() -> Page:
    """Go on to the form for the chosen kind, or say what is wrong with the choice."""
    form = KindForm()
    if not form.validate():
        return render_template("strengths/kind.html", form=form, kind_hints=KIND_HINTS), 400
    return redirect(url(".details", kind=form.kind.data))


@bp.get("/strengths/new/<kind>")
@login_required
def details(kind: str) -> str:
    """Show the form for this kind of strength."""
    chosen = _kind(kind)
    return _details_page(chosen, StrengthForm(chosen, formdata=None), {}, "")


@bp.post("/strengths/new/<kind>")
@login_required
def details_post(kind: str) -> Page:
    """Check the details and go on to place the strength (or back to the preview)."""
    chosen = _kind(kind)
    values, place = _unseal(chosen, required=False)
    if request.form.get("action") == "change":
        return _details_page(chosen, StrengthForm.filled(chosen, values), values, place)
    form = StrengthForm(chosen)
    if not form.validate():
        return _details_page(chosen, form, values, place), 400
    values.update(form.values())
    if "lon" in values:
        return _preview_page(chosen, values, place)
    return _place_page(chosen, PlaceForm(formdata=None), values, place)


@bp.post("/strengths/new/<kind>/place")
@login_required
def place_post(kind: str) -> Page:
    """Place the strength by the pin or a typed place, then show the preview."""
    chosen = _kind(kind)
    values, place = _unseal(chosen)
    if request.form.get("action") == "change":
        form = PlaceForm(formdata=None, data=_pin_data(values, place))
        return _place_page(chosen, form, values, place)
    form = PlaceForm()
    point, name, status = resolve(form, chosen)
    if point is None:
        return _place_page(chosen, form, values, place), status
    values.update(lon=point[0], lat=point[1])
    return _preview_page(chosen, values, name)


@bp.post("/strengths/new/<kind>/publish")
@login_required
def publish(kind: str) -> Page:
    """Store the strength, published at once, and show the person their list."""
    chosen = _kind(kind)
    values, place = _unseal(chosen)
    try:
        draft = validate_asset({"kind": chosen.value, **values}, area=area())
    except ValidationError as exc:
        return _step_for(chosen, values, place, exc)
    session = db.session()
    key = request.form.get("submission_key", "")
    key = key if submissions.is_key(key) else ""
    owner_id = current_user.id
    session.rollback()  # end the read, so the write below takes the lock from the start
    asset, added = submissions.add_once(session, draft, owner_id=owner_id, key=key, cell_m=cell_m())
    session.commit()
    if not added:
        # The same form was sent before (again after a lost connection): it is there already.
        title = written(draft.title, draft.language)
        flash(
            sentence(
                _("“%(title)s” was already added: this form had been sent before.", title=title)
            )
        )
        if asset is not None:
            return redirect(url("pages.asset", asset_id=asset.id))
        return redirect(url("strengths.mine"))
    title = written(draft.title, draft.language)
    flash(sentence(_("“%(title)s” is published. Everyone can see it now.", title=title)))
    return redirect(url("strengths.mine"))


def _caption(kind: Kind) -> str:
    return {
        Kind.SKILL: _("Add a skill"),
        Kind.GROUP: _("Add a group"),
        Kind.SPACE: _("Add a space"),
    }[kind]


def _pin_data(values: dict[str, Any], place: str) -> dict[str, Any]:
    point: dict[str, Any] = {key: str(values[key]) for key in ("lon", "lat") if key in values}
    return {**point, "place": place}


def _step_for(kind: Kind, values: dict[str, Any], place: str, exc: ValidationError) -> Page:
    """Send a refused draft back to the step that asks for the refused field."""
    if set(exc.errors) <= set(LOCATION_ERRORS):
        form = PlaceForm(formdata=None, data=_pin_data(values, place))
        form.reject(exc.errors, onto={"location": "lon"})
        return _place_page(kind, form, values, place), 400
    form = StrengthForm.filled(kind, values)
    form.reject(exc.errors)
    return _details_page(kind, form, values, place), 400


def _details_page(kind: Kind, form: StrengthForm, values: dict[str, Any], place: str) -> str:
    return render_template(
        "strengths/details.html",
        form=form,
        kind=kind,
        draft=_seal(kind, values, place),
        action=url(".details_post", kind=kind.value),
        caption=_caption(kind),
        button=_("Continue"),
    )


def _place_page(kind: Kind, form: PlaceForm, values: dict[str, Any], place: str) -> str:
    return render_template(
        "strengths/place.html",
        form=form,
        kind=kind,
        draft=_seal(kind, values, place),
        action=url(".place_post", kind=kind.value),
        caption=_caption(kind),
        **picker(form),
    )


def _preview_page(kind: Kind, values: dict[str, Any], place: str) -> Page:
    """Show exactly what the public will see of the draft, or send it back to a step."""
    import geopandas as gpd

    try:
        draft = validate_asset({"kind": kind.value, **values}, area=area())
    except ValidationError as exc:
        return _step_for(kind, values, place, exc)
    lon, lat = public_point(kind, draft.lon, draft.lat, cell_m())
    public = {k: v for k, v in draft.as_dict().items() if k not in PRIVATE_FIELDS}
    layer = gpd.GeoDataFrame(
        {"id": [0], "kind": [kind.value], "title": [draft.title], "themes": [public["themes"]]},
        geometry=[Point(lon, lat)],
        crs="EPSG:4326",
    )
    fmap = maps.new_map(map_settings(), center=(lon, lat), zoom=15)
    maps.add_assets(fmap, layer, map_settings(), name=_("Preview"))
    return render_template(
        "strengths/preview.html",
        kind=kind,
        public={**public, "lon": lon, "lat": lat},
        where=whereabouts_marked(db.session(), lon, lat),
        private={"contact": bool(draft.contact), "via_coach": draft.contact_via_coach},
        place=place,
        draft=_seal(kind, values, place),
        submission_key=str(uuid.uuid4()),
        map=maps.render(fmap),
        caption=_caption(kind),
    )


def init_app(app: Flask) -> None:
    """Register the steps and their navigation link."""
    app.register_blueprint(bp)
    nav.add_link(app, "adding.new", _l("Add a strength"), order=40)
