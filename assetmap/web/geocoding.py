"""The app's geocoder: the gazetteer held in the database.

It finds places by name, and says in words where a public point is: the street or place
nearest it, and the neighbourhood it lies in.
"""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import orm

from assetmap.domain.i18n import N_, locale
from assetmap.domain.places import Geocoder, Place
from assetmap.storage import places as gazetteer
from assetmap.storage.models import Neighbourhood
from assetmap.storage.neighbourhoods import locate
from assetmap.web import db

# Up to this far (metres) a point is "near" a street or place; beyond it, the distance is said.
NEAR_M = 500.0


class _Gazetteer:
    """The stored gazetteer, each answer read on a short session of its own: read through the
    request's session, a lookup would begin its transaction as a reader, and a change the
    request then makes (a strength moved to a typed place) would no longer start as a writer."""

    def lookup(self, text: str, limit: int = 5) -> list[Place]:
        """Return places matching ``text``: a postcode exactly, else names exact, then partial."""
        with db.database().session() as session:
            return gazetteer.lookup_places(session, text, limit)


def geocoder() -> Geocoder:
    """Return the app's geocoder: the gazetteer held in the database."""
    return _Gazetteer()


def nearest_place(lon: float, lat: float) -> tuple[Place, float] | None:
    """Return the street or place nearest ``(lon, lat)`` (EPSG:4326) and its distance in metres.

    None where the gazetteer holds no named places to measure to.
    """
    with db.database().session() as session:
        return gazetteer.nearest_place(session, lon, lat)


def whereabouts(session: orm.Session, lon: float, lat: float) -> str | None:
    """Say where a public point (EPSG:4326) is, in words; None if nothing named is known.

    Give it only a point the public may see: the words name what lies nearest the point given.
    """
    return in_words(*_nearest(session, lon, lat))


def whereabouts_marked(session: orm.Session, lon: float, lat: float) -> Markup | None:
    """Say where a public point is, as ``whereabouts`` does, for a page: the names of places
    and neighbourhoods, which are never translated, are marked ``translate="no"``."""
    words = in_words(*_nearest(session, lon, lat), mark=untranslated)
    return Markup(words) if words is not None else None


def _nearest(
    session: orm.Session, lon: float, lat: float
) -> tuple[tuple[Place, float] | None, str | None]:
    area_id = locate(session, [lon], [lat])[0]
    area = session.get(Neighbourhood, area_id) if area_id is not None else None
    return gazetteer.nearest_place(session, lon, lat), area.name if area else None


def untranslated(name: object) -> Markup:
    """Return a name from the data (a place, a neighbourhood, a person) marked for a page as
    never to be translated."""
    return Markup('<span translate="no">%s</span>') % name


def in_words(
    nearest: tuple[Place, float] | None,
    neighbourhood: str | None,
    mark: Callable[[str], str] = str,
) -> str | None:
    """Return "Near Cheap Street, in the Market neighbourhood", or as much of it as is known.

    ``mark`` wraps each name; a name marked as HTML (``Markup``) keeps its markup, and the
    words around it are escaped.
    """
    html = mark is not str
    say: Callable[..., str] = (lambda msgid, **v: escape(_(msgid)) % v) if html else _
    if nearest is None:
        if not neighbourhood:
            return None
        return say(N_("In the %(neighbourhood)s neighbourhood"), neighbourhood=mark(neighbourhood))
    place, metres = nearest
    name = mark(place.name)
    if metres <= NEAR_M:
        if neighbourhood:
            return say(
                N_("Near %(place)s, in the %(neighbourhood)s neighbourhood"),
                place=name,
                neighbourhood=mark(neighbourhood),
            )
        return say(N_("Near %(place)s"), place=name)
    pattern = "#,##0.0" if metres < 10_000 else "#,##0"
    kilometres = format_decimal(metres / 1000, format=pattern, locale=locale())
    if neighbourhood:
        return say(
            N_("About %(distance)s km from %(place)s, in the %(neighbourhood)s neighbourhood"),
            distance=kilometres,
            place=name,
            neighbourhood=mark(neighbourhood),
        )
    return say(N_("About %(distance)s km from %(place)s"), distance=kilometres, place=name)
