"""Residents keep their strengths current: list them, change them, move them, withdraw them
and bring them back. A strength's own page shows its contact to those allowed to see it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request
from flask import url_for as url
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from assetmap import maps
from assetmap.domain.errors import ValidationError
from assetmap.domain.permissions import can_edit, can_see_contact, is_owner
from assetmap.domain.vocab import Status
from assetmap.storage import accounts as account_store
from assetmap.storage import assets as store
from assetmap.storage import history as history_store
from assetmap.storage import moderation as moderation_store
from assetmap.storage.models import Asset
from assetmap.storage.private_points import owner_point
from assetmap.web import db, nav
from assetmap.web.accounts.auth import actor
from assetmap.web.mapping import map_settings
from assetmap.web.strengths.forms import PlaceForm, StrengthForm
from assetmap.web.strengths.freshness import is_unconfirmed
from assetmap.web.strengths.placing import area, cell_m, picker, resolve
from assetmap.web.strengths.written import sentence, title_of

bp = Blueprint("strengths", __name__)
Page = str | tuple[str, int] | Response


@bp.get("/strengths/mine")
@login_required
def mine() -> str:
    """List the person's strengths, with a map of where the public sees them."""
    session = db.session()
    owned = account_store.owned_assets(session, current_user.id)
    layer = account_store.owned_layer(session, current_user.id)
    layer["unconfirmed"] = [is_unconfirmed(day) for day in layer["last_confirmed"]]
    shown = None
    if len(layer):
        minx, miny, maxx, maxy = (float(v) for v in layer.total_bounds)
        if (minx, miny) == (maxx, maxy):
            fmap = maps.new_map(map_settings(), center=(minx, miny), zoom=15)
        else:
            fmap = maps.new_map(map_settings(), bounds=(minx, miny, maxx, maxy))
        maps.add_assets(fmap, layer, map_settings(), name=_("My strengths"), link=_public_url)
        shown = maps.render(fmap)
    hidden = [asset.id for asset in owned if asset.status is Status.HIDDEN]
    return render_template(
        "strengths/mine.html",
        owned=owned,
        map=shown,
        answers=moderation_store.answers_for(session, hidden),
        hidings=moderation_store.last_hides(session, hidden),
    )


def _public_url(asset_id: int) -> str:
    return url("pages.asset", asset_id=asset_id)


def _editable(asset_id: int) -> Asset:
    """Return the asset if the signed-in person may change it: 404, 403 or 409 if not."""
    asset = store.get_asset(db.session(), asset_id)
    if asset is None:
        abort(404, _("Strength %(id)s doesn't exist.", id=asset_id))
    if not can_edit(actor(), asset):
        abort(403, _("You can only change your own strengths."))
    if asset.status is Status.WITHDRAWN:
        abort(409, _("“%(title)s” was withdrawn and can't be changed.", title=asset.title))
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
        point = owner_point(db.session(), asset, actor())
        data = {"lon": str(point[0]), "lat": str(point[1])} if point else {}
        return _location_page(asset, PlaceForm(formdata=None, data=data))
    form = PlaceForm()
    point, _name, status = resolve(form, asset.kind)
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
            session, asset.id, changes, by=current_user.id, cell_m=cell_m(), area=area()
        )
    except ValidationError as exc:
        session.rollback()
        return exc
    session.commit()
    flash(sentence(_("Your changes to “%(title)s” are saved.", title=title_of(asset))))
    return None


def _edit_page(asset: Asset, form: StrengthForm) -> str:
    return render_template(
        "strengths/details.html",
        form=form,
        kind=asset.kind,
        draft=None,
        action=url(".edit", asset_id=asset.id),
        caption=asset.title,
        caption_lang=asset.language,
        button=_("Save changes"),
    )


def _location_page(asset: Asset, form: PlaceForm) -> str:
    return render_template(
        "strengths/place.html",
        form=form,
        kind=asset.kind,
        draft=None,
        action=url(".location", asset_id=asset.id),
        caption=asset.title,
        caption_lang=asset.language,
        **picker(form),
    )


@bp.post("/strengths/<int:asset_id>/confirm")
@login_required
def confirm(asset_id: int) -> Response:
    """Record that a strength is still current today."""
    asset = _editable(asset_id)
    session = db.session()
    shown_again = moderation_store.hidden_for_freshness(session, asset)
    moderation_store.confirm(session, asset.id, by=current_user.id)
    session.commit()
    if shown_again:
        said = _(
            "“%(title)s” is marked as still current. It is public again.", title=title_of(asset)
        )
    else:
        said = _("“%(title)s” is marked as still current.", title=title_of(asset))
    flash(sentence(said))
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
    flash(
        sentence(_("“%(title)s” is withdrawn. Nobody else can see it now.", title=title_of(asset)))
    )
    return redirect(url(".mine"))


@bp.post("/strengths/<int:asset_id>/bring-back")
@login_required
def bring_back(asset_id: int) -> Response:
    """Undo the owner's withdrawal of a strength; it returns as it was when withdrawn."""
    session = db.session()
    asset = store.get_asset(session, asset_id)
    if asset is None:
        abort(404, _("Strength %(id)s doesn't exist.", id=asset_id))
    if not is_owner(actor(), asset):
        abort(403, _("Only its owner can bring back a strength."))
    try:
        history_store.bring_back(session, asset.id, by=current_user.id)
    except ValidationError:
        session.rollback()
        abort(409, _("“%(title)s” is not withdrawn, or can't come back.", title=asset.title))
    session.commit()
    flash(sentence(_BACK_AS[asset.status](title_of(asset))))
    return redirect(url(".mine"))


_BACK_AS = {
    Status.PUBLISHED: lambda title: _(
        "“%(title)s” is back. Everyone can see it again.", title=title
    ),
    Status.HIDDEN: lambda title: _(
        "“%(title)s” is back. It is still hidden, as it was when you withdrew it.", title=title
    ),
    Status.WITHDRAWN: lambda title: _("“%(title)s” is back.", title=title),
}


def _asset_page_contact() -> dict[str, Any]:
    # A strength's page shows how to get in touch to whoever may see it: never the public.
    if request.endpoint != "pages.asset" or not request.view_args:
        return {}
    asset = store.get_asset(db.session(), int(request.view_args.get("asset_id", 0)))
    if asset is None or not asset.contact or not can_see_contact(actor(), asset):
        return {}
    return {"contact": asset.contact}


def init_app(app: Flask) -> None:
    """Register the pages, their navigation links, and the contact on a strength's page."""
    app.register_blueprint(bp)
    app.context_processor(_asset_page_contact)
    nav.add_link(app, "strengths.mine", _l("My strengths"), order=45, show=_signed_in)


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)
