"""The coaches' search: strengths near a place, nearest first, on a map and in a list.

The search lives in the URL (a GET form), so a coach can bookmark it, share it and print it.
It says how many strengths it found in all, and lists them a page at a time; the map shows the
page the list shows, numbered alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from assetmap.domain.geo import bbox_around
from assetmap.domain.permissions import Actor, can_record_connection
from assetmap.domain.places import Place
from assetmap.domain.privacy import public_record
from assetmap.domain.query import LIMIT_MAX, page_window
from assetmap.domain.vocab import Kind, Theme
from assetmap.maps import MapParts, add_origin, new_map, render
from assetmap.storage import assets as store
from assetmap.storage import paging
from assetmap.storage.models import utcnow
from assetmap.web import db, nav, params
from assetmap.web.accounts.auth import actor
from assetmap.web.area import current_area
from assetmap.web.explore.results import Result, annotate, result_features
from assetmap.web.explore.search_form import (
    Origin,
    Search,
    SearchForm,
    neighbourhood_centres,
    radius_choices,
)
from assetmap.web.mapping import map_settings
from assetmap.web.params import BadParameter

bp = Blueprint("search", __name__)
PER_PAGE = 50


@dataclass(frozen=True)
class Found:
    """One page of the strengths a search found, and how many it found in all.

    The nearest ``LIMIT_MAX`` can be listed, as through the API; ``total`` counts every one.
    """

    results: list[Result]
    total: int
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def listable(self) -> int:
        """Return how many of the strengths found can be listed."""
        return min(self.total, LIMIT_MAX)

    @property
    def pages(self) -> int:
        """Return how many pages the listable strengths fill (at least one)."""
        return max(1, -(-self.listable // self.per_page))

    @property
    def first(self) -> int:
        """Return the rank, nearest first, of the page's first strength."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        """Return the rank of the page's last strength."""
        return self.first + len(self.results) - 1


NOTHING = Found([], 0)


def run(
    session: orm.Session,
    search: Search,
    viewer: Actor | None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Found:
    """Return a page of what a search finds, nearest first, as the viewer may see it.

    A page past the last is answered with 404, saying how many pages there are.
    """
    origin = search.origin
    total = store.count_near(session, origin.lon, origin.lat, search.radius_m, search.filters)
    found = Found([], total, page, per_page)
    if page > found.pages:
        message = _(
            "This search has %(pages)s pages of results, so there is no page %(page)s.",
            pages=found.pages,
            page=page,
        )
        abort(404, message)
    items = paging.near_slice(
        session, origin.lon, origin.lat, search.radius_m, search.filters, found.first - 1, per_page
    )
    return Found(annotate(session, items, viewer), total, page, per_page)


def page_number() -> int:
    """Return the page the query string asks for: the first unless it names another."""
    try:
        return params.results_page(request.args.get("page"))
    except BadParameter as exc:
        abort(400, exc.message)


def search_map(search: Search | None, found: Found) -> MapParts:
    """Return the map: the search's circle fitted to the page shown, or the area before one."""
    settings = map_settings()
    if search is None:
        area = current_area()
        return render(new_map(settings, bounds=area.bbox.as_tuple() if area else None, zoom=13))
    origin = search.origin
    fmap = new_map(settings, bounds=_bounds(origin, search.radius_m, found.results))
    add_origin(fmap, origin.lon, origin.lat, label=origin.label, radius_m=search.radius_m)
    return render(fmap)


def _bounds(
    origin: Origin, radius_m: float, results: list[Result]
) -> tuple[float, float, float, float]:
    # The nearest strengths often lie well inside the circle: show them, and the origin.
    if not results:
        return bbox_around(origin.lon, origin.lat, radius_m).as_tuple()
    reach = max(max(result.item.distance_m or 0.0 for result in results) * 1.1, 150.0)
    return bbox_around(origin.lon, origin.lat, min(reach, radius_m)).as_tuple()


def _with_page(number: int) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    query = urlencode([*kept, *([("page", str(number))] if number > 1 else [])])
    return f"{url_for('search.search_page')}?{query}#results"


@dataclass(frozen=True)
class Asked:
    """A request's search: the form as typed, and what it found."""

    form: SearchForm
    areas: dict[int, Origin]
    search: Search | None
    found: Found


def _asked(page: int = 1, per_page: int = PER_PAGE) -> Asked:
    session = db.read_session()
    form = SearchForm.from_args(request.args)
    areas = neighbourhood_centres(session)
    search = form.resolve(areas) if form.submitted else None
    found = run(session, search, actor(), page, per_page) if search else NOTHING
    return Asked(form, areas, search, found)


def _render(template: str, asked: Asked, **extra: Any) -> tuple[str, int]:
    page = render_template(
        template,
        form=asked.form,
        areas=asked.areas,
        search=asked.search,
        found=asked.found,
        results=asked.found.results,
        kinds=list(Kind),
        themes=list(Theme),
        radius_choices=radius_choices(),
        can_connect=can_record_connection(actor()),
        **extra,
    )
    return page, 400 if asked.form.errors else 200


@bp.get("/search")
def search_page() -> tuple[str, int]:
    """Show the search form and, once asked, a page of the strengths found: map and list."""
    asked = _asked(page_number())
    found = asked.found
    return _render(
        "search/index.html",
        asked,
        features=result_features(found.results, start=found.first),
        map=search_map(asked.search, found),
        api_url=api_url(asked.search),
        also=[(place.name, _with_place(place.name)) for place in _also(asked.search)],
        pages=page_window(found.page, found.pages),
        page_url=_with_page,
        print_url=_printed(),
    )


def _printed() -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return f"{url_for('search.print_page')}?{urlencode(kept)}"


def _also(search: Search | None) -> tuple[Place, ...]:
    return search.also if search else ()


def _with_place(name: str) -> str:
    dropped = ("where", "place", "page")
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in dropped]
    query = urlencode([*kept, ("where", "place"), ("place", name)])
    return f"{url_for('search.search_page')}?{query}"


def api_url(search: Search | None) -> str | None:
    """Return the API address that answers the same search as GeoJSON."""
    if search is None:
        return None
    origin, filters = search.origin, search.filters
    return url_for(
        "api.list_assets",
        near=f"{origin.lon:.6f},{origin.lat:.6f}",
        radius=f"{search.radius_m:g}",
        kind=sorted(filters.kinds),
        theme=sorted(filters.themes),
        q=" ".join(filters.words) or None,
    )


@bp.get("/search/print")
def print_page() -> tuple[str, int]:
    """Show every strength found that can be listed, as a plain list to print and hand over.

    No contacts are on it.
    """
    asked = _asked(per_page=LIMIT_MAX)
    found = store.get_assets(db.read_session(), [result.item.id for result in asked.found.results])
    details = {asset_id: public_record(store.record_of(asset)) for asset_id, asset in found.items()}
    return _render("search/print.html", asked, details=details, today=utcnow().date())


def init_app(app: Flask) -> None:
    """Register the search pages."""
    app.register_blueprint(bp)
    nav.add_link(app, "search.search_page", _l("Search"), order=10)
