from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.geo import WORLD, BBox
from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Action, Kind, ShareMode, Theme
from assetmap.storage import assets as store
from assetmap.storage import clusters
from assetmap.storage import database as db
from assetmap.storage.aggregates import AggregateCache
from assetmap.storage.clusters import Grid, map_view
from assetmap.storage.listing import history_summary, list_page
from assetmap.storage.models import Asset
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

TOWN = BBox(-2.42, 51.19, -2.24, 51.27)
Draft = Callable[..., AssetDraft]


def add(session: orm.Session, draft: AssetDraft) -> int:
    asset = store.add_asset(session, draft, owner_id=None, cell_m=400.0)
    session.commit()
    return asset.id


def spread(count: int, seed: int = 4) -> list[AssetDraft]:
    rng = np.random.default_rng(seed)
    kinds = list(Kind)
    return [
        AssetDraft(
            kind=kinds[i % 3],
            title=f"Strength {i}",
            lon=round(float(rng.uniform(-2.40, -2.26)), 6),
            lat=round(float(rng.uniform(51.20, 51.26)), 6),
            themes=(list(Theme)[i % 12],),
            share_modes=(ShareMode.TEACH,) if kinds[i % 3] is Kind.SKILL else (),
        )
        for i in range(count)
    ]


def load(session: orm.Session, drafts: list[AssetDraft]) -> None:
    store.add_assets(session, drafts, owner_id=None, cell_m=400.0)
    session.commit()


def test_a_street_with_few_strengths_shows_each_one(
    session: orm.Session, make_draft: Draft
) -> None:
    first = add(session, make_draft(title="Choir"))
    second = add(session, make_draft(title="Allotment", kind="space", lon=-2.3215))
    view = map_view(session, BBox(-2.33, 51.225, -2.31, 51.235), 16)
    assert not view.clustered
    assert [(a.id, a.title) for a in view.points] == [(first, "Choir"), (second, "Allotment")]


def test_a_skill_is_shown_at_its_public_point_only(session: orm.Session, make_draft: Draft) -> None:
    add(session, make_draft(kind="skill", title="Bike repair", lon=-2.321234, lat=51.230987))
    [point] = map_view(session, TOWN, 16).points
    [cluster] = map_view(session, TOWN, 8).clusters
    assert (point.lon, point.lat) != (-2.321234, 51.230987)
    assert (cluster.lon, cluster.lat) == (point.lon, point.lat)


def test_low_zoom_answers_clusters_that_count_every_strength_once(session: orm.Session) -> None:
    load(session, spread(300))
    view = map_view(session, TOWN, 11)
    assert view.clustered and view.points == ()
    assert sum(cluster.count for cluster in view.clusters) == 300
    assert sum(c.kinds[Kind.SKILL] for c in view.clusters) == 100
    assert all(sum(c.kinds.values()) == c.count for c in view.clusters)


def test_a_cluster_sits_at_the_mean_of_its_strengths(
    session: orm.Session, make_draft: Draft
) -> None:
    add(session, make_draft(lon=-2.3210, lat=51.2300))
    add(session, make_draft(lon=-2.3220, lat=51.2310, kind="space"))
    [cluster] = map_view(session, TOWN, 10).clusters
    assert (cluster.lon, cluster.lat) == (-2.3215, 51.2305)
    assert cluster.kinds == {Kind.SKILL: 0, Kind.GROUP: 1, Kind.SPACE: 1}


def test_a_view_holding_too_many_points_is_clustered(
    session: orm.Session, make_draft: Draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clusters, "MAX_POINTS", 2)
    for lon in (-2.3210, -2.3211, -2.3212):
        add(session, make_draft(lon=lon))
    view = map_view(session, TOWN, 17)
    assert view.clustered
    assert sum(cluster.count for cluster in view.clusters) == 3


def test_clusters_follow_the_kind_theme_and_words_asked_for(session: orm.Session) -> None:
    load(session, spread(120))
    wanted = AssetFilter.parse(kinds=["group"], themes=["food", "sport"], words="strength")
    view = map_view(session, TOWN, 9, wanted)
    groups = [d for d in spread(120) if d.kind is Kind.GROUP]
    expected = sum(1 for d in groups if {Theme.FOOD, Theme.SPORT} & set(d.themes))
    assert sum(cluster.count for cluster in view.clusters) == expected
    assert map_view(session, TOWN, 9, AssetFilter(words=("nothing",))).clusters == ()


def test_withdrawn_strengths_are_neither_shown_nor_counted(
    session: orm.Session, make_draft: Draft
) -> None:
    kept = add(session, make_draft(title="Kept"))
    gone = add(session, make_draft(title="Gone"))
    store.withdraw_asset(session, gone, by=None)
    session.commit()
    assert [a.id for a in map_view(session, TOWN, 16).points] == [kept]
    assert [c.count for c in map_view(session, TOWN, 10).clusters] == [1]


def test_stored_clusters_count_every_strength(session: orm.Session) -> None:
    load(session, spread(400))
    for zoom in (6, 10, 12, 13, 14):
        assert sum(c.count for c in clusters.grid_clusters(session, TOWN, zoom)) == 400


def test_the_map_sees_a_new_strength_and_a_withdrawal_at_once(
    session: orm.Session, make_draft: Draft
) -> None:
    first = add(session, make_draft())
    assert [c.count for c in clusters.grid_clusters(session, TOWN, 10)] == [1]
    add(session, make_draft(lon=-2.3211))
    assert [c.count for c in clusters.grid_clusters(session, TOWN, 10)] == [2]
    store.withdraw_asset(session, first, by=None)
    session.commit()
    assert [c.count for c in clusters.grid_clusters(session, TOWN, 10)] == [1]


def test_a_box_of_the_whole_world_at_street_zoom_is_held_to_max_cells() -> None:
    grid = Grid.covering(WORLD, 22)
    assert (grid.x1 - grid.x0 + 1) * (grid.y1 - grid.y0 + 1) <= clusters.MAX_CELLS
    assert grid.bounds() == WORLD


def test_grid_squares_are_web_mercator_tiles_quartered() -> None:
    x, y = clusters.squares_of(np.array([-179.9, 0.1, 179.9]), np.array([84.0, -0.1, -84.0]), 0)
    assert (x.tolist(), y.tolist()) == ([0, 2, 3], [0, 2, 3])


def test_the_squares_covering_a_box_cover_all_of_it() -> None:
    box = BBox(-2.3456, 51.2011, -2.2987, 51.2533)
    bounds = Grid.covering(box, 14).bounds()
    assert bounds.min_lon <= box.min_lon and bounds.max_lon >= box.max_lon
    assert bounds.min_lat <= box.min_lat and bounds.max_lat >= box.max_lat


@pytest.mark.parametrize("zoom", [-1, 23, "1.5", "x", True])
def test_zoom_must_be_a_whole_number_from_0_to_22(zoom: object) -> None:
    with pytest.raises(ValueError, match="zoom must be a whole number from 0 to 22"):
        clusters.check_zoom(zoom)


def test_the_list_sorts_by_title_kind_or_last_confirmed(
    session: orm.Session, make_draft: Draft
) -> None:
    add(session, make_draft(title="banjo club", last_confirmed="2026-01-05"))
    add(session, make_draft(title="Allotment", kind="space", last_confirmed="2026-03-01"))
    add(session, make_draft(title="Choir", last_confirmed="2025-12-31"))

    def titles(**how: object) -> list[str]:
        return [a.title for a in list_page(session, **how).items]  # type: ignore[arg-type]

    assert titles() == ["Allotment", "banjo club", "Choir"]
    assert titles(sort="title", descending=True) == ["Choir", "banjo club", "Allotment"]
    assert titles(sort="kind") == ["banjo club", "Choir", "Allotment"]
    assert titles(sort="confirmed", descending=True) == ["Allotment", "banjo club", "Choir"]


def test_the_list_is_paged_and_counts_every_match(session: orm.Session) -> None:
    load(session, spread(23))
    pages = [list_page(session, per_page=10, page=n) for n in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [10, 10, 3]
    assert {p.total for p in pages} == {23} and pages[0].pages == 3
    assert len({a.id for p in pages for a in p.items}) == 23


def test_the_list_keeps_to_the_filter_and_the_box(session: orm.Session, make_draft: Draft) -> None:
    add(session, make_draft(title="Choir", themes=["arts"]))
    add(session, make_draft(title="Far choir", themes=["arts"], lon=-2.40))
    add(session, make_draft(title="Football", themes=["sport"]))
    found = list_page(
        session, AssetFilter.parse(themes=["arts"]), bbox=BBox(-2.33, 51.2, -2.3, 51.3)
    )
    assert [a.title for a in found.items] == ["Choir"] and found.total == 1


def test_a_bad_sort_is_refused(session: orm.Session) -> None:
    with pytest.raises(ValueError, match="sort must be one of title, kind, confirmed"):
        list_page(session, sort="owner")


def test_history_counts_each_kind_of_change_with_its_dates(
    session: orm.Session, make_draft: Draft
) -> None:
    asset_id = add(session, make_draft())
    for title in ("Choir", "Big choir"):
        store.update_asset(session, asset_id, {"title": title}, by=None, cell_m=400.0)
        session.commit()
    store.confirm_asset(session, asset_id, by=None, today=dt.date(2026, 5, 1))
    session.commit()
    lines = history_summary(session, asset_id)
    assert [(line.action, line.times) for line in lines] == [
        (Action.CREATE, 1),
        (Action.UPDATE, 2),
        (Action.CONFIRM, 1),
    ]
    assert lines[1].first <= lines[1].last and lines[1].last.tzinfo is not None


def test_the_cache_sees_neighbourhoods_replaced_and_recounted(
    session: orm.Session, make_draft: Draft
) -> None:
    cache = AggregateCache()
    replace_neighbourhoods(session, [Area("a", "Keyford", box(-2.33, 51.22, -2.31, 51.24))])
    session.commit()
    add(session, make_draft())
    assert cache.neighbourhoods(session)[["name", "assets"]].values.tolist() == [["Keyford", 1]]
    replace_neighbourhoods(session, [Area("b", "Berkley", box(-2.33, 51.22, -2.30, 51.24))])
    session.commit()
    assert cache.neighbourhoods(session)[["name", "assets"]].values.tolist() == [["Berkley", 1]]


def test_stored_clusters_of_part_of_the_town_count_that_part_to_a_fine_cell(
    session: orm.Session,
) -> None:
    load(session, spread(400))
    west = BBox(-2.40, 51.20, -2.36, 51.26)
    for zoom in (12, 14):
        direct = sum(c.count for c in clusters.grid_clusters(session, west, zoom))
        stored = sum(c.count for c in clusters.grid_clusters(session, west, zoom))
        assert 0 < direct < 400
        assert abs(stored - direct) <= 0.02 * direct


def test_two_processes_see_a_change_at_once(database: db.Database, make_draft: Draft) -> None:
    other = db.connect(database.engine.url.render_as_string(hide_password=False))
    try:
        with database.session() as session:
            add(session, make_draft())
        with other.session() as session:
            assert [c.count for c in clusters.grid_clusters(session, TOWN, 10)] == [1]
        with database.session() as session:
            add(session, make_draft(lon=-2.3211))
        with other.session() as session:
            assert [c.count for c in clusters.grid_clusters(session, TOWN, 10)] == [2]
    finally:
        other.dispose()


def test_neighbourhood_counts_are_held_no_longer_than_their_ttl(
    session: orm.Session, make_draft: Draft
) -> None:
    cache = AggregateCache(ttl_s=0.0)
    replace_neighbourhoods(session, [Area("a", "Keyford", box(-2.33, 51.22, -2.31, 51.24))])
    first = add(session, make_draft())
    add(session, make_draft(lon=-2.3211))
    assert cache.neighbourhoods(session)["assets"].tolist() == [2]
    session.execute(sa.delete(Asset).where(Asset.id == first))
    session.commit()
    assert cache.neighbourhoods(session)["assets"].tolist() == [1]
