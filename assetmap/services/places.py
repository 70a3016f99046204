"""Importing a gazetteer file into the ``place`` table, all or nothing, a batch at a time."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from itertools import islice
from pathlib import Path

from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.places import PLACE_KINDS, Place
from assetmap.exchange.places import PlacesReport, detect_format, read_places
from assetmap.storage.database import begin_write
from assetmap.storage.places import add_places, count_places, not_held, remove_places

BATCH = 5_000


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
    for batch in _batches(read_places(path, detected, report.tally, area, kinds)):
        _write(session, batch, report)
    return report


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
