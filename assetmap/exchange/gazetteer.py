"""An offline gazetteer: streets, places and postcodes from a CSV file, behind ``Geocoder``."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from assetmap.domain.geo import check_lon_lat
from assetmap.domain.places import Place, check_query, normalise, normalise_postcode

_KIND_ORDER = {"postcode": 0, "place": 1, "street": 2}


class OfflineGazetteer:
    """Look places up in a fixed list (``name,kind,lon,lat``), with no network."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places = sorted(places, key=lambda p: (_KIND_ORDER.get(p.kind, 9), p.name))
        self._names = [normalise(place.name) for place in self.places]

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
