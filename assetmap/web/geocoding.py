"""The app's geocoder: the gazetteer held in the database.

It finds places by name, and says in words where a public point is: the street or place
nearest it, and the neighbourhood it lies in.
"""

from __future__ import annotations

from sqlalchemy import orm

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
    area_id = locate(session, [lon], [lat])[0]
    area = session.get(Neighbourhood, area_id) if area_id is not None else None
    return in_words(gazetteer.nearest_place(session, lon, lat), area.name if area else None)


def in_words(nearest: tuple[Place, float] | None, neighbourhood: str | None) -> str | None:
    """Return "Near Cheap Street, in the Market neighbourhood", or as much of it as is known."""
    parts = []
    if nearest is not None:
        place, metres = nearest
        parts.append(f"near {place.name}" if metres <= NEAR_M else f"{_far(metres)} {place.name}")
    if neighbourhood:
        parts.append(f"in the {neighbourhood} neighbourhood")
    if not parts:
        return None
    words = ", ".join(parts)
    return words[:1].upper() + words[1:]


def _far(metres: float) -> str:
    kilometres = metres / 1000
    return (
        f"about {kilometres:.1f} km from" if kilometres < 10 else f"about {kilometres:.0f} km from"
    )
