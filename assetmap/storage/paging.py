"""Paging through searches: near a point by distance then id, in a box by id.

A page ends at a ``Mark``: the last strength's id, its distance for a near search, and how
many were listed before. The next page starts after it, so pages neither repeat nor skip a
strength while the register stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.query import LIMIT_MAX, AssetFilter, AssetSummary
from assetmap.storage.assets import assets_in_bbox, assets_near
from assetmap.storage.database import Reader

Page = tuple[list[AssetSummary], bool]


@dataclass(frozen=True)
class Mark:
    """Where a page ended: its last id, its distance for a near search, and the count so far."""

    last_id: int
    distance_m: float | None
    seen: int


def near_page(
    reader: Reader,
    lon: float,
    lat: float,
    radius_m: float,
    filters: AssetFilter,
    limit: int,
    after: Mark | None = None,
) -> Page:
    """Return the page of ``limit`` strengths nearest ``(lon, lat)`` after ``after``, by
    distance then id, and whether another follows; only the ``LIMIT_MAX`` nearest are paged."""
    seen = after.seen if after else 0
    fetch = min(seen + limit + 1, LIMIT_MAX)
    if fetch <= seen:
        return [], False
    found = assets_near(reader, lon, lat, radius_m, filters, fetch)
    if after is not None and after.distance_m is not None:
        last = (after.distance_m, after.last_id)
        found = [item for item in found if (item.distance_m or 0.0, item.id) > last]
    return found[:limit], len(found) > limit


def near_slice(
    reader: Reader,
    lon: float,
    lat: float,
    radius_m: float,
    filters: AssetFilter,
    skip: int,
    count: int,
) -> list[AssetSummary]:
    """Return the ``count`` strengths nearest ``(lon, lat)`` after the ``skip`` nearest, by
    distance then id: a numbered page of a near search."""
    return assets_near(reader, lon, lat, radius_m, filters, skip + count)[skip:]


def box_page(
    session: orm.Session,
    bbox: BBox | None,
    filters: AssetFilter,
    limit: int,
    after: Mark | None = None,
) -> Page:
    """Return the page of ``limit`` strengths in ``bbox`` (None: anywhere) after ``after``, by
    id, and whether another follows."""
    after_id = after.last_id if after else None
    found = assets_in_bbox(session, bbox, filters, limit=limit + 1, after_id=after_id)
    return found[:limit], len(found) > limit


def mark_after(page: list[AssetSummary], after: Mark | None) -> Mark:
    """Return where ``page`` (not empty), which followed ``after``, ends."""
    last = page[-1]
    return Mark(last.id, last.distance_m, (after.seen if after else 0) + len(page))
