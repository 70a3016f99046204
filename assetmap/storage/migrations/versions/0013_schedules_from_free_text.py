"""Turn the free text of when groups meet and spaces open into schedules, where it can be read.

A group's ``meeting_pattern`` or a space's ``opening_times`` that ``domain.patterns`` reads
with certainty becomes ``asset_schedule`` rows, and the text keeps only what is left as a note
("term time"); text it cannot read stays as it is. Schedules start on their first session on or
after the day this runs. Downgrading writes every schedule back into the text in words, before
the note, and removes the rows.

The tables are described here as they are at this revision, not read from the models, so that
later changes to the models cannot change what this migration does.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from assetmap.domain.patterns import parse_pattern, pattern_in_words
from assetmap.domain.schedules import Schedule
from assetmap.domain.vocab import Kind

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The text column each kind keeps its schedule's words in, and its length.
TEXT_COLUMNS = {Kind.GROUP: "meeting_pattern", Kind.SPACE: "opening_times"}
TEXT_LENGTH = 300

asset = sa.table(
    "asset",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("meeting_pattern", sa.String),
    sa.column("opening_times", sa.String),
)
asset_schedule = sa.table(
    "asset_schedule",
    sa.column("id", sa.Integer),
    sa.column("asset_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("rule", sa.String),
    sa.column("starts_on", sa.Date),
    sa.column("ends_on", sa.Date),
    sa.column("start_time", sa.Time),
    sa.column("end_time", sa.Time),
    sa.column("cancelled", sa.JSON),
    sa.column("timezone", sa.String),
)


def upgrade() -> None:
    connection = op.get_bind()
    today = dt.date.today()
    scheduled = sa.select(asset_schedule.c.asset_id)
    rows = connection.execute(
        sa.select(asset.c.id, asset.c.kind, asset.c.meeting_pattern, asset.c.opening_times)
        .where(asset.c.kind.in_([kind.value for kind in TEXT_COLUMNS]))
        .where(asset.c.id.not_in(scheduled))
        .order_by(asset.c.id)
    ).all()
    sessions: list[dict[str, object]] = []
    notes: dict[Kind, list[dict[str, object]]] = defaultdict(list)
    for asset_id, kind_value, meeting_pattern, opening_times in rows:
        kind = Kind(kind_value)
        text = meeting_pattern if kind is Kind.GROUP else opening_times
        schedules, note = parse_pattern(text, kind=kind, today=today)
        if not schedules:
            continue
        sessions += [_row(asset_id, position, item) for position, item in enumerate(schedules)]
        notes[kind].append({"asset_id": asset_id, "note": note})
    if sessions:
        connection.execute(sa.insert(asset_schedule), sessions)
    for kind, changes in notes.items():
        _set_text(connection, kind, changes)


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(asset_schedule, asset.c.kind, asset.c.meeting_pattern, asset.c.opening_times)
        .join(asset, asset.c.id == asset_schedule.c.asset_id)
        .order_by(asset_schedule.c.asset_id, asset_schedule.c.position, asset_schedule.c.id)
    ).all()
    found: dict[int, list[Schedule]] = defaultdict(list)
    notes: dict[int, tuple[Kind, str]] = {}
    for row in rows:
        kind = Kind(row.kind)
        found[row.asset_id].append(_schedule(row))
        notes[row.asset_id] = (
            kind,
            row.meeting_pattern if kind is Kind.GROUP else row.opening_times,
        )
    words: dict[Kind, list[dict[str, object]]] = defaultdict(list)
    for asset_id, schedules in found.items():
        kind, note = notes[asset_id]
        text = pattern_in_words(schedules, note or "")
        words[kind].append({"asset_id": asset_id, "note": text[:TEXT_LENGTH]})
    for kind, changes in words.items():
        _set_text(connection, kind, changes)
    connection.execute(sa.delete(asset_schedule))


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


def _schedule(row: sa.Row[tuple[object, ...]]) -> Schedule:
    return Schedule.from_rule(
        row.rule,
        start_time=row.start_time,
        end_time=row.end_time,
        starts_on=row.starts_on,
        cancelled=[dt.date.fromisoformat(day) for day in row.cancelled or ()],
        timezone=row.timezone,
    )


def _set_text(connection: sa.Connection, kind: Kind, changes: list[dict[str, object]]) -> None:
    column = TEXT_COLUMNS[kind]
    connection.execute(
        sa.update(asset)
        .where(asset.c.id == sa.bindparam("asset_id"))
        .values({column: sa.bindparam("note")}),
        changes,
    )
