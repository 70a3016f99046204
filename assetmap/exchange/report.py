"""What an import did, or would do: added, updated, skipped as duplicates, rejected.

Every rejected row or feature is named with the field and the reason. The same report comes
from a dry run and from the import itself, which is all or nothing: one rejection and nothing
is written. An import of a source's full listing (a feed) also says which of that source's
strengths it no longer lists: withdrawn, or left published where someone edited them here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from assetmap.domain.geo import distances_m
from assetmap.domain.i18n import lazy

# Two strengths with the same title closer than this (geodesic metres) are the same one.
TITLE_RADIUS_M = 50.0
ENTRIES_KEPT = 500
# Kept with each strength read from OpenStreetMap, in English as the licence says it.
ODBL = (
    "Contains data from OpenStreetMap, © OpenStreetMap contributors, "
    "available under the Open Database Licence (ODbL) 1.0: https://www.openstreetmap.org/copyright"
)
# The same, as an import's report says it to the person importing.
ODBL_SAID = lazy(
    "Contains data from OpenStreetMap, © OpenStreetMap contributors, "
    "available under the Open Database Licence (ODbL) 1.0: https://www.openstreetmap.org/copyright"
)


class Outcome(enum.StrEnum):
    """What happens to one row or feature of an imported file."""

    ADDED = "added"
    UPDATED = "updated"
    SKIPPED = "skipped"
    REJECTED = "rejected"
    # A strength of the source its full listing no longer names: left published (someone
    # edited it here), or withdrawn. Neither is a row of the file.
    LEFT = "left"
    WITHDRAWN = "withdrawn"


# Where a report's entry for a strength the file no longer lists is, as ``where`` says a row.
NOT_LISTED = "not in the file"
# What the file's own rows come to; the others are strengths it no longer lists.
ROW_OUTCOMES = (Outcome.ADDED, Outcome.UPDATED, Outcome.SKIPPED, Outcome.REJECTED)
UNLISTED_OUTCOMES = (Outcome.LEFT, Outcome.WITHDRAWN)


@dataclass(frozen=True)
class Entry:
    """One line of a report: which row or feature, what happened to it and why."""

    where: str
    outcome: Outcome
    title: str = ""
    field: str = ""
    reason: str = ""
    asset_id: int | None = None


@dataclass
class ImportReport:
    """Counts per outcome, and the first ``ENTRIES_KEPT`` entries of each."""

    file: str
    format: str = ""
    source: str = ""
    id_rule: str = ""
    attribution: str = ""
    # What was made of a table's columns: read as which field, or ignored.
    columns: list[str] = field(default_factory=list)
    dry_run: bool = True
    written: bool = False
    # Whether the text report lists what is added too, as a feed's does.
    listed: bool = False
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    entries: dict[Outcome, list[Entry]] = field(
        default_factory=lambda: {outcome: [] for outcome in Outcome}
    )

    @property
    def ok(self) -> bool:
        """Return whether nothing was rejected, so the import may be written."""
        return self.counts[Outcome.REJECTED] == 0

    @property
    def total(self) -> int:
        """Return how many rows or features the file held."""
        return sum(self.counts[o] for o in ROW_OUTCOMES)

    @property
    def unlisted(self) -> int:
        """Return how many of the source's strengths the file no longer lists."""
        return sum(self.counts[o] for o in UNLISTED_OUTCOMES)

    @property
    def changes(self) -> bool:
        """Return whether importing would change the register: anything to add, update or
        withdraw, or a strength to mark as no longer listed."""
        return any(self.counts[o] for o in (Outcome.ADDED, Outcome.UPDATED, *UNLISTED_OUTCOMES))

    def add(
        self,
        where: str,
        outcome: Outcome,
        title: str = "",
        field: str = "",
        reason: str = "",
        asset_id: int | None = None,
    ) -> None:
        """Count one row or feature under its outcome; its entry is made only if it is kept."""
        self.counts[outcome] += 1
        if len(self.entries[outcome]) < ENTRIES_KEPT:
            self.entries[outcome].append(Entry(where, outcome, title, field, reason, asset_id))

    def retract(self, where: str, outcome: Outcome) -> None:
        """Take back what was counted of a row under ``outcome``, and its entry."""
        self.counts[outcome] -= 1
        kept = self.entries[outcome]
        self.entries[outcome] = [entry for entry in kept if entry.where != where]

    def retract_entry(self, asset_id: int, outcome: Outcome) -> None:
        """Take back what was counted of a strength under ``outcome``, and its entry."""
        self.counts[outcome] -= 1
        kept = self.entries[outcome]
        self.entries[outcome] = [entry for entry in kept if entry.asset_id != asset_id]

    def reject(self, where: str, errors: dict[str, str], title: str = "") -> None:
        """Count one rejected row or feature, keeping an entry for each bad field."""
        self.counts[Outcome.REJECTED] += 1
        for name, reason in errors.items():
            self._keep(Entry(where, Outcome.REJECTED, title, name, reason))

    def _keep(self, entry: Entry) -> None:
        kept = self.entries[entry.outcome]
        if len(kept) < ENTRIES_KEPT:
            kept.append(entry)

    def hidden(self, outcome: Outcome) -> int:
        """Return how many rows of an outcome have no entry kept (beyond the first few)."""
        if outcome is Outcome.REJECTED:
            return max(0, self.counts[outcome] - len({e.where for e in self.entries[outcome]}))
        return self.counts[outcome] - len(self.entries[outcome])

    def summary(self) -> str:
        """Return one line: how many of each outcome."""
        verb = "would be" if self.dry_run else ("were" if self.written else "would have been")
        parts = ", ".join(f"{self.counts[o]} {o.value}" for o in ROW_OUTCOMES)
        said = f"{self.file}: {self.total} read; {parts}"
        if self.unlisted:
            no_longer = ", ".join(f"{self.counts[o]} {o.value}" for o in UNLISTED_OUTCOMES)
            said += f"; no longer listed: {no_longer}"
        return f"{said} ({verb} the result)."

    def lines(self) -> Iterator[str]:
        """Yield the report as text lines, for the command line."""
        yield self.summary()
        for note in (self.id_rule, *self.columns, self.attribution):
            if note:
                yield note
        shown = (Outcome.REJECTED, Outcome.UPDATED, Outcome.SKIPPED, *UNLISTED_OUTCOMES)
        for outcome in (Outcome.ADDED, *shown) if self.listed else shown:
            for entry in self.entries[outcome]:
                yield "  " + describe(entry)
            if self.hidden(outcome):
                yield f"  ... and {self.hidden(outcome)} more {outcome.value}"


def describe(entry: Entry) -> str:
    """Return one entry as a sentence-like line: where, what, field and reason."""
    title = f" ({entry.title})" if entry.title else ""
    detail = f"{entry.field}: {entry.reason}" if entry.field else entry.reason
    return f"{entry.where}{title} {entry.outcome.value}: {detail}".rstrip(": ")


def title_key(title: str) -> str:
    """Return a title as compared for duplicates: case and spacing ignored."""
    return " ".join(title.casefold().split())


def nearest_within(
    lon: float, lat: float, candidates: list[tuple[float, float, object]]
) -> tuple[object, float] | None:
    """Return the nearest candidate ``(lon, lat, what)`` within ``TITLE_RADIUS_M``, with metres."""
    if not candidates:
        return None
    lons = np.array([c[0] for c in candidates])
    lats = np.array([c[1] for c in candidates])
    metres = distances_m(lon, lat, lons, lats)
    best = int(np.argmin(metres))
    if metres[best] > TITLE_RADIUS_M:
        return None
    return candidates[best][2], float(metres[best])
