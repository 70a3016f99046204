"""The public pages of the register: the front page and a page for each strength."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, jsonify, render_template

from assetmap.domain.privacy import public_record
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.storage import assets as store
from assetmap.storage import stats
from assetmap.storage.db import is_current
from assetmap.web import db, nav

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Show what the register holds: counts by kind and theme, and the newest strengths."""
    session = db.session()
    return render_template(
        "index.html",
        counts=stats.count_by_kind(session),
        themes=stats.count_by_theme(session),
        newest=stats.newest(session, limit=12),
        kinds=list(Kind),
    )


@bp.get("/assets/<int:asset_id>")
def asset(asset_id: int) -> str:
    """Show one published strength as the public sees it."""
    found = store.get_asset(db.session(), asset_id)
    if found is None or found.status is not Status.PUBLISHED:
        abort(404, f"Asset {asset_id} doesn't exist or isn't public.")
    return render_template("asset.html", asset=public_record(store.record_of(found)))


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """Answer whether the database is reachable and its schema current."""
    database = db.database()
    current = is_current(database)
    body = {"status": "ok" if current else "schema out of date"}
    return jsonify(body), 200 if current else 503


def theme_label(value: str) -> str:
    """Return a theme's label from its value, for templates."""
    return Theme(value).label


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
    app.jinja_env.filters["theme_label"] = theme_label
    nav.add_link(app, "pages.index", "Home", order=0)
