from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.geo import BBox
from assetmap.domain.query import LIMIT_MAX, AssetFilter, AssetSummary
from assetmap.storage import assets as store
from assetmap.storage.paging import Mark, box_page, mark_after, near_page

EVERYTHING = AssetFilter()
MARKET = (-2.3213, 51.2296)


@pytest.fixture
def street(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> orm.Session:
    # Pairs at the same point, so paging must break distance ties by id.
    drafts = [
        make_draft(title=f"Club {i}", lon=MARKET[0] + 0.0003 * (i // 2), lat=MARKET[1])
        for i in range(13)
    ]
    store.add_assets(session, drafts, owner_id=None, cell_m=400.0)
    session.commit()
    return session


def pages(read: Callable[[Mark | None], tuple[list[AssetSummary], bool]]) -> list[list[int]]:
    after, found, more = None, [], True
    while more:
        page, more = read(after)
        found.append([item.id for item in page])
        after = mark_after(page, after) if page else after
    return found


def test_near_pages_follow_distance_then_id_without_repeats_or_gaps(street: orm.Session) -> None:
    every = store.assets_near(street, *MARKET, 1000.0, EVERYTHING, 100)
    read = lambda after: near_page(street, *MARKET, 1000.0, EVERYTHING, 4, after)  # noqa: E731
    found = pages(read)
    assert [len(page) for page in found] == [4, 4, 4, 1]
    assert sum(found, []) == [item.id for item in every]
    assert [item.id for item in every] == [
        item.id for item in sorted(every, key=lambda i: (i.distance_m or 0.0, i.id))
    ]


def test_box_pages_follow_id(street: orm.Session) -> None:
    box = BBox(-2.33, 51.22, -2.31, 51.24)
    found = pages(lambda after: box_page(street, box, EVERYTHING, 5, after))
    ids = sum(found, [])
    assert [len(page) for page in found] == [5, 5, 3] and ids == sorted(ids)


def test_a_near_search_pages_no_further_than_the_nearest_it_lists(street: orm.Session) -> None:
    past = Mark(last_id=1, distance_m=0.0, seen=LIMIT_MAX)
    assert near_page(street, *MARKET, 1000.0, EVERYTHING, 4, past) == ([], False)
