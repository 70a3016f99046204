"""The JSON API: strengths as GeoJSON (RFC 7946), place lookup, and writes with personal tokens.

Reads are open to anyone and answer public fields; a token's holder also gets what the
permission rules let them see. Writes need ``Authorization: Bearer <token>``. Every 4xx is the
one error shape of ``errors.error_response``, naming the parameter at fault.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote_from_bytes, unquote_plus
from zoneinfo import ZoneInfo

import orjson
from flask import Blueprint, Flask, Response, current_app, request, url_for

from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geojson import feature
from assetmap.domain.limits import SHORT_TEXT_MAX
from assetmap.domain.permissions import Actor, can_add, can_edit, can_edit_schedule
from assetmap.domain.schedules import (
    DEFAULT_TIMEZONE,
    SCHEDULES_MAX,
    Schedule,
    validate_schedule,
)
from assetmap.domain.text import clean_text
from assetmap.domain.ties import TieEnd
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import assets as store
from assetmap.storage import moderation as moderation_store
from assetmap.storage import submissions, tokens
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset, User
from assetmap.storage.provenance import provenance_of
from assetmap.storage.schedules import SCHEDULED_KINDS, schedules_of, set_schedules
from assetmap.storage.ties import public_ties
from assetmap.web import db
from assetmap.web.accounts import auth
from assetmap.web.api import openapi
from assetmap.web.api.query import ApiError, AssetQuery, next_cursor, read_cursor, search
from assetmap.web.area import current_area
from assetmap.web.errors import error_response
from assetmap.web.explore.results import asset_feature, asset_url, contacts_for, summary_feature
from assetmap.web.geocoding import geocoder
from assetmap.web.params import BadParameter
from assetmap.web.strengths.freshness import unconfirmed_before

bp = Blueprint("api", __name__)
API_PREFIX = "/api/"
BODY_MAX = 64 * 1024
ID_MAX = 2**31 - 1
PLACES_MAX = 10
GEOJSON = "application/geo+json"
# Fields only the server writes: confirming dates a strength today (POST .../confirm).
SERVER_SET = ("last_confirmed",)
# What a query string may carry as it is (RFC 3986 query characters, and % for its escapes).
_QUERY_SAFE = "!$&'()*+,-./:;=?@_~%"


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    response = error_response(exc.status, exc.message, exc.field)
    response.headers.update(exc.headers)
    return response


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter) -> Response:
    return error_response(400, exc.message, exc.field)


@bp.before_request
def _limit_body() -> None:
    request.max_content_length = BODY_MAX


def _json(body: Any, status: int = 200, mimetype: str = GEOJSON) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype=mimetype)


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "send a personal API token as 'Bearer <token>'", "Authorization")
    return secret.strip()


def token_holder() -> User | None:
    """Return who the request's token acts for, None without one; 401 for a bad token."""
    secret = _bearer()
    if secret is None:
        return None
    session = db.session()
    token = tokens.find_token(session, secret)
    if token is None:
        raise ApiError(401, "the API token is wrong or was revoked", "Authorization")
    token_id, user_id = token.id, token.user_id
    if tokens.needs_touch(token):
        session.rollback()  # end the read, so the write below takes the lock from the start
        tokens.touch_token(session, token_id)
        session.commit()
    user = user_store.get_user(session, user_id)
    if user is None:
        raise ApiError(401, "the API token is wrong or was revoked", "Authorization")
    return user


def _writer() -> User:
    user = token_holder()
    if user is None:
        raise ApiError(401, "writing needs a personal API token: 'Bearer <token>'", "Authorization")
    return user


@bp.get("/api/assets")
def list_assets() -> Response:
    """Return published strengths near a point or in a box, as a paged FeatureCollection."""
    query = AssetQuery.parse(request.args)
    cursor = read_cursor(request.args.get("cursor"), query)
    viewer = token_holder()
    found, more = search(query, cursor)
    url, before = asset_url(), unconfirmed_before()
    contacts = contacts_for(db.read_session(), found, viewer) if viewer else {}
    features = []
    for item in found:
        extra = {"contact": contacts[item.id]} if item.id in contacts else {}
        features.append(summary_feature(item, url(item.id), before, **extra))
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
        "links": [],
    }
    if more and found:
        body["links"].append(_next_link(next_cursor(query, cursor, found)))
    return _json(body)


def _next_link(cursor: str) -> dict[str, str]:
    """Return the link to the next page: this request's own query, with the new cursor.

    The other parameters are kept as the client wrote them, in its order and encoding; bytes
    a URL may not hold as they are (a space, a letter beyond ASCII) are percent-encoded.
    """
    query = quote_from_bytes(request.query_string, safe=_QUERY_SAFE)
    kept = [part for part in query.split("&") if part and _key_of(part) != "cursor"]
    kept.append(f"cursor={cursor}")  # URL-safe already: base64url and a dot
    href = request.script_root + request.path + "?" + "&".join(kept)
    return {"rel": "next", "type": GEOJSON, "href": href}


def _key_of(part: str) -> str:
    return unquote_plus(part.partition("=")[0])


def _published(asset_id: int) -> Asset:
    asset = store.get_asset(db.read_session(), asset_id) if 1 <= asset_id <= ID_MAX else None
    if asset is None or asset.status is not Status.PUBLISHED:
        raise ApiError(404, f"Asset {asset_id} doesn't exist.", "asset_id")
    return asset


@bp.get("/api/assets/<int:asset_id>")
def get_asset(asset_id: int) -> Response:
    """Return one published strength, with what the token's holder may see."""
    viewer = token_holder()
    asset = _published(asset_id)
    body = _detail(asset, viewer)
    body["properties"].update(_schedules_of(asset))
    body["properties"]["ties"] = [_tie(end) for end in public_ties(db.read_session(), asset.id)]
    return _json(body)


def _detail(asset: Asset, viewer: Actor | None) -> dict[str, Any]:
    """Return a strength's own answer: its feature, with its provenance (where it came from
    and who last assured it, by their part: nothing of who the person is)."""
    session = db.session()
    body = asset_feature(session, asset, viewer)
    found = provenance_of(session, asset.id)
    body["properties"]["provenance"] = found.as_dict() if found is not None else None
    return body


def _tie(end: TieEnd) -> dict[str, Any]:
    """Return a public tie as the API names it: what it says, which way, and the other
    strength's id, kind and title (never more of it than its page shows)."""
    return {
        "tie": end.kind.value,
        "direction": "outgoing" if end.outgoing else "incoming",
        "label": end.label,
        "id": end.asset_id,
        "kind": end.asset_kind.value,
        "title": end.title,
    }


@bp.get("/api/assets/<int:asset_id>/ties")
def asset_ties(asset_id: int) -> Response:
    """Return the strengths a published strength is tied to, at their public points: public
    ties only, for everyone alike."""
    asset = _published(asset_id)
    url = asset_url()
    features = [
        feature({**_tie(end), "url": url(end.asset_id)}, end.lon, end.lat, end.asset_id)
        for end in public_ties(db.read_session(), asset.id)
    ]
    return _json({"type": "FeatureCollection", "asset_id": asset.id, "features": features})


def _body() -> dict[str, Any]:
    try:
        body = orjson.loads(request.get_data(cache=False))
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"the body must be a JSON object: {exc}", "body") from None
    if not isinstance(body, dict):
        raise ApiError(400, f"the body must be a JSON object, got {type(body).__name__}", "body")
    return body


def _written(body: dict[str, Any]) -> dict[str, Any]:
    """Return a write's body, refusing a field only the server sets."""
    for name in SERVER_SET:
        if name in body:
            raise ApiError(
                400,
                f"{name} can't be written: it is set to today when the strength is confirmed "
                "with POST /api/assets/<asset_id>/confirm",
                name,
            )
    return body


def _refused(exc: ValidationError) -> ApiError:
    first = next(iter(exc.errors), "body")
    return ApiError(400, str(exc), first)


@bp.post("/api/assets")
def create_asset() -> Response:
    """Add a strength owned by the token's holder."""
    user = _writer()
    if not can_add(_actor(user)):
        raise ApiError(403, "your account may not add strengths", "Authorization")
    key = request.headers.get("Idempotency-Key", "")
    if key and not submissions.is_key(key):
        raise ApiError(400, "must be 1 to 64 letters, digits or ._:~-", "Idempotency-Key")
    body = _written(_body())
    config = current_app.config
    session = db.session()
    owner_id = user.id
    try:
        draft = validate_asset(body, area=current_area())
        session.rollback()  # end the read, so the write below takes the lock from the start
        asset, added = submissions.add_once(
            session, draft, owner_id=owner_id, key=key, cell_m=config["PRIVACY_CELL_M"]
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    session.commit()
    if asset is None:
        raise ApiError(409, "this key added a strength since erased", "Idempotency-Key")
    # A key sent again answers with the strength its first send added, as 200 rather than 201.
    response = _json(_detail(asset, _actor(user)), status=201 if added else 200)
    response.headers["Location"] = url_for("api.get_asset", asset_id=asset.id)
    return response


def _editable(asset_id: int) -> tuple[User, Asset]:
    user = _writer()
    asset = store.get_asset(db.session(), asset_id) if 1 <= asset_id <= ID_MAX else None
    if asset is None or (
        asset.status is not Status.PUBLISHED and not can_edit(_actor(user), asset)
    ):
        raise ApiError(404, f"Asset {asset_id} doesn't exist.", "asset_id")
    if not can_edit(_actor(user), asset):
        raise ApiError(403, "only the strength's owner or an admin may change it", "asset_id")
    return user, asset


@bp.patch("/api/assets/<int:asset_id>")
def update_asset(asset_id: int) -> Response:
    """Change some fields of a strength; its owner or an admin only."""
    user, asset = _editable(asset_id)
    body = _written(_body())
    if asset.status is Status.WITHDRAWN:
        raise ApiError(409, "this strength was withdrawn and can't be edited", "asset_id")
    session = db.session()
    config = current_app.config
    try:
        store.update_asset(
            session,
            asset.id,
            body,
            by=user.id,
            cell_m=config["PRIVACY_CELL_M"],
            area=current_area(),
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    session.commit()
    return _json(_detail(asset, _actor(user)))


@bp.post("/api/assets/<int:asset_id>/confirm")
def confirm_asset(asset_id: int) -> Response:
    """Record that a strength is still current today; its owner or an admin only."""
    user, asset = _editable(asset_id)
    if asset.status is Status.WITHDRAWN:
        raise ApiError(409, "this strength was withdrawn and can't be confirmed", "asset_id")
    session = db.session()
    moderation_store.confirm(session, asset.id, by=user.id)
    session.commit()
    return _json(_detail(asset, _actor(user)))


@bp.delete("/api/assets/<int:asset_id>")
def withdraw_asset(asset_id: int) -> Response:
    """Withdraw a strength from every public view; its owner or an admin only."""
    user, asset = _editable(asset_id)
    session = db.session()
    store.withdraw_asset(session, asset.id, by=user.id, reason="withdrawn through the API")
    session.commit()
    return Response(status=204)


def _schedules_of(asset: Asset) -> dict[str, Any]:
    """Return a group's sessions or a space's opening hours as the API carries them; nothing
    for a skill."""
    if asset.kind not in SCHEDULED_KINDS:
        return {}
    found = schedules_of(db.session(), [asset.id]).get(asset.id, [])
    return {"schedules": [schedule.as_dict() for schedule in found]}


def _scheduled(asset_id: int, *, write: bool) -> tuple[User | None, Asset]:
    """Return who asks and the group or space whose schedules they read or write."""
    user = _writer() if write else token_holder()
    asset = store.get_asset(db.session(), asset_id) if 1 <= asset_id <= ID_MAX else None
    may = asset is not None and can_edit_schedule(_actor(user) if user else None, asset)
    if asset is None or asset.kind not in SCHEDULED_KINDS:
        raise ApiError(404, f"No group or space has the id {asset_id}.", "asset_id")
    if asset.status is not Status.PUBLISHED and not may:
        raise ApiError(404, f"No group or space has the id {asset_id}.", "asset_id")
    if write and not may:
        raise ApiError(
            403,
            "only the owner, or staff for its neighbourhood, may change when it happens",
            "asset_id",
        )
    if write and asset.status is Status.WITHDRAWN:
        raise ApiError(409, "this strength was withdrawn and can't be changed", "asset_id")
    return user, asset


def _schedules_answer(asset: Asset) -> Response:
    note = asset.meeting_pattern if asset.kind is Kind.GROUP else asset.opening_times
    return _json({**_schedules_of(asset), "note": note or ""}, mimetype="application/json")


@bp.get("/api/assets/<int:asset_id>/schedules")
def get_schedules(asset_id: int) -> Response:
    """Return when a published group meets, or a space is open, and the note beside it."""
    _user, asset = _scheduled(asset_id, write=False)
    return _schedules_answer(asset)


@bp.put("/api/assets/<int:asset_id>/schedules")
def put_schedules(asset_id: int) -> Response:
    """Replace a group's sessions or a space's opening hours, and the note if given: all or
    nothing; its owner or staff for its neighbourhood only."""
    user, asset = _scheduled(asset_id, write=True)
    assert user is not None
    schedules, note = _read_schedules(_body())
    session = db.session()
    try:
        set_schedules(session, asset.id, schedules, by=user.id, note=note)
    except ValidationError as exc:
        session.rollback()
        raise _refused(exc) from None
    session.commit()
    return _schedules_answer(asset)


def _read_schedules(body: dict[str, Any]) -> tuple[list[Schedule], str | None]:
    """Return the schedules and note a PUT sends, or raise the first field refused, naming
    it as ``schedules[1].start_time``, with every reason in the message."""
    unknown = sorted(set(body) - {"schedules", "note"})
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0]!r}: send schedules and note", unknown[0])
    items = body.get("schedules")
    if not isinstance(items, list):
        raise ApiError(400, "schedules must be a list of schedules (it may be empty)", "schedules")
    if len(items) > SCHEDULES_MAX:
        raise ApiError(400, f"give at most {SCHEDULES_MAX} schedules", "schedules")
    errors: dict[str, str] = {}
    schedules = []
    today = dt.datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            errors[f"schedules[{index}]"] = "must be an object"
            continue
        try:
            schedules.append(validate_schedule(item, today=today))
        except ValidationError as exc:
            errors.update({f"schedules[{index}].{k}": why for k, why in exc.errors.items()})
    note = body.get("note")
    if note is not None:
        try:
            note = clean_text(note, SHORT_TEXT_MAX)
        except ValueError as exc:
            errors["note"] = str(exc)
    if errors:
        raise _refused(ValidationError(errors))
    return schedules, note


@bp.get("/api/places")
def places() -> Response:
    """Return gazetteer places matching ``q`` (a postcode, street or place), best first."""
    try:
        found = geocoder().lookup(request.args.get("q", ""), limit=PLACES_MAX)
    except ValueError as exc:
        raise BadParameter("q", f"q: {exc}") from None
    features = [
        feature({"name": place.name, "kind": place.kind}, place.lon, place.lat) for place in found
    ]
    return _json({"type": "FeatureCollection", "features": features})


@bp.get("/api/openapi.json")
def openapi_document() -> Response:
    """Return the OpenAPI 3.1 document describing every route of this API, readable from any
    site: the Open Referral UK root names it, and validators read it from their own."""
    answer = _json(openapi.for_app(current_app), mimetype="application/json")
    answer.headers["Access-Control-Allow-Origin"] = "*"
    return answer


def _actor(user: User) -> Actor:
    return user  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Register the API. It authenticates with tokens alone: it has no cookie session, and so
    no CSRF to guard against."""
    auth.csrf.exempt(bp)
    auth.stateless(app, API_PREFIX)
    app.register_blueprint(bp)
