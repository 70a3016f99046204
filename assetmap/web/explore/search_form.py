"""The coaches' search form: from where, how far, and which strengths, as typed and checked.

The search lives in the URL (a GET form), so a coach can bookmark it, share it and print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm
from werkzeug.datastructures import MultiDict

from assetmap.domain.places import Place
from assetmap.domain.query import RADIUS_MAX_M, AssetFilter
from assetmap.storage.neighbourhoods import neighbourhood_layer
from assetmap.web import params
from assetmap.web.explore.whatson_form import distance_in_words
from assetmap.web.geocoding import geocoder
from assetmap.web.params import BadParameter

RADIUS_CHOICES: tuple[tuple[str, Any], ...] = (
    ("400", _l("About a 5 minute walk")),
    ("800", _l("About a 10 minute walk")),
    ("1600", _l("About a 20 minute walk")),
)
# What the form says beside a filter it can't use; a bad ``q`` says what is wrong with it.
_FILTER_ERRORS: dict[str, Any] = {
    "kind": _l("Choose skills, groups or spaces"),
    "theme": _l("Choose themes from the list"),
}
FIELDS = ("where", "place", "neighbourhood", "at", "radius", "other_radius", "kind", "theme", "q")


def radius_choices() -> list[tuple[str, str, str]]:
    """Return each distance to choose: its value, how the reader writes it ("1,6 km"), and how
    long it takes to walk."""
    return [(value, distance_in_words(float(value)), str(walk)) for value, walk in RADIUS_CHOICES]


@dataclass(frozen=True)
class Origin:
    """Where a search measures from (EPSG:4326).

    ``named`` says the label is a name from the data (a place or a neighbourhood), which pages
    never translate, rather than words of the interface ("the point 51.2, -2.3").
    """

    label: str
    lon: float
    lat: float
    named: bool = True


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
                self.refuse("neighbourhood", _("Choose a neighbourhood"))
            return area, ()
        if self.where == "point":
            return self._point(), ()
        return self._place()

    def _point(self) -> Origin | None:
        try:
            lon, lat = params.near(self.at)
        except BadParameter:
            self.refuse("at", _("Click the map where the search should start"))
            return None
        point = f"{lat:.5f}, {lon:.5f}"
        return Origin(_("the point %(point)s", point=point), lon, lat, named=False)

    def _place(self) -> tuple[Origin | None, tuple[Place, ...]]:
        try:
            found = geocoder().lookup(self.place, limit=6)
        except ValueError as exc:
            text = str(exc)
            self.refuse("place", text[:1].upper() + text[1:])
            return None, ()
        if not found:
            self.refuse(
                "place",
                _(
                    "No postcode, street or place called ‘%(text)s’ was found; "
                    "check the spelling or try a postcode",
                    text=self.place.strip(),
                ),
            )
            return None, ()
        best = found[0]
        return Origin(best.name, best.lon, best.lat), tuple(found[1:])

    def _radius(self) -> float | None:
        text = self.other_radius if self.radius == "other" else self.radius
        if self.radius != "other" and text not in {value for value, _walk in RADIUS_CHOICES}:
            self.refuse("radius", _("Choose how far to look"))
            return None
        try:
            return params.radius(text.strip().removesuffix("m").strip())
        except BadParameter:
            self.refuse(
                "other_radius",
                _(
                    "Enter a distance in metres, more than 0 and at most %(most)s",
                    most=int(RADIUS_MAX_M),
                ),
            )
            return None

    def _filters(self) -> AssetFilter | None:
        try:
            kinds = params.kinds(self.kinds)
            themes = params.themes(self.themes)
            words = params.words(self.q)
        except BadParameter as exc:
            known = _FILTER_ERRORS.get(exc.field)
            self.refuse(exc.field, str(known) if known else params.words_error(exc.message))
            return None
        return AssetFilter(kinds=kinds, themes=themes, words=words)


def neighbourhood_centres(session: orm.Session) -> dict[int, Origin]:
    """Return each neighbourhood's name and the centre of its polygon, by id."""
    import geopandas as gpd

    layer = neighbourhood_layer(session)
    if layer.empty:
        return {}
    # Centres are computed in metres (the local UTM zone), then returned in EPSG:4326.
    centres = gpd.GeoSeries(layer.to_crs(layer.estimate_utm_crs()).centroid).to_crs(4326)
    return {
        int(area_id): Origin(str(name), float(centre.x), float(centre.y))
        for area_id, name, centre in zip(layer["id"], layer["name"], centres, strict=True)
    }
