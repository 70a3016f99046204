"""Reading a gazetteer file's places, and the report of what importing them did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assetmap.domain.area import Area
from assetmap.domain.geo import BBox
from assetmap.domain.places import PLACE_KINDS, Place
from assetmap.exchange.places.formats import FORMAT_NAMES, Detected, Tally
from assetmap.exchange.places.osm import read_osm_places
from assetmap.exchange.places.tables import read_gazetteer, read_onspd, read_open_names

Reader = Callable[[Path, Detected, Tally, BBox | None], Iterator[Place]]
READERS: dict[str, Reader] = {
    "osm": read_osm_places,
    "pbf": read_osm_places,
    "onspd": read_onspd,
    "open-names": read_open_names,
    "gazetteer": read_gazetteer,
}


@dataclass
class PlacesReport:
    """What an import of places found, left out and did (or, in a dry run, would do)."""

    file: str
    fmt: str
    dry_run: bool = False
    add: bool = False
    area_known: bool = False
    kept: Counter[str] = field(default_factory=Counter)
    held: dict[str, int] = field(default_factory=dict)
    already_held: Counter[str] = field(default_factory=Counter)
    tally: Tally = field(default_factory=Tally)

    def lines(self) -> list[str]:
        """Return the report in plain words, a line each."""
        lines = [f"Read {self.file} as {FORMAT_NAMES[self.fmt]}.", self._where()]
        skipped = self.tally.skipped.items()
        lines += [f"Left out {count:,} {why}." for why, count in skipped if count]
        lines += [self._kind(kind) for kind in PLACE_KINDS]
        if self.dry_run:
            lines.append("Nothing was changed: this was a dry run.")
        return lines

    def _where(self) -> str:
        total = sum(self.kept.values()) + sum(self.already_held.values())
        if not self.area_known:
            return f"Kept {total:,} places: no area is set yet, so places anywhere are kept."
        return f"Kept {total:,} places inside the area; {self.tally.outside:,} lay outside it."

    def _kind(self, kind: str) -> str:
        held, new, known = self.held.get(kind, 0), self.kept[kind], self.already_held[kind]
        added = "would be added" if self.dry_run else "added"
        if kind not in self.kept and not known:
            return f"The {held:,} {kind}s held are unchanged: the file brings none."
        if self.add:
            return f"{new:,} {kind}s {added}; {known:,} already held were left as they were."
        if not held:
            return f"{new:,} {kind}s {added}."
        verb = "would replace" if self.dry_run else "replaced"
        return f"{new:,} {kind}s {verb} the {held:,} held before."


def read_places(
    path: Path, detected: Detected, tally: Tally, area: Area | None, kinds: Collection[str]
) -> Iterator[Place]:
    """Yield the places of a gazetteer file of the ``detected`` format that lie inside ``area``
    (anywhere if None) and are of ``kinds``, counting in ``tally`` those left out."""
    found = READERS[detected.fmt](path, detected, tally, area.bbox if area else None)
    return wanted(found, area, kinds, tally)


def wanted(
    places: Iterable[Place], area: Area | None, kinds: Collection[str], tally: Tally
) -> Iterator[Place]:
    """Yield the places inside ``area`` (anywhere if None) of ``kinds``; count the others."""
    for place in places:
        if place.kind not in kinds:
            tally.skipped[f"{place.kind}s not asked for"] += 1
        elif area is not None and not area.contains(place.lon, place.lat):
            tally.outside += 1
        else:
            yield place
