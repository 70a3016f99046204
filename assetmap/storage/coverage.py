"""Coverage by neighbourhood: how many public strengths each holds, by kind, and how many of
them were assured recently (``domain.provenance.FRESH_DAYS``).

A strength is filed under the neighbourhood its public point lies in, so a skill is counted
where its grid cell's centre is, never more finely: the table says nothing the map does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.provenance import FRESH_DAYS, fresh_share
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import Asset, Neighbourhood


@dataclass(frozen=True)
class Coverage:
    """One neighbourhood's public strengths (``neighbourhood_id`` None: those in none)."""

    neighbourhood_id: int | None
    name: str
    skills: int
    groups: int
    spaces: int
    fresh: int

    @property
    def total(self) -> int:
        """Return how many public strengths it holds, of every kind."""
        return self.skills + self.groups + self.spaces

    @property
    def fresh_percent(self) -> int | None:
        """Return the share of them assured recently, as a whole percentage; None of none."""
        return fresh_share(self.fresh, self.total)


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def coverage(session: orm.Session, today: dt.date, days: int = FRESH_DAYS) -> list[Coverage]:
    """Return every neighbourhood's coverage by name, then the strengths in none, in one
    query: a strength is fresh when last assured within ``days`` days of ``today``."""
    counts = (
        sa.select(
            Asset.neighbourhood_id.label("neighbourhood_id"),
            _count(Asset.kind == Kind.SKILL).label("skills"),
            _count(Asset.kind == Kind.GROUP).label("groups"),
            _count(Asset.kind == Kind.SPACE).label("spaces"),
            _count(Asset.last_confirmed >= today - dt.timedelta(days=days)).label("fresh"),
        )
        .where(Asset.status == Status.PUBLISHED)
        .group_by(Asset.neighbourhood_id)
        .cte("counts")
    )
    figures = [counts.c.skills, counts.c.groups, counts.c.spaces, counts.c.fresh]
    named = sa.select(
        Neighbourhood.id, Neighbourhood.name, *(sa.func.coalesce(f, 0) for f in figures)
    ).outerjoin(counts, counts.c.neighbourhood_id == Neighbourhood.id)
    unfiled = sa.select(sa.null().label("id"), sa.literal("").label("name"), *figures).where(
        counts.c.neighbourhood_id.is_(None)
    )
    rows: list[Any] = list(session.execute(sa.union_all(named, unfiled)))
    found = [Coverage(r[0], r[1] or "", int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows]
    areas = sorted((c for c in found if c.neighbourhood_id is not None), key=_by_name)
    outside = next((c for c in found if c.neighbourhood_id is None), Coverage(None, "", 0, 0, 0, 0))
    return [*areas, outside]


def _by_name(row: Coverage) -> tuple[str, int]:
    return row.name.casefold(), row.neighbourhood_id or 0


def totals(rows: list[Coverage]) -> Coverage:
    """Return the rows added up: the whole register's coverage."""
    return Coverage(
        None,
        "",
        sum(r.skills for r in rows),
        sum(r.groups for r in rows),
        sum(r.spaces for r in rows),
        sum(r.fresh for r in rows),
    )
