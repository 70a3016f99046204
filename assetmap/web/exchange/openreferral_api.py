"""The Open Referral UK API (HSDS 3.0) under /openreferral/: groups and spaces as services.

Open data: anyone may read it from anywhere (CORS), with no key, by GET. Lists are paged as
the specification's ``Page`` by ``page`` and ``per_page``, in a stable order (by strength id;
nearest a postcode first where one is given); each id a list gives resolves at its item
endpoint. Skills are people and never appear: storage reads groups and spaces alone, published
only, so a skill's, a hidden or a withdrawn strength's would-be id is a 404 like any unknown
one. A bad parameter is a 400 in the API's one error shape, naming it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from assetmap.domain.places import normalise_postcode
from assetmap.domain.query import RADIUS_MAX_M, WORDS_MAX, split_words
from assetmap.domain.vocab import Kind
from assetmap.exchange import hsds
from assetmap.exchange import openreferral as oruk
from assetmap.runtime.links import external_url
from assetmap.storage import openreferral as store
from assetmap.storage.openreferral import Near, ServiceFilter
from assetmap.web import db
from assetmap.web.accounts import auth
from assetmap.web.errors import error_response
from assetmap.web.geocoding import geocoder

PREFIX = "/openreferral"
bp = Blueprint("openreferral", __name__, url_prefix=PREFIX)
PER_PAGE = 50
PER_PAGE_MAX = 500
PAGE_MAX = 999_999_999
# A directory changes slowly and readers poll: a minute's caching spares the database.
MAX_AGE = 60
_WHOLE = re.compile(r"[1-9][0-9]{0,8}")
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
_ALL_KINDS = frozenset({Kind.GROUP, Kind.SPACE})


class BadRequest(Exception):
    """A parameter the API cannot use: which, and why (in English, for programs)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


class NotFound(Exception):
    """An id that names nothing this API publishes."""

    def __init__(self, what: str, given: str) -> None:
        super().__init__(f"{what} {given[:60]!r} doesn't exist.")
        self.message = str(self)


@bp.errorhandler(BadRequest)
def _bad_request(exc: BadRequest) -> Response:
    return error_response(400, exc.message, exc.field)


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Response:
    return error_response(404, exc.message, "id")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    response = error_response(exc.code or 500, exc.description or exc.name)
    if exc.code == 405:
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
    # Retry-After on a 429: how long a reader over its limit waits.
    for name, value in exc.get_headers():
        if name == "Retry-After":
            response.headers[name] = value
    return response


def _refuse_other_methods() -> Response | None:
    """Answer a method this API has not (it only reads) in its own error shape."""
    if not request.path.startswith(PREFIX + "/"):
        return None
    if isinstance(request.routing_exception, MethodNotAllowed):
        return _http_error(request.routing_exception)
    return None


def _open(response: Response) -> Response:
    """Let any site read every answer, errors too; keep successful ones briefly in caches."""
    if not request.path.startswith(PREFIX + "/"):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    if response.status_code == 200 and request.method in ("GET", "HEAD"):
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response.add_etag()
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), mimetype="application/json")


@bp.get("/")
def root() -> Response:
    """Name the HSDS version and profile this API conforms to, and where its OpenAPI is."""
    return _json(oruk.root(external_url("api.openapi_document")))


@bp.get("/services")
def services() -> Response:
    """Return a page of services: groups and spaces, by id, filtered as asked."""
    number, per_page = _paging()
    filters = _filters(with_organization=True)
    shown = (
        _minimal_service if _flag("minimal") else _shown_service if _flag("full") else _flat_service
    )
    found = store.id_page(db.session(), filters, number, per_page)
    directory = oruk.Directory(store.records(db.session(), found.ids))
    contents = [shown(directory, key) for key in found.ids if key in directory]
    return _json(oruk.page(contents, found.total, number, per_page))


def _shown_service(directory: oruk.Directory, key: int) -> dict[str, Any]:
    return directory.service(key)


def _minimal_service(directory: oruk.Directory, key: int) -> dict[str, Any]:
    return oruk.minimal(directory.objects(key)["services"][0])


def _flat_service(directory: oruk.Directory, key: int) -> dict[str, Any]:
    return oruk.flat(directory.objects(key)["services"][0])


@bp.get("/services/<string:id>")
def service(id: str) -> Response:  # noqa: A002 - the specification names it
    """Return one service fully nested: organization, places, schedules, attributes, changes."""
    key = _ref(id, hsds.HsdsRole.SERVICE, "Service").asset_id
    directory = _directory_of(key, id, "Service")
    return _json(directory.service(key))


@bp.get("/organizations")
def organizations() -> Response:
    """Return a page of organizations: the groups, by id."""
    number, per_page = _paging()
    filters = dataclasses.replace(_filters(with_organization=False), kinds=frozenset({Kind.GROUP}))
    found = store.id_page(db.session(), filters, number, per_page)
    directory = oruk.Directory(store.records(db.session(), found.ids))
    full, full_service = _flag("full"), _flag("full_service")
    contents = []
    for key in found.ids:
        if key in directory:
            made = directory.organization(key, full_service=full_service)
            contents.append(made if full or full_service else oruk.flat(made))
    return _json(oruk.page(contents, found.total, number, per_page))


@bp.get("/organizations/<string:id>")
def organization(id: str) -> Response:  # noqa: A002 - the specification names it
    """Return one organization with its service (fully nested where ``full_service``)."""
    key = _ref(id, hsds.HsdsRole.ORGANIZATION, "Organization").asset_id
    directory = _directory_of(key, id, "Organization")
    found = directory.objects(key)
    if not found.get("organizations"):
        raise NotFound("Organization", id)
    return _json(directory.organization(key, full_service=_flag("full_service")))


@bp.get("/service_at_locations")
def service_at_locations() -> Response:
    """Return a page of services at places, by id, or nearest a postcode first."""
    number, per_page = _paging()
    filters = _filters(with_organization=True)
    near = _near()
    found = store.located_page(db.session(), filters, number, per_page, near)
    directory = oruk.Directory(store.records(db.session(), {row.asset_id for row in found.rows}))
    full = _flag("full")
    contents = []
    for row in found.rows:
        made = directory.located(row.asset_id, row.venue_id) if row.asset_id in directory else None
        if made is not None:
            contents.append(made if full else oruk.flat(made))
    return _json(oruk.page(contents, found.total, number, per_page))


@bp.get("/service_at_locations/<string:id>")
def service_at_location(id: str) -> Response:  # noqa: A002 - the specification names it
    """Return one service at a place, with its location and the service's own fields."""
    ref = _ref(id, hsds.HsdsRole.SERVICE_AT_LOCATION, "Service at location")
    directory = _directory_of(ref.asset_id, id, "Service at location")
    made = directory.located(ref.asset_id, ref.venue_id)
    if made is None:
        raise NotFound("Service at location", id)
    return _json(made)


@bp.get("/taxonomies")
def taxonomies() -> Response:
    """Return the taxonomies: assetmap's themes."""
    number, per_page = _paging()
    found = oruk.matching([oruk.THEMES_TAXONOMY], _words())
    return _json(_listed(found, number, per_page))


@bp.get("/taxonomies/<string:id>")
def taxonomy(id: str) -> Response:  # noqa: A002 - the specification names it
    """Return one taxonomy."""
    if id != oruk.THEMES_TAXONOMY_ID:
        raise NotFound("Taxonomy", id)
    return _json(oruk.THEMES_TAXONOMY)


@bp.get("/taxonomy_terms")
def taxonomy_terms() -> Response:
    """Return the taxonomy terms: each theme, by code."""
    number, per_page = _paging()
    terms = oruk.theme_terms()
    taxonomy_id = request.args.get("taxonomy_id")
    if taxonomy_id is not None and _uuid("taxonomy_id", taxonomy_id) != oruk.THEMES_TAXONOMY_ID:
        terms = []
    if "parent_id" in request.args:
        _uuid("parent_id", request.args["parent_id"])
        terms = []  # themes have no parents
    return _json(_listed(oruk.matching(terms, _words()), number, per_page))


@bp.get("/taxonomy_terms/<string:id>")
def taxonomy_term(id: str) -> Response:  # noqa: A002 - the specification names it
    """Return one taxonomy term."""
    for term in oruk.theme_terms():
        if term["id"] == id:
            return _json({**term, "taxonomy_detail": oruk.THEMES_TAXONOMY})
    raise NotFound("Taxonomy term", id)


@bp.get("/<path:rest>")
def unknown(rest: str) -> Response:
    """Answer a path this API does not have in its own shape, not as a page."""
    raise NotFound("Path", f"{PREFIX}/{rest}")


def _listed(items: Sequence[dict[str, Any]], number: int, per_page: int) -> dict[str, Any]:
    start = (number - 1) * per_page
    return oruk.page(items[start : start + per_page], len(items), number, per_page)


def _ref(item_id: str, role: hsds.HsdsRole, what: str) -> hsds.HsdsRef:
    ref = hsds.parse_id(item_id)
    if ref is None or ref.role is not role:
        raise NotFound(what, item_id)
    return ref


def _directory_of(key: int, item_id: str, what: str) -> oruk.Directory:
    directory = oruk.Directory(store.records(db.session(), [key]))
    if key not in directory:
        raise NotFound(what, item_id)
    return directory


def _paging() -> tuple[int, int]:
    """Read ``page`` (from 1) and ``per_page``, and refuse a ``format`` other than json."""
    fmt = request.args.get("format", "json")
    if fmt != "json":
        raise BadRequest("format", f"format must be json, got {fmt[:40]!r}")
    number = _whole("page", PAGE_MAX, 1)
    return number, _whole("per_page", PER_PAGE_MAX, PER_PAGE)


def _whole(name: str, most: int, default: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not _WHOLE.fullmatch(text) or int(text) > most:
        message = f"{name} must be a whole number from 1 to {most}, got {text[:40]!r}"
        raise BadRequest(name, message)
    return int(text)


def _flag(name: str) -> bool:
    text = request.args.get(name)
    if text is None:
        return False
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise BadRequest(name, f"{name} must be true or false, got {text[:40]!r}")


def _words() -> tuple[str, ...]:
    text = request.args.get("search", "")
    try:
        return split_words(text)
    except ValueError:
        message = f"search must be at most {WORDS_MAX} characters, got {len(text)}"
        raise BadRequest("search", message) from None


def _uuid(name: str, text: str) -> str:
    """Return ``text`` if it is a UUID in its usual form, lowercase; else refuse it."""
    if not re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", text):
        raise BadRequest(name, f"{name} must be a UUID, got {text[:60]!r}")
    return text.lower()


def _filters(*, with_organization: bool) -> ServiceFilter:
    """Read ``search``, ``taxonomy_term_id``, ``taxonomy_id``, ``organization_id`` (where
    ``with_organization``) and ``modified_after``: one that names nothing of ours matches
    nothing."""
    args = request.args
    filters = ServiceFilter(words=_words(), modified_after=_moment(args.get("modified_after")))
    readers: list[Callable[[ServiceFilter, str], ServiceFilter]] = [_by_term, _by_taxonomy]
    names = ["taxonomy_term_id", "taxonomy_id"]
    if with_organization:
        readers.append(_by_organization)
        names.append("organization_id")
    for name, read in zip(names, readers, strict=True):
        if name in args:
            filters = read(filters, _uuid(name, args[name]))
    return filters


def _by_term(filters: ServiceFilter, term_id: str) -> ServiceFilter:
    theme = oruk.themes_by_term().get(term_id)
    if theme is None:
        return dataclasses.replace(filters, kinds=frozenset())
    return dataclasses.replace(filters, themes=filters.themes | {theme})


def _by_taxonomy(filters: ServiceFilter, taxonomy_id: str) -> ServiceFilter:
    if taxonomy_id != oruk.THEMES_TAXONOMY_ID:
        return dataclasses.replace(filters, kinds=frozenset())
    return filters  # every strength has a theme


def _by_organization(filters: ServiceFilter, organization_id: str) -> ServiceFilter:
    ref = hsds.parse_id(organization_id)
    if ref is None or ref.role is not hsds.HsdsRole.ORGANIZATION:
        return dataclasses.replace(filters, kinds=frozenset())
    return dataclasses.replace(filters, kinds=filters.kinds & {Kind.GROUP}, asset_id=ref.asset_id)


def _moment(text: str | None) -> dt.datetime | None:
    """Read ``modified_after``: an ISO 8601 date or date and time (UTC where no zone is said)."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        message = f"modified_after must be an ISO 8601 date or date and time, got {text[:40]!r}"
        raise BadRequest("modified_after", message) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _near() -> Near | None:
    """Read ``postcode`` and ``proximity`` (metres from the postcode's point in the gazetteer)."""
    postcode, proximity = request.args.get("postcode"), request.args.get("proximity")
    if postcode is None:
        if proximity is not None:
            raise BadRequest("proximity", "proximity needs a postcode to measure from")
        return None
    code = normalise_postcode(postcode)
    if code is None:
        raise BadRequest("postcode", f"postcode must be a UK postcode, got {postcode[:20]!r}")
    found = [place for place in geocoder().lookup(code, limit=1) if place.kind == "postcode"]
    if not found:
        raise BadRequest("postcode", f"postcode {code} is not in this register's gazetteer")
    return Near(found[0].lon, found[0].lat, _metres(proximity))


def _metres(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= RADIUS_MAX_M:
        message = f"proximity must be metres, more than 0 and at most {RADIUS_MAX_M:.0f}"
        raise BadRequest("proximity", f"{message}, got {text[:40]!r}")
    return value


def init_app(app: Flask) -> None:
    """Register the Open Referral UK API, which has no cookie session: it reads for anyone."""
    auth.stateless(app, PREFIX + "/")
    app.register_blueprint(bp)
    app.before_request(_refuse_other_methods)
    app.after_request(_open)
