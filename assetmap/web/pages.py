"""The public pages of the register: the front page and a page for each strength."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import orm

from assetmap.domain.fields import BY_NAME
from assetmap.domain.i18n import _ as say
from assetmap.domain.i18n import format_date
from assetmap.domain.privacy import public_record
from assetmap.domain.provenance import provenance_sentences
from assetmap.domain.vocab import Action, Kind, ShareMode, Status, Theme
from assetmap.domain.whatson import Window
from assetmap.maps import place_map, render
from assetmap.storage import assets as store
from assetmap.storage import listing, stats, whatson
from assetmap.storage.database import is_current
from assetmap.storage.provenance import provenance_of
from assetmap.web import db, nav
from assetmap.web.geocoding import untranslated, whereabouts_marked
from assetmap.web.mapping import map_settings

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Show what the register holds: counts by kind and theme, the newest strengths, and the
    next few sessions of groups today."""
    session = db.session()
    today = Window.today(dt.datetime.now(dt.UTC))
    return render_template(
        "index.html",
        counts=stats.count_by_kind(session),
        themes=stats.count_by_theme(session),
        newest=stats.newest(session, limit=12),
        kinds=list(Kind),
        on_today=whatson.soonest(session, today, most=ON_TODAY_MAX),
    )


# The most sessions "On today" lists on the front page.
ON_TODAY_MAX = 6


@bp.get("/assets/<int:asset_id>")
def asset(asset_id: int) -> str:
    """Show one published strength as the public sees it, on a small map, with its history."""
    session = db.session()
    found = store.get_asset(session, asset_id)
    if found is None or found.status is not Status.PUBLISHED:
        abort(404, _("Asset %(id)s doesn't exist or isn't public.", id=asset_id))
    record = public_record(store.record_of(found))
    # A skill's public point is the centre of its privacy cell; the ring holds the whole cell.
    ring = current_app.config["PRIVACY_CELL_M"] / 2**0.5 if found.kind is Kind.SKILL else None
    place = place_map(
        map_settings(), found.public_lon, found.public_lat, label=found.title, radius_m=ring
    )
    return render_template(
        "asset.html",
        asset=record,
        language=found.language,
        map=render(place),
        where=whereabouts_marked(session, found.public_lon, found.public_lat),
        history=history_rows(listing.history_summary(session, asset_id)),
        provenance=provenance_page(session, asset_id),
    )


def provenance_page(session: orm.Session, asset_id: int) -> list[Markup]:
    """Return where a strength came from and who last assured it, as sentences for a page:
    a source's name, which is data, escaped and marked as never to be translated."""
    found = provenance_of(session, asset_id)
    if found is None:
        return []
    words = provenance_sentences(
        found, say=lambda msgid, **values: escape(say(msgid)) % values, mark=untranslated
    )
    return [Markup(sentence) for sentence in words]


class _HistoryLabels(dict[Action, str]):
    """What each action is called in a history, read in the reader's language when asked."""

    def __getitem__(self, action: Action) -> str:
        return Action(action).label


HISTORY_LABELS = _HistoryLabels.fromkeys(Action, "")


def history_rows(lines: Sequence[listing.HistoryLine]) -> list[tuple[str, str]]:
    """Return a history as rows a person reads: what happened, how often and when."""
    rows = []
    for line in lines:
        last = format_date(line.last)
        if line.times == 1:
            rows.append((HISTORY_LABELS[line.action], _("On %(date)s", date=last)))
        else:
            rows.append(
                (
                    HISTORY_LABELS[line.action],
                    _("%(times)s times, last on %(date)s", times=line.times, date=last),
                )
            )
    return rows


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


def kind_label(value: str) -> str:
    """Return a kind's label from its value ("skill" reads "Skill"), for templates."""
    return Kind(value).label


def share_mode_label(value: str) -> str:
    """Return how a skill is shared from its value ("teach" reads "Teach it"), for templates."""
    return ShareMode(value).label if value in {mode.value for mode in ShareMode} else value


def day(value: dt.date | str | None) -> str:
    """Return a date (or an ISO date) as the reader writes it: "5 February 2027"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return format_date(value)


def field_name(name: str) -> str:
    """Return a strength's field, as a history names it ("share modes"), as the reader reads
    it: the field table's label, in their language; a name the table lacks as it is."""
    field = BY_NAME.get(name.replace(" ", "_"))
    return _(field.label) if field is not None else name


def kind_phrase(kind: str, skill: str, group: str, space: str) -> str:
    """Return the one of three whole messages that speaks of ``kind``: a sentence naming a
    kind is written three times, as languages word each kind differently."""
    return {Kind.SKILL: skill, Kind.GROUP: group, Kind.SPACE: space}[Kind(kind)]


def init_app(app: Flask) -> None:
    """Register the pages."""
    app.register_blueprint(bp)
    app.jinja_env.filters["theme_label"] = theme_label
    app.jinja_env.filters["untranslated"] = untranslated
    app.jinja_env.filters["kind_label"] = kind_label
    app.jinja_env.filters["share_mode_label"] = share_mode_label
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["field_name"] = field_name
    app.jinja_env.globals["kind_phrase"] = kind_phrase
    nav.add_link(app, "pages.index", _l("Home"), order=0)
