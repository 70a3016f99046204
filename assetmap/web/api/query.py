"""Reading an API search from its query string, and the signed cursor that pages through it.

Each bad parameter raises ``params.BadParameter`` naming it; storage's ``paging`` reads the
pages. A cursor is signed (HMAC-SHA256) with a key derived from the app's secret, so one that
was changed, or made for another search, is refused rather than trusted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from flask import current_app
from werkzeug.datastructures import MultiDict

from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.storage import assets as store
from assetmap.storage import paging
from assetmap.storage.paging import Mark
from assetmap.web import db, params
from assetmap.web.params import BadParameter

DEFAULT_RADIUS_M = 1000.0
DEFAULT_LIMIT = 50
API_LIMIT_MAX = 500
_CURSOR_SALT = "assetmap.api.cursor"


class ApiError(Exception):
    """A request the API refuses for who asks or what they ask of: the status, the reason,
    and the part of the request at fault. A bad parameter is ``params.BadParameter``."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.headers: dict[str, str] = {"WWW-Authenticate": "Bearer"} if status == 401 else {}


@dataclass(frozen=True)
class AssetQuery:
    """A search: near a point within a radius, or in a box (or everywhere), with filters."""

    near: tuple[float, float] | None
    radius_m: float
    bbox: BBox | None
    filters: AssetFilter
    limit: int

    @classmethod
    def parse(cls, args: MultiDict[str, str]) -> AssetQuery:
        """Read the query string, raising BadParameter naming the first bad parameter."""
        near = params.near(args["near"]) if "near" in args else None
        if "radius" in args and near is None:
            raise BadParameter("radius", "radius needs near=lon,lat to measure from")
        if near is not None and "bbox" in args:
            raise BadParameter("bbox", "give near or bbox, not both")
        return cls(
            near=near,
            radius_m=params.radius(args["radius"]) if "radius" in args else DEFAULT_RADIUS_M,
            bbox=params.bbox(args["bbox"]) if "bbox" in args else None,
            filters=params.asset_filter(args) if _filtered(args) else store.EVERYTHING,
            limit=params.limit(args["limit"], API_LIMIT_MAX) if "limit" in args else DEFAULT_LIMIT,
        )

    def fingerprint(self) -> str:
        """Return a short digest of what is searched for, which a cursor must match."""
        parts = (
            self.near,
            self.radius_m if self.near else None,
            self.bbox.as_tuple() if self.bbox else None,
            sorted(self.filters.kinds),
            sorted(self.filters.themes),
            self.filters.words,
        )
        return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _filtered(args: MultiDict[str, str]) -> bool:
    return any(name in args for name in params.FILTER_ARGS)


def _key() -> bytes:
    key = current_app.extensions.get(_CURSOR_SALT)
    if key is None:
        secret = current_app.config["SECRET_KEY"]
        secret = secret if isinstance(secret, bytes) else str(secret).encode()
        key = hmac.new(secret, _CURSOR_SALT.encode(), hashlib.sha256).digest()
        current_app.extensions[_CURSOR_SALT] = key
    return key  # type: ignore[no-any-return]


def _tag(body: bytes) -> bytes:
    return base64.urlsafe_b64encode(hmac.new(_key(), body, hashlib.sha256).digest()[:18])


def sign(payload: dict[str, Any]) -> str:
    """Return ``payload`` as URL-safe text with an HMAC-SHA256 tag made with the app's secret."""
    body = base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=")
    return (body + b"." + _tag(body)).decode()


def unsign(text: str) -> Any:
    """Return what ``sign`` wrapped, or raise ValueError if the text was not made by it."""
    body, _, tag = text.encode("ascii").partition(b".")
    if not hmac.compare_digest(tag, _tag(body)):
        raise ValueError("the cursor's signature does not match")
    return orjson.loads(base64.urlsafe_b64decode(body + b"=" * (-len(body) % 4)))


def read_cursor(text: str | None, query: AssetQuery) -> Mark | None:
    """Return where the page a request's cursor asks for starts, or raise BadParameter if it
    is not a cursor for this search."""
    if text is None:
        return None
    try:
        data = unsign(text)
    except ValueError:
        raise BadParameter(
            "cursor", "cursor was not given out by this API, or was changed"
        ) from None
    cursor = _cursor_of(data)
    if cursor is None or data.get("q") != query.fingerprint():
        raise BadParameter("cursor", "cursor belongs to another search; start again without it")
    return cursor


def _cursor_of(data: Any) -> Mark | None:
    if not isinstance(data, Mapping):
        return None
    last_id, distance, seen = data.get("id"), data.get("d"), data.get("n")
    if type(last_id) is not int or type(seen) is not int:
        return None
    if distance is not None and type(distance) not in (int, float):
        return None
    return Mark(last_id, None if distance is None else float(distance), seen)


def next_cursor(query: AssetQuery, after: Mark | None, page: list[AssetSummary]) -> str:
    """Return the cursor for the page after ``page``, which followed ``after``."""
    mark = paging.mark_after(page, after)
    payload = {"q": query.fingerprint(), "id": mark.last_id, "d": mark.distance_m, "n": mark.seen}
    return sign(payload)


def search(query: AssetQuery, after: Mark | None) -> paging.Page:
    """Return one page of results and whether another follows.

    A near search pages through at most the ``LIMIT_MAX`` nearest, read through the request's
    read connection; a box pages by id to the end, through its session.
    """
    if query.near is not None:
        lon, lat = query.near
        reader = db.reader()
        return paging.near_page(reader, lon, lat, query.radius_m, query.filters, query.limit, after)
    return paging.box_page(db.read_session(), query.bbox, query.filters, query.limit, after)
