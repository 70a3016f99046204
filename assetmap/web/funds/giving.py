"""A community fund's awards in the 360Giving Data Standard, for funders' own reporting.

``/funds/360giving.json`` and ``/funds/360giving.csv`` give the funded projects of every
published round, or of one (``?round=ID``), to planners and admins. A round not yet published
gives none. Both are streamed as they are made.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, request, stream_with_context
from flask_babel import gettext as _

from assetmap.domain.permissions import can_run_funds
from assetmap.exchange import threesixtygiving
from assetmap.exchange.export import AWARD_FORMATS
from assetmap.storage import fund_awards
from assetmap.web import db
from assetmap.web.accounts.auth import requires

bp = Blueprint("funds_giving", __name__)


@bp.get("/funds/360giving.json")
@requires(can_run_funds)
def as_json() -> Response:
    """Send the awards as a 360Giving JSON package."""
    return _awards("360giving")


@bp.get("/funds/360giving.csv")
@requires(can_run_funds)
def as_csv() -> Response:
    """Send the awards as 360Giving CSV, with the standard's column titles."""
    return _awards("360giving-csv")


def _awards(fmt: str) -> Response:
    round_id = _round()
    funder = threesixtygiving.Funder.from_config(current_app.config)
    found = fund_awards.awards(db.session(), round_id)
    body = stream_with_context(threesixtygiving.WRITERS[fmt](found, funder))
    chosen = AWARD_FORMATS[fmt]
    name = "360giving" if round_id is None else f"360giving-round-{round_id}"
    return Response(
        body,
        mimetype=chosen.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}{chosen.suffix}"'},
    )


def _round() -> int | None:
    """Return the round ``?round=`` names, or None for every round; 400 for a value that is no
    round id, 404 for a round that doesn't exist."""
    given = request.args.get("round", "").strip()
    if not given:
        return None
    if not (given.isascii() and given.isdigit()) or len(given) > 18:
        abort(400, _("round must be the number of a fund round, got %(got)r", got=given))
    round_id = int(given)
    if not fund_awards.round_exists(db.session(), round_id):
        abort(404, _("Fund round %(id)s doesn't exist.", id=round_id))
    return round_id


def init_app(app: Flask) -> None:
    """Register the 360Giving exports."""
    app.register_blueprint(bp)
