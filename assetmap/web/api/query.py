"""Reading an API search from its query string, and the signed cursor that pages through it.

Each bad parameter becomes an ``ApiError`` naming it. A cursor is signed (HMAC-SHA256) with a
key derived from the app's secret, so one that was changed, or made for another search, is
refused rather than trusted.
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

from assetmap.domain.geo import BBox, check_lon_lat
from assetmap.domain.query import (
    LIMIT_MAX,
    AssetFilter,
    AssetSummary,
    check_radius,
    split_words,
)
from assetmap.storage import assets as store
from assetmap.web import db

DEFAULT_RADIUS_M = 1000.0
DEFAULT_LIMIT = 50
API_LIMIT_MAX = 500
_CURSOR_SALT = "assetmap.api.cursor"


class ApiError(Exception):
    """A request the API refuses: the status, the reason, and the parameter at fault."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.headers: dict[str, str] = {"WWW-Authenticate": "Bearer"} if status == 401 else {}


def bad(field: str, message: str) -> ApiError:
    """Return the 400 for a bad parameter."""
    return ApiError(400, message, field)


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
        """Read the query string, raising ApiError naming the first bad parameter."""
        near = _near(args["near"]) if "near" in args else None
        if "radius" in args and near is None:
            raise bad("radius", "radius needs near=lon,lat to measure from")
        if near is not None and "bbox" in args:
            raise bad("bbox", "give near or bbox, not both")
        return cls(
            near=near,
            radius_m=_radius(args["radius"]) if "radius" in args else DEFAULT_RADIUS_M,
            bbox=_bbox(args["bbox"]) if "bbox" in args else None,
            filters=_filters(args),
            limit=_limit(args["limit"]) if "limit" in args else DEFAULT_LIMIT,
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


def _near(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise bad("near", f"near must be lon,lat, got {text[:60]!r}")
    try:
        return check_lon_lat(parts[0].strip(), parts[1].strip())
    except ValueError as exc:
        raise bad("near", f"near must be lon,lat: {exc}") from None


def _radius(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise bad("radius", f"radius must be a number of metres, got {text[:60]!r}") from None
    try:
        return check_radius(value)
    except ValueError as exc:
        raise bad("radius", str(exc)) from None


def _bbox(text: str) -> BBox:
    try:
        return BBox.parse(text)
    except ValueError as exc:
        raise bad("bbox", f"bbox: {exc}") from None


def _limit(text: str) -> int:
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if not 1 <= limit <= API_LIMIT_MAX:
        raise bad("limit", f"limit must be a whole number from 1 to {API_LIMIT_MAX}, got {text!r}")
    return limit


_FILTERS = ("kind", "theme", "q")


def _filters(args: MultiDict[str, str]) -> AssetFilter:
    if not any(name in args for name in _FILTERS):
        return store.EVERYTHING
    found: dict[str, Any] = {}
    for name, parse in (
        ("kind", lambda values: AssetFilter.parse(kinds=values).kinds),
        ("theme", lambda values: AssetFilter.parse(themes=values).themes),
        ("q", lambda values: split_words(values[0] if values else "")),
    ):
        try:
            found[name] = parse(args.getlist(name))
        except ValueError as exc:
            raise bad(name, str(exc)) from None
    return AssetFilter(kinds=found["kind"], themes=found["theme"], words=found["q"])


@dataclass(frozen=True)
class Cursor:
    """Where the last page ended: its last id, its distance for a near search, and the count."""

    last_id: int
    distance_m: float | None
    seen: int


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


def read_cursor(text: str | None, query: AssetQuery) -> Cursor | None:
    """Return the cursor a request carries, or raise ApiError if it is not one for this search."""
    if text is None:
        return None
    try:
        data = unsign(text)
    except ValueError:
        raise bad("cursor", "cursor was not given out by this API, or was changed") from None
    cursor = _cursor_of(data)
    if cursor is None or data.get("q") != query.fingerprint():
        raise bad("cursor", "cursor belongs to another search; start again without it")
    return cursor


def _cursor_of(data: Any) -> Cursor | None:
    if not isinstance(data, Mapping):
        return None
    last_id, distance, seen = data.get("id"), data.get("d"), data.get("n")
    if type(last_id) is not int or type(seen) is not int:
        return None
    if distance is not None and type(distance) not in (int, float):
        return None
    return Cursor(last_id, None if distance is None else float(distance), seen)


def next_cursor(query: AssetQuery, cursor: Cursor | None, page: list[AssetSummary]) -> str:
    """Return the cursor for the page after ``page``."""
    last = page[-1]
    seen = (cursor.seen if cursor else 0) + len(page)
    payload = {"q": query.fingerprint(), "id": last.id, "d": last.distance_m, "n": seen}
    return sign(payload)


def search(query: AssetQuery, cursor: Cursor | None) -> tuple[list[AssetSummary], bool]:
    """Return one page of results and whether another follows.

    A near search pages through at most the ``LIMIT_MAX`` nearest, read through the request's
    read connection; a box pages by id to the end, through its session.
    """
    if query.near is not None:
        seen = cursor.seen if cursor else 0
        fetch = min(seen + query.limit + 1, LIMIT_MAX)
        if fetch <= seen:
            return [], False
        lon, lat = query.near
        found = store.assets_near(db.reader(), lon, lat, query.radius_m, query.filters, fetch)
        if cursor is not None and cursor.distance_m is not None:
            after = (cursor.distance_m, cursor.last_id)
            found = [item for item in found if (item.distance_m or 0.0, item.id) > after]
    else:
        found = store.assets_in_bbox(
            db.session(),
            query.bbox,
            query.filters,
            limit=query.limit + 1,
            after_id=cursor.last_id if cursor else None,
        )
    return found[: query.limit], len(found) > query.limit
