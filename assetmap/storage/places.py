"""The gazetteer: streets, places and postcodes kept in the ``place`` table, found by name or
by how near they lie to a point.

Names are found by their ``key`` (``assetmap.domain.places.normalise``): exactly, then as its
start, then at the start of a later word. A point's nearest place is looked for in a small box
around it through the (lat, lon) index, the box widening until the answer is certain.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import bbox_around, check_lon_lat, distances_m
from assetmap.domain.places import (
    NAMED,
    PLACE_KINDS,
    Place,
    check_query,
    normalise,
    normalise_postcode,
    wanted_keys,
)
from assetmap.storage.backends import backend_for
from assetmap.storage.models import Place as PlaceRow

# A place of the same kind and name within this many metres of one held is the same place.
SAME_PLACE_M = 250.0
# Radii (metres) of the boxes a nearest place is looked for in; None: everywhere.
_SEARCH_RADII_M: tuple[float | None, ...] = (250.0, 1_000.0, 4_000.0, 16_000.0, 64_000.0, None)
_KIND_ORDER = sa.case({kind: rank for rank, kind in enumerate(PLACE_KINDS)}, value=PlaceRow.kind)
_COLUMNS = (PlaceRow.name, PlaceRow.kind, PlaceRow.lon, PlaceRow.lat)


class StoredGazetteer:
    """The gazetteer held in the database, read through one session."""

    def __init__(self, session: orm.Session) -> None:
        self.session = session

    def lookup(self, text: str, limit: int = 5) -> list[Place]:
        """Return places matching ``text``: a postcode exactly, else names exact, then partial."""
        return lookup_places(self.session, text, limit)

    def nearest(
        self, lon: float, lat: float, kinds: Iterable[str] = NAMED
    ) -> tuple[Place, float] | None:
        """Return the place of these kinds nearest ``(lon, lat)`` and its distance in metres."""
        return nearest_place(self.session, lon, lat, kinds)


def lookup_places(session: orm.Session, text: str, limit: int = 5) -> list[Place]:
    """Return up to ``limit`` places matching ``text``, best first, with no place twice.

    A postcode matches exactly first; otherwise names ignoring accents, case and punctuation:
    exactly, then as the start of the name, then of a later word; postcodes, then places, then
    streets. Raises ValueError for text that can't be looked up.
    """
    query = check_query(text)
    postcode = normalise_postcode(query)
    if postcode is not None:
        exact = PlaceRow.key == normalise(postcode)
        found = _fetch(session, sa.and_(PlaceRow.kind == "postcode", exact), limit)
        if found:
            return found
    found = []
    for stage in (_is, _starts, _word_starts):
        wanted = sa.or_(*(stage(session, key) for key in wanted_keys(query)))
        found = _unique([*found, *_fetch(session, wanted, limit * 2 + len(found))])
        if len(found) >= limit:
            break
    return found[:limit]


def _is(_session: orm.Session, key: str) -> sa.ColumnElement[bool]:
    return PlaceRow.key == key


def _starts(session: orm.Session, key: str) -> sa.ColumnElement[bool]:
    """Match keys starting with ``key`` through the index (keys hold only letters, digits and
    spaces, so nothing needs escaping)."""
    return backend_for(session).starts_with(PlaceRow.key, key)


def _word_starts(_session: orm.Session, key: str) -> sa.ColumnElement[bool]:
    return PlaceRow.key.like(f"% {key}%")


def _fetch(session: orm.Session, where: sa.ColumnElement[bool], limit: int) -> list[Place]:
    query = sa.select(*_COLUMNS).where(where).order_by(_KIND_ORDER, PlaceRow.name, PlaceRow.id)
    return [Place(*row) for row in session.execute(query.limit(limit))]


def _unique(places: Iterable[Place]) -> list[Place]:
    """Return places in order, leaving out a name already listed at the same point."""
    seen: set[tuple[str, float, float]] = set()
    out = []
    for place in places:
        key = (place.name, place.lon, place.lat)
        if key not in seen:
            seen.add(key)
            out.append(place)
    return out


def nearest_place(
    session: orm.Session, lon: float, lat: float, kinds: Iterable[str] = NAMED
) -> tuple[Place, float] | None:
    """Return the place of these kinds nearest ``(lon, lat)`` (EPSG:4326), with its geodesic
    distance in metres; None if the gazetteer holds none of them."""
    lon, lat = check_lon_lat(lon, lat)
    kinds = list(kinds)
    for radius in _SEARCH_RADII_M:
        found = _closest(session, _near(kinds, lon, lat, radius), lon, lat)
        if found is None:
            continue
        if radius is None or found[1] <= radius:
            return found
        # A place nearer than this one may lie outside the box, but not outside the box
        # around every point as near as this one.
        return _closest(session, _near(kinds, lon, lat, found[1]), lon, lat)
    return None


def _near(kinds: list[str], lon: float, lat: float, metres: float | None) -> sa.ColumnElement[bool]:
    """Select places of these kinds in the box holding every point within ``metres``."""
    if metres is None:
        return PlaceRow.kind.in_(kinds)
    box = bbox_around(lon, lat, metres)
    return sa.and_(
        PlaceRow.lat.between(box.min_lat, box.max_lat),
        PlaceRow.lon.between(box.min_lon, box.max_lon),
        PlaceRow.kind.in_(kinds),
    )


def _closest(
    session: orm.Session, where: sa.ColumnElement[bool], lon: float, lat: float
) -> tuple[Place, float] | None:
    places = [Place(*row) for row in session.execute(sa.select(*_COLUMNS).where(where))]
    if not places:
        return None
    lons = np.array([place.lon for place in places])
    lats = np.array([place.lat for place in places])
    metres = distances_m(lon, lat, lons, lats)
    best = int(np.argmin(metres))
    return places[best], float(metres[best])


def count_places(session: orm.Session) -> dict[str, int]:
    """Return how many places the gazetteer holds of each kind (every kind, even at 0)."""
    query = sa.select(PlaceRow.kind, sa.func.count()).group_by(PlaceRow.kind)
    held = {kind: 0 for kind in PLACE_KINDS}
    held.update({kind: count for kind, count in session.execute(query)})
    return held


def remove_places(session: orm.Session, kinds: Iterable[str]) -> None:
    """Remove every place of these kinds (in the session's transaction)."""
    session.execute(sa.delete(PlaceRow).where(PlaceRow.kind.in_(list(kinds))))


def add_places(session: orm.Session, places: Sequence[Place]) -> int:
    """Add these places (in the session's transaction); return how many were added."""
    if places:
        session.execute(sa.insert(PlaceRow), [_row(place) for place in places])
    return len(places)


def _row(place: Place) -> dict[str, object]:
    return {
        "name": place.name,
        "kind": place.kind,
        "key": normalise(place.name),
        "lon": place.lon,
        "lat": place.lat,
    }


def not_held(session: orm.Session, places: Sequence[Place]) -> list[Place]:
    """Return the places the gazetteer doesn't hold yet: none of the same kind and name lies
    within ``SAME_PLACE_M`` of them."""
    keys = {normalise(place.name) for place in places}
    query = sa.select(PlaceRow.kind, PlaceRow.key, PlaceRow.lon, PlaceRow.lat)
    held: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for kind, key, lon, lat in session.execute(query.where(PlaceRow.key.in_(keys))):
        held.setdefault((kind, key), []).append((lon, lat))
    return [place for place in places if not _held(place, held)]


def _held(place: Place, held: dict[tuple[str, str], list[tuple[float, float]]]) -> bool:
    points = held.get((place.kind, normalise(place.name)))
    if not points:
        return False
    lons, lats = np.array(points).T
    return bool((distances_m(place.lon, place.lat, lons, lats) <= SAME_PLACE_M).any())
