"""Importing a gazetteer file into the ``place`` table, all or nothing, a batch at a time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.geo import BBox
from assetmap.domain.places import PLACE_KINDS, Place
from assetmap.exchange.places.formats import FORMAT_NAMES, Detected, Tally, detect_format
from assetmap.exchange.places.osm import read_osm_places
from assetmap.exchange.places.tables import read_gazetteer, read_onspd, read_open_names
from assetmap.storage.database import begin_write
from assetmap.storage.places import add_places, count_places, not_held, remove_places

Reader = Callable[[Path, Detected, Tally, BBox | None], Iterator[Place]]
READERS: dict[str, Reader] = {
    "osm": read_osm_places,
    "pbf": read_osm_places,
    "onspd": read_onspd,
    "open-names": read_open_names,
    "gazetteer": read_gazetteer,
}
BATCH = 5_000


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


def import_places(
    session: orm.Session,
    path: Path,
    *,
    area: Area | None = None,
    kinds: Collection[str] = PLACE_KINDS,
    add: bool = False,
    dry_run: bool = False,
) -> PlacesReport:
    """Import the places of a gazetteer file lying inside ``area`` (anywhere if None), in the
    session's transaction; the caller commits.

    By default each kind the file brings (of ``kinds``) replaces the places of that kind held;
    with ``add`` the places not held yet are added to them. A dry run writes nothing. Raises
    ValueError naming the file, line and field of the first bad row: then the caller must roll
    back, and nothing is changed.
    """
    detected = detect_format(path)
    report = PlacesReport(
        path.name, detected.fmt, dry_run, add, area is not None, held=count_places(session)
    )
    if not dry_run:
        begin_write(session)
    found = READERS[detected.fmt](path, detected, report.tally, area.bbox if area else None)
    for batch in _batches(_wanted(found, area, kinds, report.tally)):
        _write(session, batch, report)
    return report


def _wanted(
    places: Iterable[Place], area: Area | None, kinds: Collection[str], tally: Tally
) -> Iterator[Place]:
    for place in places:
        if place.kind not in kinds:
            tally.skipped[f"{place.kind}s not asked for"] += 1
        elif area is not None and not area.contains(place.lon, place.lat):
            tally.outside += 1
        else:
            yield place


def _batches(places: Iterator[Place]) -> Iterator[list[Place]]:
    while batch := list(islice(places, BATCH)):
        yield batch


def _write(session: orm.Session, batch: list[Place], report: PlacesReport) -> None:
    """Write a batch: first clearing the kinds it is the first to bring, or, adding, leaving
    out the places already held."""
    if report.add:
        fresh = not_held(session, batch)
        report.already_held.update(place.kind for place in batch)
        report.already_held.subtract(place.kind for place in fresh)
        batch = fresh
    else:
        first = {place.kind for place in batch} - set(report.kept)
        if first and not report.dry_run:
            remove_places(session, first)
    report.kept.update(place.kind for place in batch)
    if not report.dry_run:
        add_places(session, batch)
