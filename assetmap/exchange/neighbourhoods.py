"""What importing neighbourhoods from a boundary file did, in plain words.

``services.neighbourhoods`` checks them for overlaps and gaps and stores them by code.
"""

from __future__ import annotations

from dataclasses import dataclass

from assetmap.domain.boundaries import Gap, Overlap
from assetmap.exchange.boundaries import Boundaries
from assetmap.storage.neighbourhoods import (
    Changed,
    Named,
    NeighbourhoodPlan,
    Refiled,
)


@dataclass(frozen=True)
class NeighbourhoodImport:
    """What importing a boundary file did, or on a dry run would do."""

    boundaries: Boundaries
    plan: NeighbourhoodPlan
    overlaps: list[Overlap]
    gaps: list[Gap]
    refiled: Refiled | None

    @property
    def dry_run(self) -> bool:
        return self.refiled is None

    def lines(self) -> list[str]:
        """Return the report, a line each: what changed, then what to look at."""
        return [
            *self.boundaries.notes,
            *self._changes(),
            *self._warnings(),
            *self._outcome(),
        ]

    def _changes(self) -> list[str]:
        plan = self.plan
        added, changed, removed = (
            ("Would add", "Would change", "Would remove")
            if self.dry_run
            else ("Added", "Changed", "Removed")
        )
        lines = [
            *_listed(added, [_label(n) for n in plan.added]),
            *_listed(changed, [_what_changed(c) for c in plan.changed]),
            *_listed(removed, [_label(n) for n in plan.removed]),
        ]
        if plan.kept:
            lines.append(f"{_count(plan.kept, 'neighbourhood')} unchanged.")
        return lines

    def _warnings(self) -> list[str]:
        names = {area.code: area.name for area in self.boundaries.areas}
        lines = (
            [
                f"Mended {_count(len(self.boundaries.repaired), 'shape')} that crossed itself: "
                f"{', '.join(_label(n) for n in self.boundaries.repaired)}."
            ]
            if self.boundaries.repaired
            else []
        )
        lines += [
            f"Warning: {names[o.first]} ({o.first}) and {names[o.second]} ({o.second}) "
            f"overlap by {o.area_m2:,.0f} m²."
            for o in self.overlaps
        ]
        lines += [
            f"Warning: a gap of {g.area_m2:,.0f} m² lies between the neighbourhoods, "
            f"around {g.lon:.5f}, {g.lat:.5f} (longitude, latitude)."
            for g in self.gaps
        ]
        return lines + self._scopes()

    def _scopes(self) -> list[str]:
        plan = self.plan
        if not plan.scopes_lost:
            return []
        lines = [
            f"{_count(plan.scopes_lost, 'staff account')} "
            f"{'would lose' if self.dry_run else 'lost'} a neighbourhood from their scope."
        ]
        return lines

    def _outcome(self) -> list[str]:
        if self.refiled is None:
            return ["Dry run: nothing was written."]
        return [
            f"Filed {_count(self.refiled.moved, 'strength')} under another neighbourhood; "
            f"{self.refiled.outside:,} lie in none.",
            f"Imported {_count(len(self.boundaries.areas), 'neighbourhood')}.",
        ]


def _listed(verb: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{verb} {_count(len(items), 'neighbourhood')}:", *(f"  {item}" for item in items)]


def _what_changed(changed: Changed) -> str:
    what = ["a new boundary"] if changed.boundary else []
    if changed.old_name != changed.name:
        what.append(f"was called {changed.old_name}")
    return f"{changed.name} ({changed.code}): {', '.join(what)}"


def _label(named: Named) -> str:
    return f"{named.name} ({named.code})"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
