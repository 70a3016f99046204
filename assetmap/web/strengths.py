"""Residents add strengths in steps, then keep them current, change them or take them back.

Adding: choose the kind, describe it, place it, preview what the public will see, publish.
Nothing is stored before Publish: what was typed travels between the steps in a hidden field
signed with the app's secret (``itsdangerous``), bound to the person and the kind.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request
from flask import url_for as url
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from shapely.geometry import Point
from werkzeug.wrappers import Response

from assetmap import maps
from assetmap.config import area_bbox
from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.permissions import can_edit, can_see_exact_location
from assetmap.domain.privacy import PRIVATE_FIELDS, public_point
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import accounts as account_store
from assetmap.storage import assets as store
from assetmap.storage import moderation as moderation_store
from assetmap.storage.models import Asset
from assetmap.web import db, nav
from assetmap.web.auth import actor
from assetmap.web.forms import KIND_HINTS, KindForm, PlaceForm, StrengthForm
from assetmap.web.freshness import is_unconfirmed
from assetmap.web.geocoding import geocoder

bp = Blueprint("strengths", __name__)
DRAFT_MAX_AGE_S = 24 * 3600
LOCATION_ERRORS = ("lon", "lat", "location")
Page = str | tuple[str, int] | Response


def _area() -> BBox | None:
    return area_bbox(current_app.config)


def _cell_m() -> float:
    return float(current_app.config["PRIVACY_CELL_M"])


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        abort(404, f"There is no kind of strength called {value!r}.")


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
        abort(400, "This form has expired or was changed. Please start again.")
    if payload.get("user") != current_user.id or payload.get("kind") != kind.value:
        abort(400, "This form belongs to another strength. Please start again.")
    return dict(payload["values"]), str(payload["place"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="assetmap.strength-draft")


def _settings() -> maps.MapSettings:
    config = current_app.config
    return maps.MapSettings(
        config["MAP_TILES_URL"],
        config["MAP_TILES_ATTRIBUTION"],
        lambda path: url("static", filename=path),
    )


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
    point, name, status = _resolve(form, chosen)
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
        draft = validate_asset({"kind": chosen.value, **values}, area=_area())
    except ValidationError as exc:
        return _step_for(chosen, values, place, exc)
    session = db.session()
    store.add_asset(session, draft, owner_id=current_user.id, cell_m=_cell_m())
    session.commit()
    flash(f"“{draft.title}” is published. Everyone can see it now.")
    return redirect(url(".mine"))


def _resolve(form: PlaceForm, kind: Kind) -> tuple[tuple[float, float] | None, str, int]:
    """Return the point the form names, the place's name, and the status to answer with."""
    action = request.form.get("action", "")
    if not form.validate():
        return None, "", 400
    if action == "pin":
        point = form.pin(kind, _area())
        return point, "", 200 if point else 400
    if action not in ("find", "choose"):
        abort(400, "Choose where the strength is.")
    look_up = form.find if action == "find" else form.choose
    found, options = look_up(kind, _area(), geocoder())
    if found is None:
        return None, "", 200 if options and not form.errors else 400
    return (found.lon, found.lat), found.name, 200


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
        caption=f"Add a {kind.value}",
        button="Continue",
    )


def _place_page(kind: Kind, form: PlaceForm, values: dict[str, Any], place: str) -> str:
    return render_template(
        "strengths/place.html",
        form=form,
        kind=kind,
        draft=_seal(kind, values, place),
        action=url(".place_post", kind=kind.value),
        caption=f"Add a {kind.value}",
        **_picker(form),
    )


def _picker(form: PlaceForm) -> dict[str, Any]:
    """Return the map a pin is put on: around the pin there is, else the configured area."""
    area, pin = _area(), form.shown_point()
    if pin is not None:
        fmap = maps.new_map(_settings(), center=pin, zoom=16)
    elif area is not None:
        bounds = (area.min_lon, area.min_lat, area.max_lon, area.max_lat)
        fmap = maps.new_map(_settings(), bounds=bounds)
    else:
        fmap = maps.new_map(_settings(), zoom=2)
    return {"parts": maps.render(fmap), "map_name": fmap.get_name()}


def _preview_page(kind: Kind, values: dict[str, Any], place: str) -> Page:
    """Show exactly what the public will see of the draft, or send it back to a step."""
    try:
        draft = validate_asset({"kind": kind.value, **values}, area=_area())
    except ValidationError as exc:
        return _step_for(kind, values, place, exc)
    lon, lat = public_point(kind, draft.lon, draft.lat, _cell_m())
    public = {k: v for k, v in draft.as_dict().items() if k not in PRIVATE_FIELDS}
    layer = gpd.GeoDataFrame(
        {"id": [0], "kind": [kind.value], "title": [draft.title], "themes": [public["themes"]]},
        geometry=[Point(lon, lat)],
        crs="EPSG:4326",
    )
    fmap = maps.new_map(_settings(), center=(lon, lat), zoom=15)
    maps.add_assets(fmap, layer, _settings(), name="Preview")
    return render_template(
        "strengths/preview.html",
        kind=kind,
        public={**public, "lon": lon, "lat": lat},
        private={"contact": bool(draft.contact), "via_coach": draft.contact_via_coach},
        place=place,
        draft=_seal(kind, values, place),
        parts=maps.render(fmap),
        map_name=fmap.get_name(),
        caption=f"Add a {kind.value}",
    )


@bp.get("/strengths/mine")
@login_required
def mine() -> str:
    """List the person's strengths, with a map of where the public sees them."""
    session = db.session()
    owned = account_store.owned_assets(session, current_user.id)
    layer = account_store.owned_layer(session, current_user.id)
    layer["unconfirmed"] = [is_unconfirmed(day) for day in layer["last_confirmed"]]
    parts = map_name = None
    if len(layer):
        minx, miny, maxx, maxy = (float(v) for v in layer.total_bounds)
        if (minx, miny) == (maxx, maxy):
            fmap = maps.new_map(_settings(), center=(minx, miny), zoom=15)
        else:
            fmap = maps.new_map(_settings(), bounds=(minx, miny, maxx, maxy))
        maps.add_assets(fmap, layer, _settings(), name="My strengths", link=_public_url)
        parts, map_name = maps.render(fmap), fmap.get_name()
    hidden = [asset.id for asset in owned if asset.status is Status.HIDDEN]
    answers = moderation_store.answers_for(session, hidden)
    return render_template(
        "strengths/mine.html", owned=owned, parts=parts, map_name=map_name, answers=answers
    )


def _public_url(asset_id: int) -> str:
    return url("pages.asset", asset_id=asset_id)


def _editable(asset_id: int) -> Asset:
    """Return the asset if the signed-in person may change it: 404, 403 or 409 if not."""
    asset = store.get_asset(db.session(), asset_id)
    if asset is None:
        abort(404, f"Strength {asset_id} doesn't exist.")
    if not can_edit(actor(), asset):
        abort(403, "You can only change your own strengths.")
    if asset.status is Status.WITHDRAWN:
        abort(409, f"“{asset.title}” was withdrawn and can't be changed.")
    return asset


@bp.route("/strengths/<int:asset_id>/edit", methods=["GET", "POST"])
@login_required
def edit(asset_id: int) -> Page:
    """Change what a strength says about itself."""
    asset = _editable(asset_id)
    if request.method == "GET":
        form = StrengthForm.filled(asset.kind, store.draft_of(asset).as_dict())
        return _edit_page(asset, form)
    form = StrengthForm(asset.kind)
    refused = _save(asset, form.values()) if form.validate() else None
    if form.errors or refused:
        form.reject(refused.errors if refused else {})
        return _edit_page(asset, form), 400
    return redirect(url(".mine"))


@bp.route("/strengths/<int:asset_id>/location", methods=["GET", "POST"])
@login_required
def location(asset_id: int) -> Page:
    """Move a strength with the pin or a typed place."""
    asset = _editable(asset_id)
    if request.method == "GET":
        shown = can_see_exact_location(actor(), asset)
        data = {"lon": str(asset.lon), "lat": str(asset.lat)} if shown else {}
        return _location_page(asset, PlaceForm(formdata=None, data=data))
    form = PlaceForm()
    point, _name, status = _resolve(form, asset.kind)
    if point is None:
        return _location_page(asset, form), status
    refused = _save(asset, {"lon": point[0], "lat": point[1]})
    if refused:
        form.reject(refused.errors, onto={"location": "lon"})
        return _location_page(asset, form), 400
    return redirect(url(".mine"))


def _save(asset: Asset, changes: dict[str, Any]) -> ValidationError | None:
    """Apply the changes and commit, or roll back and return why they were refused."""
    session = db.session()
    try:
        store.update_asset(
            session, asset.id, changes, by=current_user.id, cell_m=_cell_m(), area=_area()
        )
    except ValidationError as exc:
        session.rollback()
        return exc
    session.commit()
    flash(f"Your changes to “{asset.title}” are saved.")
    return None


def _edit_page(asset: Asset, form: StrengthForm) -> str:
    return render_template(
        "strengths/details.html",
        form=form,
        kind=asset.kind,
        draft=None,
        action=url(".edit", asset_id=asset.id),
        caption=asset.title,
        button="Save changes",
    )


def _location_page(asset: Asset, form: PlaceForm) -> str:
    return render_template(
        "strengths/place.html",
        form=form,
        kind=asset.kind,
        draft=None,
        action=url(".location", asset_id=asset.id),
        caption=asset.title,
        **_picker(form),
    )


@bp.post("/strengths/<int:asset_id>/confirm")
@login_required
def confirm(asset_id: int) -> Response:
    """Record that a strength is still current today."""
    asset = _editable(asset_id)
    session = db.session()
    store.confirm_asset(session, asset.id, by=current_user.id)
    if moderation_store.hidden_for_freshness(session, asset):
        moderation_store.restore_asset(
            session, asset.id, by=current_user.id, reason="confirmed as still current"
        )
    session.commit()
    flash(f"“{asset.title}” is marked as still current.")
    return redirect(url(".mine"))


@bp.route("/strengths/<int:asset_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(asset_id: int) -> Page:
    """Ask, then take a strength out of every public view at once."""
    asset = _editable(asset_id)
    if request.method == "GET":
        return render_template("strengths/withdraw.html", asset=asset)
    session = db.session()
    store.withdraw_asset(session, asset.id, by=current_user.id)
    session.commit()
    flash(f"“{asset.title}” is withdrawn. Nobody else can see it now.")
    return redirect(url(".mine"))


def init_app(app: Flask) -> None:
    """Register the pages and their navigation links."""
    app.register_blueprint(bp)
    nav.add_link(app, "strengths.new", "Add a strength", order=40)
    nav.add_link(app, "strengths.mine", "My strengths", order=45, show=_signed_in)


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)
