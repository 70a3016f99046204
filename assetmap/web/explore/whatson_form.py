"""The what's on form: when, where, themes and words, as typed and checked.

The search lives in the URL (a GET form), so it can be bookmarked, shared and subscribed to as
a calendar. Each field's problem is said beside it, in words a person reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from assetmap.domain.i18n import N_, locale
from assetmap.domain.query import RADIUS_MAX_M
from assetmap.domain.vocab import Theme
from assetmap.domain.whatson import When
from assetmap.storage.whatson import Near, NeighbourhoodBox
from assetmap.web import params
from assetmap.web.geocoding import geocoder, untranslated
from assetmap.web.params import BadParameter

WHERE_CHOICES: tuple[tuple[str, Any], ...] = (
    ("anywhere", _l("Anywhere in the area")),
    ("neighbourhood", _l("In a neighbourhood")),
    ("place", _l("Near a postcode, street or place")),
)
# How far from a place to look, in metres, and how long it takes to walk, where it is a walk.
RADIUS_WALKS: tuple[tuple[str, Any], ...] = (
    ("800", _l("%(distance)s (about a 10 minute walk)")),
    ("1600", _l("%(distance)s (about a 20 minute walk)")),
    ("3000", None),
    ("5000", None),
)
RADIUS_CHOICES: tuple[str, ...] = tuple(value for value, _walk in RADIUS_WALKS)


def radius_choices() -> list[tuple[str, str]]:
    """Return each distance to choose, by its value, as the reader reads it: "1,6 km"."""
    choices = []
    for value, walk in RADIUS_WALKS:
        distance = distance_in_words(float(value))
        choices.append((value, str(walk) % {"distance": distance} if walk else distance))
    return choices


FIELDS = ("when", "where", "neighbourhood", "place", "radius", "theme", "q")


@dataclass(frozen=True)
class Asked:
    """A what's on search ready to run: when, where, and which groups."""

    when: When
    themes: frozenset[Theme]
    words: tuple[str, ...]
    neighbourhood: NeighbourhoodBox | None = None
    near: Near | None = None
    place: str = ""

    @property
    def where_in_words(self) -> str:
        """Return "in the West End neighbourhood", "within 1.6 km of Market Place" or ""."""
        return self.where_said()

    def where_marked(self) -> Markup:
        """Return where, in words, for a page: names from the data marked never to be
        translated."""
        return Markup(self.where_said(untranslated))

    def where_said(self, mark: Callable[[str], str] = str) -> str:
        """Return where, in words, each name wrapped by ``mark`` (``Markup`` keeps its HTML,
        and the words around it are escaped)."""
        html = mark is not str
        say: Callable[..., str] = (lambda msgid, **v: escape(_(msgid)) % v) if html else _
        if self.neighbourhood is not None:
            name = mark(self.neighbourhood.name)
            return say(N_("in the %(neighbourhood)s neighbourhood"), neighbourhood=name)
        if self.near is not None:
            distance = distance_in_words(self.near.radius_m)
            return say(
                N_("within %(distance)s of %(place)s"), distance=distance, place=mark(self.place)
            )
        return ""


def distance_in_words(metres: float) -> str:
    """Return "800 m" or "1.6 km", with the reader's separators."""
    if metres < 1000:
        return _("%(metres)s m", metres=format_decimal(round(metres), locale=locale()))
    kilometres = format_decimal(metres / 1000, format="#,##0.###", locale=locale())
    return _("%(kilometres)s km", kilometres=kilometres)


@dataclass
class WhatsOnForm:
    """What the person asked for, as typed, and what was wrong with it."""

    when: str = When.WEEK.value
    where: str = "anywhere"
    neighbourhood: str = ""
    place: str = ""
    radius: str = "1600"
    themes: list[str] = field(default_factory=list)
    q: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> WhatsOnForm:
        """Read the form from a query string."""
        return cls(
            when=args.get("when", When.WEEK.value)[:20],
            where=args.get("where", "anywhere")[:20],
            neighbourhood=args.get("neighbourhood", "")[:60],
            place=args.get("place", "")[:200],
            radius=args.get("radius", "1600")[:20],
            themes=args.getlist("theme")[:40],
            q=args.get("q", "")[:400],
        )

    def __contains__(self, name: object) -> bool:
        # The error summary links each message to the field of that name.
        return False

    def refuse(self, name: str, message: str) -> None:
        """Record what is wrong with a field, to be shown beside it."""
        self.errors.setdefault(name, []).append(message)

    def resolve(self, areas: dict[str, NeighbourhoodBox]) -> Asked | None:
        """Return the search asked for, or None after recording each field's problem."""
        when = self._when()
        filters = self._filters()
        where = self._where(areas)
        if self.errors or when is None or filters is None or where is None:
            return None
        themes, words = filters
        neighbourhood, near, place = where
        return Asked(when, themes, words, neighbourhood, near, place)

    def _when(self) -> When | None:
        try:
            return When(self.when)
        except ValueError:
            self.refuse("when", _("Choose today, tomorrow, the next 7 days or the weekend"))
            return None

    def _filters(self) -> tuple[frozenset[Theme], tuple[str, ...]] | None:
        try:
            themes = params.themes(self.themes)
        except BadParameter:
            self.refuse("theme", _("Choose themes from the list"))
            return None
        try:
            words = params.words(self.q)
        except BadParameter as exc:
            self.refuse("q", params.words_error(exc.message))
            return None
        return themes, words

    def _where(
        self, areas: dict[str, NeighbourhoodBox]
    ) -> tuple[NeighbourhoodBox | None, Near | None, str] | None:
        if self.where == "anywhere":
            return None, None, ""
        if self.where == "neighbourhood":
            area = areas.get(self.neighbourhood)
            if area is None:
                self.refuse("neighbourhood", _("Choose a neighbourhood from the list"))
                return None
            return area, None, ""
        if self.where == "place":
            return self._place()
        self.refuse("where", _("Choose anywhere, a neighbourhood, or near a place"))
        return None

    def _place(self) -> tuple[None, Near, str] | None:
        radius = self._radius()
        text = self.place.strip()
        if not text:
            self.refuse("place", _("Enter a postcode, street or place, such as Market Place"))
            return None
        try:
            found = geocoder().lookup(text, limit=1)
        except ValueError as exc:
            self.refuse("place", capitalised(exc))
            return None
        if not found:
            self.refuse(
                "place",
                _(
                    "No postcode, street or place called ‘%(text)s’ was found; "
                    "check the spelling or try a postcode",
                    text=text,
                ),
            )
            return None
        if radius is None:
            return None
        best = found[0]
        return None, Near(best.lon, best.lat, radius), best.name

    def _radius(self) -> float | None:
        if self.radius not in RADIUS_CHOICES:
            self.refuse("radius", _("Choose how far from the place to look"))
            return None
        return min(float(self.radius), RADIUS_MAX_M)


def capitalised(message: object) -> str:
    """Return a message as a sentence starts: its first letter a capital."""
    text = str(message)
    return text[:1].upper() + text[1:]
