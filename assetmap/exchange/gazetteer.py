"""An offline gazetteer: streets, places and postcodes from a CSV file, behind ``Geocoder``."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assetmap.domain.geo import check_lon_lat, distances_m
from assetmap.domain.places import Place, check_query, normalise, normalise_postcode

_KIND_ORDER = {"postcode": 0, "place": 1, "street": 2}
# The kinds a point is described by: a street or a place reads better than a postcode.
NAMED = ("street", "place")


class OfflineGazetteer:
    """Look places up in a fixed list (``name,kind,lon,lat``), with no network."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = sorted(places, key=lambda p: (_KIND_ORDER.get(p.kind, 9), p.name))
        self._names = [normalise(place.name) for place in self.places]
        self._kinds = np.array([place.kind for place in self.places], dtype=object)
        self._lons = np.array([place.lon for place in self.places], dtype=float)
        self._lats = np.array([place.lat for place in self.places], dtype=float)

    @classmethod
    def from_csv(cls, path: Path) -> OfflineGazetteer:
        """Read a gazetteer file, refusing a row with a bad position and naming it."""
        places = []
        with path.open(newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    lon, lat = check_lon_lat(row["lon"], row["lat"])
                except ValueError as exc:
                    raise ValueError(f"{path.name} line {number}: {exc}") from None
                places.append(Place(row["name"].strip(), row["kind"].strip(), lon, lat))
        return cls(places)

    def lookup(self, text: str, limit: int = 5) -> list[Place]:
        """Return places matching ``text``: a postcode exactly, else names exact, then partial."""
        query = check_query(text)
        postcode = normalise_postcode(query)
        if postcode is not None:
            exact = [p for p in self.places if p.kind == "postcode" and p.name.upper() == postcode]
            if exact:
                return exact[:limit]
        wanted = normalise(query)
        ranked = sorted(
            (rank, i)
            for i, name in enumerate(self._names)
            if (rank := _rank(name, wanted)) is not None
        )
        return _unique([self.places[i] for _, i in ranked])[:limit]

    def nearest(
        self, lon: float, lat: float, kinds: Iterable[str] = NAMED
    ) -> tuple[Place, float] | None:
        """Return the place of these kinds nearest ``(lon, lat)`` (EPSG:4326), with its geodesic
        distance in metres; None if the gazetteer holds none of them."""
        lon, lat = check_lon_lat(lon, lat)
        index = np.flatnonzero(np.isin(self._kinds, list(kinds)))
        if not index.size:
            return None
        metres = distances_m(lon, lat, self._lons[index], self._lats[index])
        best = int(np.argmin(metres))
        return self.places[int(index[best])], float(metres[best])


def _rank(name: str, wanted: str) -> int | None:
    if name == wanted:
        return 0
    if name.startswith(wanted):
        return 1
    if f" {wanted}" in f" {name}":
        return 2
    return None


def _unique(places: list[Place]) -> list[Place]:
    seen: set[tuple[str, float, float]] = set()
    out = []
    for place in places:
        key = (place.name, place.lon, place.lat)
        if key not in seen:
            seen.add(key)
            out.append(place)
    return out
