"""The coaches' search: strengths near a place, nearest first, on a map and in a list.

The search lives in the URL (a GET form), so a coach can bookmark it, share it and print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import geopandas as gpd
from flask import Blueprint, Flask, current_app, render_template, request, url_for
from sqlalchemy import orm
from werkzeug.datastructures import MultiDict

from assetmap.config import area_bbox
from assetmap.domain.geo import bbox_around, check_lon_lat
from assetmap.domain.permissions import Actor, can_record_connection
from assetmap.domain.places import Place
from assetmap.domain.privacy import public_record
from assetmap.domain.query import AssetFilter, check_radius, split_words
from assetmap.domain.vocab import Kind, Theme
from assetmap.maps.builder import MapParts, add_point, new_map, render
from assetmap.storage import assets as store
from assetmap.storage.models import utcnow
from assetmap.storage.neighbourhoods import neighbourhood_layer
from assetmap.web import db, nav
from assetmap.web.auth import actor
from assetmap.web.geocoding import geocoder
from assetmap.web.mapping import map_settings
from assetmap.web.results import Result, annotate, result_features

bp = Blueprint("search", __name__)
RESULTS_MAX = 50
RADIUS_CHOICES = (
    ("400", "400 m", "About a 5 minute walk"),
    ("800", "800 m", "About a 10 minute walk"),
    ("1600", "1.6 km", "About a 20 minute walk"),
)
FIELDS = ("where", "place", "neighbourhood", "at", "radius", "other_radius", "kind", "theme", "q")


@dataclass(frozen=True)
class Origin:
    """Where a search measures from (EPSG:4326)."""

    label: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Search:
    """A search ready to run: from where, how far, and which strengths."""

    origin: Origin
    radius_m: float
    filters: AssetFilter
    also: tuple[Place, ...] = ()


@dataclass
class SearchForm:
    """What the person asked for, as typed, and what was wrong with it."""

    where: str = "place"
    place: str = ""
    neighbourhood: str = ""
    at: str = ""
    radius: str = "800"
    other_radius: str = ""
    kinds: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    q: str = ""
    submitted: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> SearchForm:
        """Read the form from a query string."""
        return cls(
            where=args.get("where", "place"),
            place=args.get("place", "")[:200],
            neighbourhood=args.get("neighbourhood", ""),
            at=args.get("at", ""),
            radius=args.get("radius", "800"),
            other_radius=args.get("other_radius", "")[:40],
            kinds=args.getlist("kind"),
            themes=args.getlist("theme"),
            q=args.get("q", "")[:400],
            submitted=any(name in args for name in FIELDS),
        )

    def __contains__(self, name: object) -> bool:
        # The error summary links each message to the field of that name.
        return False

    def refuse(self, name: str, message: str) -> None:
        """Record what is wrong with a field, to be shown beside it."""
        self.errors.setdefault(name, []).append(message)

    def resolve(self, areas: dict[int, Origin]) -> Search | None:
        """Return the search asked for, or None after recording each field's problem."""
        origin, also = self._origin(areas)
        radius = self._radius()
        filters = self._filters()
        if self.errors or origin is None or radius is None or filters is None:
            return None
        return Search(origin, radius, filters, also)

    def _origin(self, areas: dict[int, Origin]) -> tuple[Origin | None, tuple[Place, ...]]:
        if self.where == "neighbourhood":
            chosen = self.neighbourhood
            area = areas.get(int(chosen)) if chosen.isdigit() and len(chosen) < 10 else None
            if area is None:
                self.refuse("neighbourhood", "Choose a neighbourhood")
            return area, ()
        if self.where == "point":
            return self._point(), ()
        return self._place()

    def _point(self) -> Origin | None:
        try:
            lon_text, lat_text = self.at.split(",")
            lon, lat = check_lon_lat(lon_text, lat_text)
        except ValueError:
            self.refuse("at", "Click the map where the search should start")
            return None
        return Origin(f"the point {lat:.5f}, {lon:.5f}", lon, lat)

    def _place(self) -> tuple[Origin | None, tuple[Place, ...]]:
        try:
            found = geocoder().lookup(self.place, limit=6)
        except ValueError as exc:
            self.refuse("place", f"{str(exc)[:1].upper()}{str(exc)[1:]}")
            return None, ()
        if not found:
            self.refuse(
                "place",
                f"No postcode, street or place called ‘{self.place.strip()}’ was found; "
                "check the spelling or try a postcode",
            )
            return None, ()
        best = found[0]
        return Origin(best.name, best.lon, best.lat), tuple(found[1:])

    def _radius(self) -> float | None:
        text = self.other_radius if self.radius == "other" else self.radius
        if self.radius != "other" and text not in {value for value, _, _ in RADIUS_CHOICES}:
            self.refuse("radius", "Choose how far to look")
            return None
        try:
            return check_radius(float(text.strip().removesuffix("m").strip()))
        except ValueError:
            self.refuse(
                "other_radius", "Enter a distance in metres, more than 0 and at most 100000"
            )
            return None

    def _filters(self) -> AssetFilter | None:
        try:
            kinds = AssetFilter.parse(kinds=self.kinds).kinds
        except ValueError:
            self.refuse("kind", "Choose skills, groups or spaces")
            return None
        try:
            themes = AssetFilter.parse(themes=self.themes).themes
        except ValueError:
            self.refuse("theme", "Choose themes from the list")
            return None
        try:
            words = split_words(self.q)
        except ValueError as exc:
            self.refuse("q", f"Words {str(exc).removeprefix('q ')}")
            return None
        return AssetFilter(kinds=kinds, themes=themes, words=words)


def neighbourhood_centres(session: orm.Session) -> dict[int, Origin]:
    """Return each neighbourhood's name and the centre of its polygon, by id."""
    layer = neighbourhood_layer(session)
    if layer.empty:
        return {}
    # Centres are computed in metres (the local UTM zone), then returned in EPSG:4326.
    centres = gpd.GeoSeries(layer.to_crs(layer.estimate_utm_crs()).centroid).to_crs(4326)
    return {
        int(area_id): Origin(str(name), float(centre.x), float(centre.y))
        for area_id, name, centre in zip(layer["id"], layer["name"], centres, strict=True)
    }


def run(session: orm.Session, search: Search, viewer: Actor | None) -> list[Result]:
    """Return the strengths a search finds, nearest first, as the viewer may see them."""
    origin = search.origin
    found = store.assets_near(
        session, origin.lon, origin.lat, search.radius_m, search.filters, RESULTS_MAX
    )
    return annotate(session, found, viewer)


def search_map(search: Search | None, results: list[Result]) -> MapParts:
    """Return the map: the search's circle fitted to what it found, or the area before one."""
    settings = map_settings()
    if search is None:
        area = area_bbox(current_app.config)
        return render(new_map(settings, bounds=area.as_tuple() if area else None, zoom=13))
    origin = search.origin
    fmap = new_map(settings, bounds=_bounds(origin, search.radius_m, results))
    add_point(fmap, origin.lon, origin.lat, label=origin.label, radius_m=search.radius_m)
    return render(fmap)


def _bounds(
    origin: Origin, radius_m: float, results: list[Result]
) -> tuple[float, float, float, float]:
    # The nearest strengths often lie well inside the circle: show them, and the origin.
    if not results:
        return bbox_around(origin.lon, origin.lat, radius_m).as_tuple()
    reach = max(max(result.item.distance_m or 0.0 for result in results) * 1.1, 150.0)
    return bbox_around(origin.lon, origin.lat, min(reach, radius_m)).as_tuple()


@dataclass(frozen=True)
class Asked:
    """A request's search: the form as typed, and what it found."""

    form: SearchForm
    areas: dict[int, Origin]
    search: Search | None
    results: list[Result]


def _asked() -> Asked:
    session = db.session()
    form = SearchForm.from_args(request.args)
    areas = neighbourhood_centres(session)
    search = form.resolve(areas) if form.submitted else None
    results = run(session, search, actor()) if search else []
    return Asked(form, areas, search, results)


def _render(template: str, asked: Asked, **extra: Any) -> tuple[str, int]:
    page = render_template(
        template,
        form=asked.form,
        areas=asked.areas,
        search=asked.search,
        results=asked.results,
        kinds=list(Kind),
        themes=list(Theme),
        radius_choices=RADIUS_CHOICES,
        can_connect=can_record_connection(actor()),
        **extra,
    )
    return page, 400 if asked.form.errors else 200


@bp.get("/search")
def search_page() -> tuple[str, int]:
    """Show the search form and, once asked, the strengths found on a map and in a list."""
    asked = _asked()
    return _render(
        "search/index.html",
        asked,
        features=result_features(asked.results),
        map=search_map(asked.search, asked.results),
        api_url=api_url(asked.search),
        also=[(place.name, _with_place(place.name)) for place in _also(asked.search)],
    )


def _also(search: Search | None) -> tuple[Place, ...]:
    return search.also if search else ()


def _with_place(name: str) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("where", "place")]
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
    """Show the strengths found as a plain list to print and hand over: no contacts on it."""
    asked = _asked()
    session = db.session()
    details = {}
    for result in asked.results:
        asset = store.get_asset(session, result.item.id)
        if asset is not None:
            details[asset.id] = public_record(store.record_of(asset))
    return _render("search/print.html", asked, details=details, today=utcnow().date())


def init_app(app: Flask) -> None:
    """Register the search pages."""
    app.register_blueprint(bp)
    nav.add_link(app, "search.search_page", "Search", order=10)
