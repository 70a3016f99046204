"""Batches of public rows made into GeoJSON features or CSV cells, with little Python per row.

An export of a million assets spends most of its time here and in reading rows, so each batch
is made in one comprehension that unpacks a row into locals, GeoJSON takes one ``orjson.dumps``
per batch (a call per feature costs more than the feature), and Python's cyclic garbage
collector is held off while a batch is made (see ``exchange.collector``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from assetmap.exchange.cells import QUOTED_STARTS, spreadsheet_safe
from assetmap.exchange.gc_pause import collector_paused
from assetmap.storage.exports import flag, iso_time, items

Rows = Sequence[Sequence[Any]]


def features_json(rows: Rows) -> bytes:
    """Return rows (``EXPORT_FIELDS`` in order) as GeoJSON features on one line, comma-joined.

    A line per feature would take a pass over the bytes costing a tenth of the export.
    """
    with collector_paused():
        return orjson.dumps(_features(rows))[1:-1]


def _features(rows: Rows) -> list[dict[str, Any]]:
    # Lists are stored as JSON text and go into the document as they are; orjson writes a date
    # (PostgreSQL's last_confirmed) as YYYY-MM-DD, as SQLite holds it.
    fragment = orjson.Fragment
    return [
        {
            "type": "Feature",
            "id": asset_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "kind": kind,
                "title": title,
                "description": description,
                "themes": fragment(themes),
                "tags": fragment(tags),
                "availability": availability,
                "accessibility": accessibility,
                "share_modes": fragment(share_modes),
                "meeting_pattern": meeting_pattern,
                "welcomes_new_members": flag(welcomes),
                "opening_times": opening_times,
                "capacity": capacity,
                "facilities": fragment(facilities),
                "last_confirmed": confirmed,
                "updated_at": iso_time(updated),
                "neighbourhood": neighbourhood,
                "source": source,
                "source_id": source_id,
            },
        }
        for (
            asset_id,
            kind,
            title,
            description,
            themes,
            tags,
            availability,
            accessibility,
            share_modes,
            meeting_pattern,
            welcomes,
            opening_times,
            capacity,
            facilities,
            confirmed,
            updated,
            neighbourhood,
            source,
            source_id,
            lon,
            lat,
        ) in rows
    ]


class _Joined(dict[str | None, str]):
    """A list column's JSON text as a spreadsheet-safe CSV cell holds it, remembered: most
    rows repeat a few."""

    LIMIT = 10_000

    def __missing__(self, text: str | None) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        joined = self[text] = spreadsheet_safe(",".join(items(text)))
        return joined


def csv_cells(rows: Rows, joined: dict[str | None, str] | None = None) -> list[tuple[Any, ...]]:
    """Return rows as CSV cells hold them: lists joined by commas, yes/no flags, ISO dates,
    and every text cell spreadsheet-safe (see ``exchange.cells``); numbers stay numbers.

    ``joined`` remembers list cells from one batch to the next (see ``joiner``). A date
    (PostgreSQL's last_confirmed) is written by the CSV writer as YYYY-MM-DD.
    """
    cell = joiner() if joined is None else joined
    # A text cell's first character is tested here, and only a cell that needs it is passed
    # to spreadsheet_safe: a call for every cell would add half again to the export's time.
    safe, starts = spreadsheet_safe, QUOTED_STARTS
    return [
        (
            asset_id,
            kind if kind[:1] not in starts else safe(kind),
            title if title[:1] not in starts else safe(title),
            description if description[:1] not in starts else safe(description),
            cell[themes],
            cell[tags],
            availability if availability[:1] not in starts else safe(availability),
            accessibility if accessibility[:1] not in starts else safe(accessibility),
            cell[share_modes],
            meeting_pattern if meeting_pattern[:1] not in starts else safe(meeting_pattern),
            "" if welcomes is None else ("yes" if welcomes else "no"),
            opening_times if opening_times[:1] not in starts else safe(opening_times),
            capacity,
            cell[facilities],
            confirmed,
            iso_time(updated),
            safe(neighbourhood) if neighbourhood and neighbourhood[:1] in starts else neighbourhood,
            source if source[:1] not in starts else safe(source),
            source_id if source_id[:1] not in starts else safe(source_id),
            lon,
            lat,
        )
        for (
            asset_id,
            kind,
            title,
            description,
            themes,
            tags,
            availability,
            accessibility,
            share_modes,
            meeting_pattern,
            welcomes,
            opening_times,
            capacity,
            facilities,
            confirmed,
            updated,
            neighbourhood,
            source,
            source_id,
            lon,
            lat,
        ) in rows
    ]


def joiner() -> dict[str | None, str]:
    """Return an empty memo of list cells for ``csv_cells``, bounded in size."""
    return _Joined()
