"""Exploring the register: the map, the list of the same strengths, and the map's features.

The map page carries no strengths: its script asks ``/api/map/features`` for those in view as
the map moves. Both pages read the same filter (``kind``, ``theme``, ``q``) from the URL, and
the map keeps its view in the URL's fragment, so any view can be shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson
from flask import Blueprint, Flask, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from assetmap.domain.funds import pounds
from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, page_window
from assetmap.domain.ties import TieEnd
from assetmap.domain.vocab import Kind, Status, Theme
from assetmap.maps import render
from assetmap.maps.builder import shading_top
from assetmap.maps.explore import explore_map
from assetmap.maps.features import feature_collection
from assetmap.maps.markers import FUNDED_ICON
from assetmap.maps.ties import TieLayers, tie_layers
from assetmap.storage import assets as store
from assetmap.storage import clusters, fund_grants, listing
from assetmap.storage.aggregates import AggregateCache
from assetmap.storage.models import Asset
from assetmap.storage.ties import public_ties
from assetmap.web import db, nav, params
from assetmap.web.area import current_area
from assetmap.web.errors import error_response
from assetmap.web.funds.shown import round_url
from assetmap.web.mapping import map_settings
from assetmap.web.params import BadParameter
from assetmap.web.strengths.freshness import unconfirmed_before

if TYPE_CHECKING:
    import geopandas as gpd

bp = Blueprint("explore", __name__)
CACHE = "assetmap.aggregates"
PER_PAGE = 50
FILTER_ARGS = params.FILTER_ARGS
LIST_ARGS = frozenset({*FILTER_ARGS, "bbox", "sort", "order", "page"})
KIND_LABELS: dict[Kind, Any] = {
    Kind.SKILL: _l("Skills"),
    Kind.GROUP: _l("Groups"),
    Kind.SPACE: _l("Spaces"),
}
# Where a list sort starts when first chosen: the newest confirmation first, else A to Z.
FIRST_ORDER = {"title": "asc", "kind": "asc", "confirmed": "desc"}
WORLD_VIEW = (-180.0, -85.0, 180.0, 85.0)
# The overlay of one strength's ties: fixed words, as the layer control shows names as HTML.
TIES_LAYER = _l("Ties of this strength")
FUNDED_LAYER = _l("Funded projects")


@bp.get("/api/map/features")
def features() -> Response:
    """Answer the strengths in a map view as GeoJSON: each one, or clusters of them."""
    try:
        bbox = params.required_bbox(request.args.get("bbox"))
        zoom = params.zoom(request.args.get("zoom"))
        filters = params.asset_filter(request.args)
    except BadParameter as exc:
        return error_response(400, exc.english, exc.field)
    view = clusters.map_view(db.read_session(), bbox, zoom, filters)
    body = orjson.dumps(feature_collection(view, asset_link, unconfirmed_before()))
    return Response(body, mimetype="application/geo+json")


def asset_link(asset_id: int) -> str:
    """Return the path of a strength's own page."""
    return url_for("pages.asset", asset_id=asset_id)


def aggregates() -> AggregateCache:
    """Return this app's cache of neighbourhood counts."""
    cache: AggregateCache = current_app.extensions[CACHE]
    return cache


@bp.get("/map")
def map_page() -> str:
    """Show the map: filters, neighbourhoods shaded by count, and a layer per kind."""
    filters, area = _page_arguments()
    layer = aggregates().neighbourhoods(db.read_session())
    tied = _tied(request.args.get("ties"))
    bounds = tied.layers.bounds if tied else _first_view(area, layer.total_bounds)
    funded = _funded() if request.args.get("funded") == "1" else None
    fmap = explore_map(
        map_settings(),
        layer,
        bounds=bounds,
        ties=tied.layers if tied else None,
        ties_name=str(TIES_LAYER),
        link=asset_link,
        funded=funded,
        funded_name=str(FUNDED_LAYER),
        round_link=round_url,
    )
    return render_template(
        "explore/map.html",
        map=render(fmap),
        tied=tied,
        funded=funded is not None,
        funded_icon=Markup(FUNDED_ICON),
        neighbourhoods=[(row.name, int(row.assets)) for row in layer.itertuples()],
        top=shading_top(layer),
        theme_labels={theme.value: theme.label for theme in Theme},
        kind_labels={kind.value: str(label) for kind, label in KIND_LABELS.items()},
        **_filter_context(filters),
    )


def _funded() -> gpd.GeoDataFrame:
    """Return the funded projects as the map's layer draws them, each saying what it was."""
    layer = fund_grants.funded_points(db.read_session())
    layer["note"] = [
        _(
            "Funded: %(amount)s from %(round)s",
            amount=pounds(row.amount_pence),
            round=row.round_title,
        )
        for row in layer.itertuples()
    ]
    return layer


@dataclass(frozen=True)
class Tied:
    """The strength whose ties the map shows, its public ties, and their layers."""

    asset: Asset
    ends: list[TieEnd]
    layers: TieLayers


def _tied(text: str | None) -> Tied | None:
    """Return the strength ``?ties=<id>`` asks for with its public ties; 400 or 404 if none."""
    if text is None:
        return None
    if not text.isdigit() or len(text) > 9:
        abort(
            400, _("ties must be a strength's id, such as ties=12; got “%(got)s”.", got=text[:20])
        )
    session = db.read_session()
    asset = store.get_asset(session, int(text))
    if asset is None or asset.status is not Status.PUBLISHED:
        abort(404, _("Asset %(id)s doesn't exist or isn't public.", id=text))
    ends = public_ties(session, asset.id)
    found = store.get_assets(session, [end.asset_id for end in ends])
    themes = {n: other.themes for n, other in found.items()} | {asset.id: asset.themes}
    focus = {
        "id": asset.id,
        "kind": asset.kind.value,
        "title": asset.title,
        "lon": asset.public_lon,
        "lat": asset.public_lat,
    }
    return Tied(asset, ends, tie_layers(focus, ends, themes))


@bp.get("/list")
def list_page() -> str:
    """List the strengths the map would show, as a sortable, paginated table."""
    filters, area = _page_arguments()
    sort, order, page = _list_arguments()
    found = listing.list_page(
        db.read_session(),
        filters,
        bbox=area,
        sort=sort,
        descending=order == "desc",
        page=page,
        per_page=PER_PAGE,
    )
    if found.page > found.pages:
        message = _(
            "There is no page %(page)s: the list has %(pages)s.", page=found.page, pages=found.pages
        )
        abort(404, message)
    return render_template(
        "explore/list.html",
        found=found,
        sort=sort,
        order=order,
        area=area,
        pages=page_window(found.page, found.pages),
        map_url=_here("explore.map_page", sort=None, order=None, page=None),
        everywhere_url=_here(bbox=None, page=None),
        sort_url=lambda column: _here(sort=column, order=_next_order(column, sort, order), page=1),
        page_url=lambda number: _here(page=number),
        **_filter_context(filters),
    )


def _next_order(column: str, sort: str, order: str) -> str:
    if column != sort:
        return FIRST_ORDER[column]
    return "desc" if order == "asc" else "asc"


def _here(endpoint: str | None = None, **changes: Any) -> str:
    """Return this page's URL (or another page's) with some query parameters changed or dropped.

    Only the list's own parameters are carried over: any other name, such as url_for's
    ``_external`` or ``_scheme``, is dropped rather than passed to url_for.
    """
    args: dict[str, Any] = {
        name: values for name, values in request.args.lists() if name in LIST_ARGS
    }
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    return url_for(endpoint or str(request.endpoint), **args)


def _page_arguments() -> tuple[AssetFilter, BBox | None]:
    text = request.args.get("bbox")
    try:
        return params.asset_filter(request.args), params.bbox(text) if text else None
    except BadParameter as exc:
        abort(400, exc.message)


def _list_arguments() -> tuple[str, str, int]:
    """Return the list's ``sort``, ``order`` and ``page``; an order not given starts where the
    column's sort does (``FIRST_ORDER``)."""
    args = request.args
    try:
        sort = params.sort(args.get("sort", "title"))
        order = params.order(args.get("order", FIRST_ORDER[sort]))
        return sort, order, params.page(args.get("page", "1"))
    except BadParameter as exc:
        abort(400, exc.message)


def _filter_context(filters: AssetFilter) -> dict[str, Any]:
    """Return what both pages' filter forms and cross links need."""
    shared = {name: request.args.getlist(name) for name in FILTER_ARGS}
    return {
        "filters": filters,
        "filter_query": urlencode(
            [(name, value) for name, values in shared.items() for value in values]
        ),
        "q": request.args.get("q", ""),
        "kinds": list(Kind),
        "themes": list(Theme),
        "kind_label": KIND_LABELS,
        "filter_args": shared,
        "filtered": bool(filters.kinds or filters.themes or filters.words),
    }


def _first_view(
    area: BBox | None, neighbourhoods: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Return the box a map opens on: the one asked for, the area, or the neighbourhoods."""
    if area is not None:
        return area.as_tuple()
    served = current_area()
    if served is not None:
        return served.bbox.as_tuple()
    if all(abs(value) < float("inf") for value in neighbourhoods):
        return tuple(float(value) for value in neighbourhoods)  # type: ignore[return-value]
    return WORLD_VIEW


def init_app(app: Flask) -> None:
    """Register the map, the list and the features endpoint, and add them to the navigation."""
    app.extensions[CACHE] = AggregateCache(sessions=db.database(app).session)
    app.register_blueprint(bp)
    nav.add_link(app, "explore.map_page", _l("Map"), order=10)
    nav.add_link(app, "explore.list_page", _l("List"), order=11)
