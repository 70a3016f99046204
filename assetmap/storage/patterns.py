"""Turning the stored free text of when groups meet and spaces open into schedules.

Imports and the demo write a group's ``meeting_pattern`` and a space's ``opening_times`` as the
file gave them; ``read_patterns`` then reads that text with ``domain.patterns.parse_pattern``,
as migration 0013 did for the register, and keeps only the note in the text. It works on many
strengths at once (one read, one insert, one update), in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.patterns import parse_pattern
from assetmap.domain.schedules import Schedule
from assetmap.domain.vocab import Kind
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, AssetSchedule

# The text column each kind of strength keeps its times in.
TEXT_FIELDS = {Kind.GROUP: "meeting_pattern", Kind.SPACE: "opening_times"}
# How many ids or source keys one statement names.
CHUNK = 1000


def read_patterns(
    session: orm.Session, asset_ids: Iterable[int], *, today: dt.date, again: bool = False
) -> int:
    """Give these groups and spaces the schedules their free text states, where it can be read
    with certainty and they have none yet; return how many were given schedules.

    ``again`` first takes away the schedules they have: for text that was just replaced, by an
    import that now says something else of them."""
    ids = sorted(set(asset_ids))
    if again:
        begin_write(session)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            session.execute(sa.delete(AssetSchedule).where(AssetSchedule.asset_id.in_(chunk)))
    return sum(
        _read(session, Asset.id.in_(ids[start : start + CHUNK]), today)
        for start in range(0, len(ids), CHUNK)
    )


def read_patterns_from(
    session: orm.Session, keys: Iterable[tuple[str, str]], *, today: dt.date
) -> int:
    """As ``read_patterns``, for the strengths imported with these ``(source, source_id)``."""
    return sum(_read(session, which, today) for which in _by_source(keys))


def _by_source(keys: Iterable[tuple[str, str]]) -> Iterator[sa.ColumnElement[bool]]:
    """Yield conditions that together pick the strengths with these ``(source, source_id)``."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, source_id in set(keys):
        by_source[source].append(source_id)
    for source, source_ids in sorted(by_source.items()):
        source_ids.sort()
        for start in range(0, len(source_ids), CHUNK):
            chunk = source_ids[start : start + CHUNK]
            # "source_id <> ''" lets the partial unique index on (source, source_id) answer.
            yield (Asset.source == source) & (Asset.source_id != "") & Asset.source_id.in_(chunk)


def keep_schedules(
    session: orm.Session, schedules: Mapping[tuple[str, str], Sequence[Schedule]]
) -> None:
    """Store the schedules a file gave as such (HSDS) for the strengths just imported with
    these ``(source, source_id)``, in one insert; their text is already only the note."""
    ids = _ids_from(session, schedules)
    rows = [
        _row(ids[key], position, schedule)
        for key, given in schedules.items()
        if key in ids
        for position, schedule in enumerate(given)
    ]
    if rows:
        session.execute(sa.insert(AssetSchedule), rows)


def _ids_from(session: orm.Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for which in _by_source(keys):
        query = sa.select(Asset.source, Asset.source_id, Asset.id).where(which)
        found.update({(source, source_id): i for source, source_id, i in session.execute(query)})
    return found


def _read(session: orm.Session, which: sa.ColumnElement[bool], today: dt.date) -> int:
    begin_write(session)
    rows = session.execute(
        sa.select(Asset.id, Asset.kind, Asset.meeting_pattern, Asset.opening_times)
        .where(which, Asset.kind.in_(list(TEXT_FIELDS)))
        .where((Asset.meeting_pattern != "") | (Asset.opening_times != ""))
        .where(~sa.exists().where(AssetSchedule.asset_id == Asset.id))
    ).all()
    sessions: list[dict[str, object]] = []
    notes: dict[Kind, dict[int, str]] = {kind: {} for kind in TEXT_FIELDS}
    # Many strengths of a file share their words ("Daily 9am–5pm"): read each once.
    read: dict[tuple[Kind, str], tuple[list[Schedule], str]] = {}
    for asset_id, kind, meeting_pattern, opening_times in rows:
        text = meeting_pattern if kind is Kind.GROUP else opening_times
        if (kind, text) not in read:
            read[kind, text] = parse_pattern(text, kind=kind, today=today)
        schedules, note = read[kind, text]
        if schedules:
            sessions += [_row(asset_id, n, schedule) for n, schedule in enumerate(schedules)]
            notes[kind][asset_id] = note
    if sessions:
        session.execute(sa.insert(AssetSchedule), sessions)
    for kind, kept in notes.items():
        if kept:
            _keep_notes(session, TEXT_FIELDS[kind], kept)
    return sum(len(kept) for kept in notes.values())


def _row(asset_id: int, position: int, schedule: Schedule) -> dict[str, object]:
    return {
        "asset_id": asset_id,
        "position": position,
        "rule": schedule.rule(),
        "starts_on": schedule.starts_on,
        "ends_on": schedule.ends_on,
        "start_time": schedule.start_time,
        "end_time": schedule.end_time,
        "cancelled": [day.isoformat() for day in schedule.cancelled],
        "timezone": schedule.timezone,
    }


def _keep_notes(session: orm.Session, field: str, notes: dict[int, str]) -> None:
    table = Asset.metadata.tables["asset"]
    session.execute(
        sa.update(table).where(table.c.id == sa.bindparam("asset_id")),
        [{"asset_id": asset_id, field: note} for asset_id, note in notes.items()],
    )
    # Objects this session already holds must not keep showing the text as it was.
    for asset_id in notes:
        held = session.identity_map.get(orm.util.identity_key(Asset, asset_id))
        if held is not None:
            session.expire(held, [field])
