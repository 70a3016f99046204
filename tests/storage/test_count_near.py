"""Counting every strength near a point, against a brute-force geodesic count of the same data."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import orm

from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Kind
from assetmap.storage import assets as store
from tests.storage.test_nearby import THEMES, WORDS, _synthetic, brute_force


@pytest.fixture
def town(session: orm.Session) -> orm.Session:
    store.add_assets(
        session, _synthetic(np.random.default_rng(15), 1200), owner_id=None, cell_m=400.0
    )
    session.commit()
    for asset_id in range(5, 1200, 23):
        store.withdraw_asset(session, asset_id, by=None)
    session.commit()
    return session


def test_the_count_near_a_point_matches_brute_force(town: orm.Session) -> None:
    rng = np.random.default_rng(2)
    for _ in range(25):
        lon, lat = rng.uniform(-2.41, -2.24), rng.uniform(51.18, 51.28)
        radius = float(rng.choice([100, 400, 1600, 5000, 20000]))
        filters = AssetFilter.parse(
            kinds=[str(k) for k in rng.choice(list(Kind), size=rng.integers(0, 3), replace=False)],
            themes=[str(t) for t in rng.choice(THEMES, size=rng.integers(0, 2), replace=False)],
            words=str(rng.choice(WORDS)) if rng.random() < 0.3 else None,
        )
        expected = len(brute_force(town, lon, lat, radius, filters, 10**6))
        assert store.count_near(town, lon, lat, radius, filters) == expected


def test_the_count_goes_past_the_longest_list_nearby_search_gives(town: orm.Session) -> None:
    count = store.count_near(town, -2.32, 51.23, 100_000)
    assert count == len(brute_force(town, -2.32, 51.23, 100_000, AssetFilter(), 10**6))
    assert count > 1000


def test_nothing_near_counts_nought(town: orm.Session) -> None:
    assert store.count_near(town, 0.0, 0.0, 5000) == 0


@pytest.mark.parametrize(("lon", "lat", "radius"), [(-2.3, 95.0, 100), (-2.3, 51.2, 0)])
def test_a_bad_point_or_radius_is_refused(
    town: orm.Session, lon: float, lat: float, radius: float
) -> None:
    with pytest.raises(ValueError):
        store.count_near(town, lon, lat, radius)
