"""The explore list: a sorted page of published strengths; and a strength's history in brief."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Action
from assetmap.storage.backends import SUMMARY_COLUMNS, backend_for, summary
from assetmap.storage.clusters import EVERYTHING, matching
from assetmap.storage.models import Asset, Revision

SORTS = ("title", "kind", "confirmed")


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a sorted list of published assets, and how many match in all."""

    items: tuple[AssetSummary, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return how many pages the whole list fills (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def list_page(
    session: orm.Session,
    filters: AssetFilter = EVERYTHING,
    *,
    bbox: BBox | None = None,
    sort: str = "title",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> ListPage:
    """Return page ``page`` of matching published assets (in ``bbox`` if given), sorted.

    ``sort`` is ``title``, ``kind`` or ``confirmed`` (last confirmed); ties go by title, then id.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    if page < 1 or per_page < 1:
        raise ValueError(f"page and per_page must be 1 or more, got {page} and {per_page}")
    backend = backend_for(session)
    conditions = matching(backend, filters)
    if bbox is not None:
        conditions.append(backend.in_bbox(bbox))
    total = session.scalar(sa.select(sa.func.count()).select_from(Asset).where(*conditions))
    title = sa.func.lower(Asset.title)
    first = {"title": title, "kind": Asset.kind, "confirmed": Asset.last_confirmed}[sort]
    query = (
        sa.select(*SUMMARY_COLUMNS)
        .where(*conditions)
        .order_by(first.desc() if descending else first.asc(), title, Asset.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = tuple(summary(row) for row in session.execute(query))
    return ListPage(items=items, total=int(total or 0), page=page, per_page=per_page)


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """How often one kind of change happened to an asset, and when first and last."""

    action: Action
    times: int
    first: dt.datetime
    last: dt.datetime


def history_summary(session: orm.Session, asset_id: int) -> tuple[HistoryLine, ...]:
    """Return counts and dates of an asset's revisions by action, oldest first.

    Only actions, counts and dates: never who made a change, why, or what it changed.
    """
    query = (
        sa.select(
            Revision.action, sa.func.count(), sa.func.min(Revision.at), sa.func.max(Revision.at)
        )
        .where(Revision.asset_id == asset_id)
        .group_by(Revision.action)
    )
    lines = [
        HistoryLine(Action(row[0]), int(row[1]), row[2], row[3]) for row in session.execute(query)
    ]
    return tuple(sorted(lines, key=lambda line: (line.first, list(Action).index(line.action))))
