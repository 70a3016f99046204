"""Planners exchange data: export the public register, and import files after a dry run."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from babel.lists import format_list
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from assetmap.domain.permissions import (
    can_exchange_data,
    can_use_neighbourhood,
    export_scope,
    import_scope,
)
from assetmap.domain.vocab import Kind, Theme
from assetmap.exchange.export import FORMATS, register_name
from assetmap.exchange.geojson import read_polygon
from assetmap.exchange.importing import Columns
from assetmap.exchange.importing.columns import IGNORE, TARGETS, label
from assetmap.exchange.importing.preview import Preview, preview
from assetmap.exchange.report import NOT_LISTED, ImportReport, Outcome
from assetmap.services.exports import stream_export
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import imports as import_store
from assetmap.storage.exports import ExportFilter, count_public
from assetmap.storage.neighbourhoods import neighbourhood_choices
from assetmap.web import db, nav, params
from assetmap.web.accounts.auth import actor, login_manager, requires
from assetmap.web.area import current_area
from assetmap.web.exchange import columns as columns_step
from assetmap.web.exchange import uploads
from assetmap.web.params import BadParameter

bp = Blueprint("exchange", __name__, url_prefix="/exchange")

# The kinds of strength, as a list's options name them.
KIND_PLURALS = {Kind.SKILL: _l("Skills"), Kind.GROUP: _l("Groups"), Kind.SPACE: _l("Spaces")}
# The formats an import reads, by the name a report gives them.
FORMAT_NAMES = {
    "csv": "CSV",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "osm": "OpenStreetMap",
    "hsds": "Open Referral HSDS",
}
_ROW = re.compile(r"^(?P<what>row|feature) (?P<number>\d+)$")


@bp.get("")
@requires(can_exchange_data)
def index() -> str:
    """Show the export form and the import form."""
    return _page({}, {})


def _page(errors: dict[str, str], chosen: dict[str, Any], status: int = 200) -> Any:
    page = render_template(
        "exchange/index.html",
        formats=FORMATS.values(),
        kinds=list(Kind),
        themes=list(Theme),
        neighbourhoods=[(code, name) for _, code, name in _usable_neighbourhoods()],
        every_neighbourhood=(
            _("All of your neighbourhoods") if export_scope(actor()) else _("Every neighbourhood")
        ),
        kind_plurals=KIND_PLURALS,
        errors=errors,
        chosen=chosen,
        max_mb=current_app.config["IMPORT_MAX_MB"],
    )
    return (page, status) if status != 200 else page


def _usable_neighbourhoods() -> list[tuple[int, str, str]]:
    user = actor()
    return [n for n in neighbourhood_choices(db.session()) if can_use_neighbourhood(user, n[0])]


@bp.post("/export")
@requires(can_exchange_data)
def export() -> Any:
    """Send the export the form asks for, streamed as it is made."""
    form = request.form
    chosen: dict[str, Any] = {
        "format": form.get("format", ""),
        "kinds": form.getlist("kind"),
        "themes": form.getlist("theme"),
        "neighbourhood": form.get("neighbourhood", ""),
        "bbox": form.get("bbox", "").strip(),
        "changed_since": form.get("changed_since", "").strip(),
    }
    errors: dict[str, str] = {}
    if chosen["format"] not in FORMATS:
        errors["format"] = _("Choose a format")
    filters = _filters(chosen, request.files.get("polygon"), errors)
    if filters is not None:
        filters = _in_scope(filters, errors)
    if filters is not None and not errors:
        try:
            count_public(db.session(), filters)
        except ValueError:
            errors["neighbourhood"] = _(
                "neighbourhood %(code)r is unknown; choose one from the list",
                code=chosen["neighbourhood"],
            )
    if errors or filters is None:
        return _page(errors, chosen, 400)
    fmt = FORMATS[chosen["format"]]
    name = f"assetmap-{dt.date.today().isoformat()}{fmt.suffix}"
    body = stream_with_context(stream_export(db.session(), fmt.name, filters, _register()))
    return Response(
        body,
        mimetype=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _filters(
    chosen: dict[str, Any], upload: FileStorage | None, errors: dict[str, str]
) -> ExportFilter | None:
    polygon = None
    if upload is not None and upload.filename:
        try:
            polygon = read_polygon(upload.read())
        except ValueError as exc:
            errors["polygon"] = str(exc)
    try:
        kinds, themes = params.kinds(chosen["kinds"]), params.themes(chosen["themes"])
        box = params.bbox(chosen["bbox"]) if chosen["bbox"] else None
    except BadParameter as exc:
        errors[exc.field] = exc.message
        return None
    try:
        filters = ExportFilter.parse(
            neighbourhood=chosen["neighbourhood"] or None,
            polygon=polygon,
            changed_since=chosen["changed_since"] or None,
        )
    except ValueError:
        errors["changed_since"] = _(
            "changed since must be a date like 2026-05-31, got %(got)r",
            got=chosen["changed_since"],
        )
        return None
    return dataclasses.replace(filters, kinds=kinds, themes=themes, bbox=box)


def _in_scope(filters: ExportFilter, errors: dict[str, str]) -> ExportFilter:
    """Limit the export to the user's neighbourhoods, refusing a neighbourhood outside them."""
    user = actor()
    code = filters.neighbourhood
    ids = {c: n for n, c, _ in neighbourhood_choices(db.session())}
    if code is not None and code in ids and not can_use_neighbourhood(user, ids[code]):
        errors["neighbourhood"] = _(
            "neighbourhood %(code)r is outside your neighbourhoods; choose one of yours, "
            "or leave it empty for all of them",
            code=code,
        )
    return dataclasses.replace(filters, within=export_scope(user))


@bp.post("/import")
@requires(can_exchange_data)
def upload() -> Any:
    """Check an uploaded file and show what importing it would do, keeping it to confirm, or
    to choose how its columns are read where that may help."""
    form = request.form
    chosen: dict[str, Any] = {
        "default_theme": form.get("default_theme", ""),
        "source": " ".join(form.get("source", "").split()),
        "full_listing": form.get("full_listing") == "yes",
    }
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page({"file": _("Choose a file to import")}, chosen, 400)
    if chosen["default_theme"] and chosen["default_theme"] not in {t.value for t in Theme}:
        return _page({"default_theme": _("Choose a theme from the list")}, chosen, 400)
    errors = _feed_errors(chosen)
    if errors:
        return _page(errors, chosen, 400)
    user_id = _user_id()
    name = secure_filename(file.filename) or "upload"
    path = uploads.keep(file, name, user_id)
    feed = (chosen["source"], chosen["full_listing"])
    report = _run(path, name, chosen["default_theme"], dry_run=True, feed=feed)
    shown = preview(path, name) if columns_step.may_help(report) else None
    if shown is not None or columns_step.confirmable(report) or (report.ok and report.changes):
        uploads.remember(path, name, chosen["default_theme"], feed=feed)
    else:
        uploads.discard(user_id)
    return _report(report, 200 if report.ok else 400, shown)


# At most this many characters name the directory a file came from, as a strength's source.
SOURCE_CHARS = 100


def _feed_errors(chosen: dict[str, Any]) -> dict[str, str]:
    """Check the directory a file is said to come from, and whether it lists all it holds."""
    if len(chosen["source"]) > SOURCE_CHARS:
        return {
            "source": _(
                "The directory's name must be %(most)s characters or fewer",
                most=SOURCE_CHARS,
            )
        }
    if chosen["full_listing"] and not chosen["source"]:
        return {
            "source": _(
                "Enter the directory's name: only a file from a named directory can withdraw "
                "what it no longer lists"
            )
        }
    return {}


@bp.post("/import/columns")
@requires(can_exchange_data)
def columns() -> Any:
    """Check the file uploaded last again, its columns read as the person chose."""
    found = uploads.pending(_user_id())
    if found is None:
        return _expired()
    path, kept = found
    guess = preview(path, kept["name"])
    if guess is None:
        abort(
            400,
            _("This file has no columns to choose: it is not a CSV, GeoJSON or GeoPackage."),
        )
    errors: dict[str, str] = {}
    chosen, kind = columns_step.chosen_columns(request.form, guess, errors)
    theme = request.form.get("default_theme", "")
    if theme and theme not in {t.value for t in Theme}:
        errors["default_theme"], theme = _("Choose a theme from the list"), ""
    reading = columns_step.reading(guess, chosen, kind)
    feed = (str(kept.get("source", "")), bool(kept.get("full_listing")))
    report = _run(path, kept["name"], theme, dry_run=True, columns=reading, feed=feed)
    feed = (str(kept.get("source", "")), bool(kept.get("full_listing")))
    if not errors:
        uploads.remember(path, kept["name"], theme, chosen, kind, feed)
    status = 200 if report.ok and not errors else 400
    return _report(report, status, preview(path, kept["name"], reading), errors)


@bp.post("/import/confirm")
@requires(can_exchange_data)
def confirm() -> Any:
    """Import the file checked last, all or nothing, and delete it."""
    user_id = _user_id()
    found = uploads.pending(user_id)
    if found is None:
        return _expired()
    path, kept = found
    try:
        reading = columns_step.kept_reading(path, kept)
        feed = (str(kept.get("source", "")), bool(kept.get("full_listing")))
        report = _run(path, kept["name"], kept["theme"], dry_run=False, columns=reading, feed=feed)
    except import_store.Busy:
        db.session().rollback()
        flash(str(BUSY), "info")
        return redirect(url_for("exchange.index"))
    except Exception:
        uploads.discard(user_id)
        raise
    uploads.discard(user_id)
    if not report.written:
        return _report(report, status=400)
    db.session().commit()
    flash(imported(report))
    return redirect(url_for("exchange.index"))


def imported(report: ImportReport) -> str:
    """Return what a confirmed import did, as a person reads it: "groups.csv is imported. Of
    its 3 rows, 2 new and 1 already here." """
    counts = report.counts
    parts = [
        said
        for count, said in (
            (counts[Outcome.ADDED], ngettext("%(num)s new", "%(num)s new", counts[Outcome.ADDED])),
            (
                counts[Outcome.UPDATED],
                ngettext("%(num)s changed", "%(num)s changed", counts[Outcome.UPDATED]),
            ),
            (
                counts[Outcome.SKIPPED],
                ngettext("%(num)s already here", "%(num)s already here", counts[Outcome.SKIPPED]),
            ),
            (
                counts[Outcome.REJECTED],
                ngettext(
                    "%(num)s with mistakes", "%(num)s with mistakes", counts[Outcome.REJECTED]
                ),
            ),
        )
        if count
    ] or [_("none")]
    said = ngettext(
        "%(file)s is imported. Of its %(num)s row, %(parts)s.",
        "%(file)s is imported. Of its %(num)s rows, %(parts)s.",
        report.total,
        file=report.file,
        parts=format_list(parts, locale=get_locale() or "en_GB"),
    )
    if counts[Outcome.WITHDRAWN]:
        said += " " + ngettext(
            "%(num)s strength that the file no longer lists was withdrawn.",
            "%(num)s strengths that the file no longer lists were withdrawn.",
            counts[Outcome.WITHDRAWN],
        )
    if counts[Outcome.LEFT]:
        said += " " + ngettext(
            "%(num)s strength that the file no longer lists was left published, "
            "as it was edited here.",
            "%(num)s strengths that the file no longer lists were left published, "
            "as they were edited here.",
            counts[Outcome.LEFT],
        )
    return said


# Said when other changes held the register for longer than an import waits; the file is kept.
BUSY = _l(
    "Nothing was imported: other changes were being saved for longer than an import waits. "
    "Your file is still here: try again in a minute."
)


def _expired() -> Any:
    uploads.discard(_user_id())
    flash(_("That upload has expired: choose the file again."))
    return redirect(url_for("exchange.index"))


@bp.post("/import/cancel")
@requires(can_exchange_data)
def cancel() -> Any:
    """Forget the file checked last, deleting it, without importing it."""
    uploads.discard(_user_id())
    flash(_("The file was not imported, and assetmap no longer keeps it."))
    return redirect(url_for("exchange.index"))


def _user_id() -> int:
    user = actor()
    assert user is not None, "the view requires someone signed in"
    return int(user.id)


def _register() -> str:
    """Return this register's name, which its exports give its own strengths' ids."""
    return register_name(str(current_app.config["PUBLIC_URL"]))


def _run(
    path: Path,
    name: str,
    theme: str,
    *,
    dry_run: bool,
    columns: Columns | None = None,
    feed: tuple[str, bool] = ("", False),
) -> ImportReport:
    """Import a kept file; ``feed``, where it names a directory, says the file is that
    directory's dump, and whether it lists all the directory holds."""
    config = current_app.config
    source, full_listing = feed
    options = ImportOptions(
        cell_m=config["PRIVACY_CELL_M"],
        area=current_area(),
        default_themes=(theme,) if theme else (),
        neighbourhoods=import_scope(actor()),
        register=_register(),
        feed=bool(source),
        full_listing=bool(source) and full_listing,
    )
    return run_import(
        db.session(),
        path,
        options,
        name=name,
        dry_run=dry_run,
        max_mb=float(config["IMPORT_MAX_MB"]),
        max_rows=int(config["IMPORT_MAX_ROWS"]),
        columns=columns,
        source=source,
    )


def _report(
    report: ImportReport,
    status: int,
    shown: Preview | None = None,
    errors: dict[str, str] | None = None,
) -> Any:
    page = render_template(
        "exchange/report.html",
        report=report,
        Outcome=Outcome,
        preview=shown,
        targets=[(IGNORE, _("Ignore this column")), *((t, label(t)) for t in TARGETS)],
        kinds=list(Kind),
        kind_plurals=KIND_PLURALS,
        format_names=FORMAT_NAMES,
        where_text=where_text,
        themes=list(Theme),
        theme=_kept_theme(),
        errors=errors or {},
    )
    return page, status


def where_text(where: str) -> str:
    """Return where in a file a report's entry is, as a person reads it: "row 3", "the file";
    an OpenStreetMap id ("node/42") as it is."""
    if where == "file":
        return _("the file")
    if where == NOT_LISTED:
        return _("not in the file")
    found = _ROW.match(where)
    if found is None:
        return where
    if found["what"] == "row":
        return _("row %(number)s", number=found["number"])
    return _("feature %(number)s", number=found["number"])


def _kept_theme() -> str:
    kept = request.form.get("default_theme")
    return kept if kept is not None else ""


# Views that take a file in the body: nothing may read it before the role check.
UPLOAD_VIEWS = frozenset({"exchange.upload", "exchange.export"})


def _guard_upload() -> Any:
    """Turn away whoever may not exchange data, and a file larger than ``IMPORT_MAX_MB``,
    before anything reads the request's body.

    This runs before every other check (CSRF's reads the form, and so the whole upload), so a
    visitor's large body is never parsed: they are sent to sign in, others refused with 403.
    """
    if request.endpoint not in UPLOAD_VIEWS:
        return None
    user = actor()
    if not can_exchange_data(user):
        if user is None:
            return login_manager.unauthorized()
        abort(403, _("Your role does not allow this."))
    max_mb = float(current_app.config["IMPORT_MAX_MB"])
    # Room for the form's other fields around the file.
    limit = int(max_mb * 1024 * 1024) + 64 * 1024
    if request.content_length is not None and request.content_length > limit:
        abort(
            413,
            _(
                "The file is larger than the %(size)s MB an import may be.",
                size=format(max_mb, "g"),
            ),
        )
    request.max_content_length = limit
    return None


def init_app(app: Flask) -> None:
    """Register the exchange pages and their navigation link, for planners and admins."""
    app.register_blueprint(bp)
    app.before_request_funcs.setdefault(None, []).insert(0, _guard_upload)
    nav.add_link(
        app,
        "exchange.index",
        _l("Exchange"),
        order=70,
        show=lambda user: user.is_authenticated and can_exchange_data(user),
    )
