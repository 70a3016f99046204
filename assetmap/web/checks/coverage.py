"""Coverage by neighbourhood (planners and admins): how many public strengths each holds, by
kind, and the share of them confirmed as right recently; as a page and as a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from flask import Blueprint, Flask, Response, render_template
from flask_babel import format_number, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assetmap.domain.permissions import can_run_checks
from assetmap.domain.provenance import FRESH_DAYS, local_day
from assetmap.exchange.cells import csv_cell
from assetmap.storage.coverage import Coverage, coverage, totals
from assetmap.web import db
from assetmap.web.accounts.auth import requires

bp = Blueprint("coverage", __name__)
TITLE = _l("Coverage by neighbourhood")
# The CSV file's columns, in English whoever downloads it: a file for other programs.
CSV_COLUMNS = (
    "neighbourhood",
    "skills",
    "groups",
    "spaces",
    "all",
    f"assured_within_{FRESH_DAYS}_days",
    f"assured_within_{FRESH_DAYS}_days_percent",
)
OUTSIDE_IN_FILES = "Not in a neighbourhood"


def _today() -> dt.date:
    return local_day(dt.datetime.now(dt.UTC))


@bp.get("/coverage")
@requires(can_run_checks)
def page() -> str:
    """Show every neighbourhood's public strengths by kind, and how fresh they are."""
    rows = coverage(db.session(), _today())
    return render_template(
        "checks/coverage.html",
        title=str(TITLE),
        rows=rows,
        total=totals(rows),
        fresh_days=FRESH_DAYS,
        freshness=freshness,
    )


def freshness(row: Coverage) -> str:
    """Return a row's freshness as a person reads it: "42% (21 of 50)"."""
    if row.fresh_percent is None:
        return _("No public strengths")
    return _(
        "%(percent)s (%(fresh)s of %(total)s)",
        percent=format_percent(row.fresh_percent / 100),
        fresh=format_number(row.fresh),
        total=format_number(row.total),
    )


@bp.get("/coverage.csv")
@requires(can_run_checks)
def download() -> Response:
    """Download the coverage table as CSV."""
    rows = coverage(db.session(), _today())
    response = Response(coverage_csv([*rows, totals(rows)]), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="coverage.csv"'
    return response


def coverage_csv(rows: list[Coverage]) -> str:
    """Return the table as CSV: a row per neighbourhood, the strengths in none, then all."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for index, row in enumerate(rows):
        writer.writerow(_csv_row(row, last=index == len(rows) - 1))
    return out.getvalue()


def _csv_row(row: Coverage, *, last: bool) -> list[Any]:
    if row.neighbourhood_id is not None:
        name = csv_cell("neighbourhood", row.name)
    else:
        name = "All" if last else OUTSIDE_IN_FILES
    percent = "" if row.fresh_percent is None else row.fresh_percent
    return [name, row.skills, row.groups, row.spaces, row.total, row.fresh, percent]


def init_app(app: Flask) -> None:
    """Register the coverage table (linked from the strength checks page: the staff menu
    is full)."""
    app.register_blueprint(bp)
