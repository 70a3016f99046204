"""What's on: the next sessions of the groups that meet, near a place or in a neighbourhood.

A page (``/whats-on``) lists them by day with a map, and a calendar feed (``/whats-on.ics``)
carries the same search's groups as recurring events to subscribe to. Both are GET and read
their search from the URL; neither shows anything of a skill.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from assetmap.domain.geo import bbox_around
from assetmap.domain.schedules import CalendarEntry
from assetmap.domain.vocab import Theme
from assetmap.domain.whatson import SESSIONS_MAX, Candidate, WhatsOn, When, Window
from assetmap.exchange.calendars import write_calendar
from assetmap.maps import MapParts, render
from assetmap.maps.whatson import places_layer, whatson_map
from assetmap.runtime.links import external_url
from assetmap.services.calendars import entries_of
from assetmap.storage import whatson as store
from assetmap.web import db, nav
from assetmap.web.area import current_area
from assetmap.web.explore.whatson_form import (
    WHERE_CHOICES,
    Asked,
    WhatsOnForm,
    distance_in_words,
    radius_choices,
)
from assetmap.web.mapping import map_settings

bp = Blueprint("whatson", __name__)
# The most sessions the page lists.
SESSIONS_LISTED = SESSIONS_MAX
# The most recurring events one feed carries.
FEED_MAX = 500
# How long a browser or calendar may keep the feed before asking again, in seconds.
FEED_MAX_AGE_S = 3600


def now() -> dt.datetime:
    """Return the real time: what's on is always from now."""
    return dt.datetime.now(dt.UTC)


def _filters(asked: Asked) -> dict[str, Any]:
    """Return a search's filters as the store takes them."""
    return {
        "neighbourhood_id": asked.neighbourhood.id if asked.neighbourhood else None,
        "near": asked.near,
        "themes": asked.themes,
        "words": asked.words,
    }


@bp.get("/whats-on")
def page() -> tuple[str, int]:
    """Show the search form and the sessions it finds: by day in a list, and on a map."""
    session = db.session()
    areas = store.neighbourhood_boxes(session)
    form = WhatsOnForm.from_args(request.args)
    asked = form.resolve(areas)
    found = _sessions(session, asked) if asked else None
    page = render_template(
        "explore/whatson.html",
        form=form,
        asked=asked,
        found=found,
        areas=areas,
        whens=list(When),
        where_choices=WHERE_CHOICES,
        radius_choices=radius_choices(),
        themes=list(Theme),
        map=_map(asked, found.groups if found else []),
        feed=_feed_links() if asked else None,
        distance_in_words=distance_in_words,
        where_words=lambda asked: asked.where_marked() if asked else "",
    )
    return page, 400 if form.errors else 200


def _sessions(session: orm.Session, asked: Asked) -> WhatsOn:
    window = Window.of(asked.when, now())
    return store.soonest(session, window, most=SESSIONS_LISTED, **_filters(asked))


def _map(asked: Asked | None, groups: list[Candidate]) -> MapParts:
    origin = None
    fallback = _area_box()
    if asked is not None and asked.near is not None:
        near = asked.near
        origin = (near.lon, near.lat, asked.place, near.radius_m)
        fallback = bbox_around(near.lon, near.lat, near.radius_m).as_tuple()
    elif asked is not None and asked.neighbourhood is not None:
        fallback = asked.neighbourhood.bbox.as_tuple()
    fmap = whatson_map(
        map_settings(),
        places_layer(groups),
        fallback=fallback,
        link=lambda asset_id: url_for("pages.asset", asset_id=asset_id),
        origin=origin,
    )
    return render(fmap)


def _area_box() -> tuple[float, float, float, float]:
    area = current_area()
    return area.bbox.as_tuple() if area else (-180.0, -85.0, 180.0, 85.0)


def _feed_args() -> dict[str, list[str]]:
    # The feed carries every session of the groups found, so "when" has no part in it.
    return {
        name: request.args.getlist(name)
        for name in ("where", "neighbourhood", "place", "radius", "theme", "q")
        if request.args.get(name)
    }


def _feed_links() -> dict[str, str]:
    url = external_url("whatson.feed", **_feed_args())
    return {"http": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@bp.get("/whats-on.ics")
def feed() -> Response:
    """Answer the search's groups as a calendar to subscribe to: a recurring event for each
    of their schedules."""
    session = db.session()
    form = WhatsOnForm.from_args(request.args)
    asked = form.resolve(store.neighbourhood_boxes(session))
    if asked is None:
        abort(400, " ".join(message for messages in form.errors.values() for message in messages))
    entries = calendar_entries(store.candidates(session, most=FEED_MAX, **_filters(asked)))
    where = asked.where_in_words
    name = _("What's on %(where)s", where=where) if where else _("What's on")
    body = write_calendar(entries, name=name, description=_feed_description(asked))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="whats-on.ics"'
    response.cache_control.public = True
    response.cache_control.max_age = FEED_MAX_AGE_S
    # Its name and words are in the reader's language.
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _feed_description(asked: Asked) -> str:
    where = asked.where_in_words
    lines = [_("Groups that meet %(where)s.", where=where) if where else _("Groups that meet.")]
    if asked.themes:
        themes = ", ".join(sorted(theme.label for theme in asked.themes))
        lines.append(_("About %(themes)s.", themes=themes))
    if asked.words:
        lines.append(_("Matching ‘%(words)s’.", words=" ".join(asked.words)))
    return " ".join(lines)


def calendar_entries(groups: list[Candidate]) -> list[CalendarEntry]:
    """Return a calendar entry for each schedule of each group, by group then position: the
    same events, with the same ids, as the group's own calendar file."""
    entries = []
    for group in groups:
        lon, lat = group.point
        name = group.places[0].title if group.places else group.title
        updated = group.updated or now()
        entries += entries_of(
            group.asset_id,
            group.title,
            group.description,
            group.schedules,
            (name, lon, lat),
            updated,
        )
    return entries


def init_app(app: Flask) -> None:
    """Register what's on: the page and its calendar feed."""
    app.register_blueprint(bp)
    nav.add_link(app, "whatson.page", _l("What's on"), order=15)
