"""OpenActive: the groups that meet, as an RPDE feed of session series, and its dataset site.

``GET /openactive/session-series`` pages by (modified, id) with ``afterTimestamp`` and
``afterId``; every page has a ``next`` URL, and the last repeats its own with no items, which
tells a reader it is up to date. Anyone may read it from anywhere (CORS), as open data.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from assetmap.exchange import openactive
from assetmap.runtime.links import external_url
from assetmap.storage.feeds import session_series
from assetmap.storage.models import utcnow
from assetmap.web import db
from assetmap.web.errors import error_response

bp = Blueprint("openactive", __name__, url_prefix="/openactive")
# RPDE's advice: a reader polls the last page often, so it is kept briefly; a full page of
# older changes is kept for an hour.
LAST_PAGE_MAX_AGE = 8
FULL_PAGE_MAX_AGE = 3600
NAME = "Community groups that meet, from assetmap"


@bp.get("/")
def dataset() -> Response:
    """Describe the open data this register publishes, pointing at the feed."""
    body = openactive.dataset(
        name=NAME,
        url=external_url("openactive.dataset"),
        feed_url=external_url("openactive.series"),
        publisher_url=external_url("pages.index"),
        description="The community groups on this map that meet on a schedule, "
        "with where and when, as OpenActive session series.",
    )
    return _open(jsonify(body), FULL_PAGE_MAX_AGE, "application/ld+json")


@bp.get("/session-series")
def series() -> Response:
    """Return a page of the session series feed after the given (modified, id)."""
    try:
        after = _after(request.args.get("afterTimestamp"), request.args.get("afterId"))
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        return _open(error_response(400, message, field), 0)
    settle = dt.timedelta(seconds=current_app.config["FEED_SETTLE_SECONDS"])
    rows = session_series(
        db.session(), after=after, limit=openactive.PAGE_SIZE, settled_before=utcnow() - settle
    )
    themes_url = external_url("openactive.dataset") + "themes"
    items = [openactive.item(row, _page_of, themes_url) for row in rows]
    following = openactive.next_after(rows, after)
    next_url = external_url("openactive.series", **_params(following))
    body = openactive.page(items, next_url)
    last = len(rows) < openactive.PAGE_SIZE
    return _open(jsonify(body), LAST_PAGE_MAX_AGE if last else FULL_PAGE_MAX_AGE)


def _after(timestamp: str | None, asset_id: str | None) -> tuple[int, int] | None:
    """Return ``(afterTimestamp, afterId)`` as numbers, or None for the first page; raise
    ValueError naming the parameter that is wrong."""
    if timestamp is None and asset_id is None:
        return None
    found = []
    for name, value in (("afterTimestamp", timestamp), ("afterId", asset_id)):
        if value is None:
            raise ValueError(f"{name}: give afterTimestamp and afterId together")
        if not value.isascii() or not value.isdigit() or len(value) > 18:
            raise ValueError(f"{name}: must be a whole number, got {value[:40]!r}")
        found.append(int(value))
    return found[0], found[1]


def _params(after: tuple[int, int] | None) -> dict[str, int]:
    return {} if after is None else {"afterTimestamp": after[0], "afterId": after[1]}


def _page_of(asset_id: int) -> str:
    return external_url("pages.asset", asset_id=asset_id)


def _open(response: Response, max_age: int, media_type: str | None = None) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    if media_type is not None:
        response.mimetype = media_type
    return response


def init_app(app: Flask) -> None:
    """Register the OpenActive feed and dataset."""
    app.register_blueprint(bp)
