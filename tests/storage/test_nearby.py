"""Nearby search against an independent brute-force geodesic computation on the same data."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from pyproj import Geod
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Kind, ShareMode, Status, Theme
from assetmap.storage import assets as store
from assetmap.storage import database as db
from assetmap.storage.models import Asset

WGS84 = Geod(ellps="WGS84")
THEMES = list(Theme)
WORDS = ["garden", "guitar", "repair", "lunch"]


def _synthetic(rng: np.random.Generator, count: int) -> list[AssetDraft]:
    lons = np.concatenate([rng.uniform(-2.40, -2.25, count - 200), rng.normal(-2.32, 0.002, 200)])
    lats = np.concatenate([rng.uniform(51.19, 51.27, count - 200), rng.normal(51.23, 0.002, 200)])
    drafts = []
    for i in range(count):
        kind = list(Kind)[i % 3]
        drafts.append(
            AssetDraft(
                kind=kind,
                title=f"{WORDS[i % 4].title()} {i}",
                lon=round(float(lons[i]), 6),
                lat=round(float(lats[i]), 6),
                themes=tuple(dict.fromkeys((THEMES[i % 12], THEMES[(i * 7 + 1) % 12]))),
                share_modes=(ShareMode.TEACH,) if kind is Kind.SKILL else (),
            )
        )
    return drafts


@pytest.fixture
def city(session: orm.Session) -> orm.Session:
    rng = np.random.default_rng(20261130)
    store.add_assets(session, _synthetic(rng, 3000), owner_id=None, cell_m=400.0)
    session.commit()
    withdrawn = session.scalars(sa.select(Asset.id).where(Asset.id % 17 == 0)).all()
    for asset_id in withdrawn:
        store.withdraw_asset(session, asset_id, by=None)
    session.commit()
    return session


def brute_force(
    session: orm.Session, lon: float, lat: float, radius: float, filters: AssetFilter, limit: int
) -> list[tuple[int, float]]:
    rows = session.execute(
        sa.select(
            Asset.id,
            Asset.kind,
            Asset.themes,
            Asset.title,
            Asset.public_lon,
            Asset.public_lat,
            Asset.status,
        )
    ).all()
    keep = [
        row
        for row in rows
        if row.status is Status.PUBLISHED
        and (not filters.kinds or row.kind in filters.kinds)
        and (not filters.themes or set(row.themes) & {t.value for t in filters.themes})
        and (not filters.words or filters.words[0] in row.title.lower())
    ]
    n = len(keep)
    _, _, dist = WGS84.inv(
        [lon] * n, [lat] * n, [r.public_lon for r in keep], [r.public_lat for r in keep]
    )
    found = sorted((d, r.id) for d, r in zip(dist, keep, strict=True) if d <= radius)
    return [(asset_id, d) for d, asset_id in found[:limit]]


def test_nearest_first_matches_brute_force(city: orm.Session) -> None:
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(60):
        lon, lat = rng.uniform(-2.41, -2.24), rng.uniform(51.18, 51.28)
        radius = float(rng.choice([50, 200, 400, 800, 1600, 5000, 20000]))
        limit = int(rng.choice([1, 5, 20, 50, 200]))
        filters = AssetFilter.parse(
            kinds=[str(k) for k in rng.choice(list(Kind), size=rng.integers(0, 3), replace=False)],
            themes=[str(t) for t in rng.choice(THEMES, size=rng.integers(0, 3), replace=False)],
            words=str(rng.choice(WORDS)) if rng.random() < 0.3 else None,
        )
        expected = brute_force(city, lon, lat, radius, filters, limit)
        found = store.assets_near(city, lon, lat, radius, filters, limit)
        assert [a.id for a in found] == [asset_id for asset_id, _ in expected]
        assert [a.distance_m for a in found] == pytest.approx([d for _, d in expected], abs=1e-3)
        checked += len(found)
    assert checked > 500


def test_dense_search_reads_a_few_candidates_not_the_whole_radius(city: orm.Session) -> None:
    found = store.assets_near(city, -2.32, 51.23, 20_000, limit=10)
    assert len(found) == 10
    assert found[-1].distance_m < 200


def test_a_read_connection_answers_as_a_session_does(
    city: orm.Session, database: db.Database
) -> None:
    gardens = AssetFilter.parse(themes=["food"], words="garden")
    with database.reader() as reader:
        for filters in (AssetFilter(), gardens):
            near = store.assets_near(reader, -2.32, 51.23, 1600, filters, 50)
            assert near == store.assets_near(city, -2.32, 51.23, 1600, filters, 50)
            assert near
