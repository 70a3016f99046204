from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft, validate_asset
from assetmap.domain.geo import WORLD, BBox
from assetmap.domain.query import AssetFilter
from assetmap.domain.vocab import Kind, Theme
from assetmap.exchange.demo import default_folder
from assetmap.storage import assets as store
from assetmap.storage import clusters
from assetmap.storage.aggregates import rebuild_map_cells
from assetmap.storage.clusters import CACHE_CELL_LAT, CACHE_CELL_LON, STORED_LEVELS, Grid
from assetmap.storage.models import Asset, AssetTheme, MapCell
from assetmap.storage.moderation import hide_asset, restore_asset
from tests.exchange.helpers import import_path

Draft = Callable[..., AssetDraft]
TOWN = BBox(-2.42, 51.19, -2.24, 51.27)


def add(session: orm.Session, draft: AssetDraft) -> int:
    asset = store.add_asset(session, draft, owner_id=None, cell_m=400.0)
    session.commit()
    return asset.id


def spread(count: int, seed: int = 4) -> list[AssetDraft]:
    rng = np.random.default_rng(seed)
    kinds, themes = list(Kind), list(Theme)
    return [
        validate_asset(
            {
                "kind": kinds[i % 3].value,
                "title": f"Strength {i}",
                "lon": round(float(rng.uniform(-2.40, -2.26)), 6),
                "lat": round(float(rng.uniform(51.20, 51.26)), 6),
                "themes": [themes[i % 12].value, themes[(i + 5) % 12].value][: 1 + i % 2],
                "share_modes": ["teach"] if i % 3 == 0 else [],
            }
        )
        for i in range(count)
    ]


Key = tuple[int, str, int, int, str]


def stored(session: orm.Session) -> dict[Key, tuple[int, float, float]]:
    rows = session.execute(sa.select(MapCell).where(MapCell.count != 0)).scalars()
    return {
        (c.level, c.theme, c.lon_cell, c.lat_cell, c.kind): (c.count, c.sum_lon, c.sum_lat)
        for c in rows
    }


def counted(session: orm.Session) -> int:
    return sum(n for key, (n, *_) in stored(session).items() if key[:2] == (0, ""))


def recounted(session: orm.Session) -> dict[Key, tuple[int, float, float]]:
    found: dict[Key, list[float]] = {}
    assets = session.scalars(sa.select(Asset).where(Asset.status == "published"))
    for asset, level in itertools.product(assets, range(STORED_LEVELS)):
        column = int((asset.public_lon + 180.0) // CACHE_CELL_LON) >> level
        row = int((asset.public_lat + 90.0) // CACHE_CELL_LAT) >> level
        for theme in ("", *(row.theme for row in asset.theme_rows)):
            total = found.setdefault((level, theme, column, row, asset.kind.value), [0, 0.0, 0.0])
            total[0] += 1
            total[1] += asset.public_lon
            total[2] += asset.public_lat
    return {key: (int(n), lon, lat) for key, (n, lon, lat) in found.items()}


def assert_recounted(session: orm.Session) -> None:
    kept, fresh = stored(session), recounted(session)
    assert kept.keys() == fresh.keys()
    for key, (count, lon, lat) in fresh.items():
        assert kept[key] == (count, pytest.approx(lon, abs=1e-9), pytest.approx(lat, abs=1e-9))


def test_new_strengths_are_counted_in_their_cells_and_themes(
    session: orm.Session, make_draft: Draft
) -> None:
    add(session, make_draft(themes=["sport", "arts"]))
    add(session, make_draft(kind="space", lon=-2.3211))
    assert_recounted(session)
    assert {key[1] for key in stored(session)} == {"", "sport", "arts"}


def test_a_bulk_add_is_counted(session: orm.Session) -> None:
    store.add_assets(session, spread(300), owner_id=None, cell_m=400.0)
    session.commit()
    assert counted(session) == 300
    assert_recounted(session)


def test_moves_and_theme_changes_move_the_counts(session: orm.Session) -> None:
    store.add_assets(session, spread(60), owner_id=None, cell_m=400.0)
    session.commit()
    ids = session.scalars(sa.select(Asset.id).order_by(Asset.id)).all()
    changes = [
        {"lon": -2.2999, "lat": 51.2401},
        {"themes": ["food"]},
        {"themes": ["food", "sport"]},
        {"title": "Only the title"},
    ]
    for asset_id, change in zip(ids[1::3], changes, strict=False):
        store.update_asset(session, asset_id, change, by=None, cell_m=400.0)
        session.commit()
        assert_recounted(session)


def test_changes_written_in_sql_are_counted(session: orm.Session) -> None:
    store.add_assets(session, spread(90), owner_id=None, cell_m=400.0)
    session.commit()
    session.execute(sa.update(Asset).where(Asset.id % 4 == 0).values(kind="space"))
    session.execute(sa.update(Asset).where(Asset.id % 5 == 0).values(status="withdrawn"))
    session.execute(
        sa.update(Asset).where(Asset.id % 7 == 0).values(public_lon=Asset.public_lon + 0.01)
    )
    renamed = AssetTheme.theme + "-old"
    session.execute(sa.update(AssetTheme).where(AssetTheme.asset_id % 3 == 0).values(theme=renamed))
    session.commit()
    assert_recounted(session)


def test_hidden_withdrawn_and_deleted_strengths_leave_the_counts(
    session: orm.Session, make_draft: Draft
) -> None:
    hidden = add(session, make_draft(themes=["sport"]))
    gone = add(session, make_draft(lon=-2.3211, themes=["arts"]))
    deleted = add(session, make_draft(lon=-2.3311, themes=["food", "arts"]))
    hide_asset(session, hidden, by=None, reason="Spam")
    store.withdraw_asset(session, gone, by=None)
    session.commit()
    assert_recounted(session)
    session.execute(sa.delete(Asset).where(Asset.id == deleted))
    session.commit()
    assert stored(session) == {}
    restore_asset(session, hidden, by=None)
    session.commit()
    assert_recounted(session)
    assert len(stored(session)) == 2 * STORED_LEVELS


def test_deleting_theme_rows_leaves_the_strength_counted_without_them(
    session: orm.Session, make_draft: Draft
) -> None:
    first = add(session, make_draft(themes=["food", "arts"]))
    add(session, make_draft(lon=-2.3211))
    session.execute(sa.delete(AssetTheme).where(AssetTheme.asset_id == first))
    session.commit()
    assert_recounted(session)
    assert {key[1] for key in stored(session)} == {"", "sport"}


def test_an_import_is_counted(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    path.write_text(
        "kind,title,themes,lon,lat\n"
        "group,Knitters,arts,-2.32,51.23\n"
        "space,Library,learning,-2.3185,51.2305\n"
    )
    report = import_path(session, path)
    assert report.written
    assert_recounted(session)
    assert counted(session) == 2


def test_a_skills_exact_point_never_reaches_the_cells(
    session: orm.Session, make_draft: Draft
) -> None:
    exact = (-2.32137, 51.23011)
    asset_id = add(session, make_draft(kind="skill", lon=exact[0], lat=exact[1]))
    asset = session.get(Asset, asset_id)
    assert asset is not None and (asset.public_lon, asset.public_lat) != exact
    sums = {(lon, lat) for _, lon, lat in stored(session).values()}
    assert sums == {(asset.public_lon, asset.public_lat)}
    store.update_asset(session, asset_id, {"lon": -2.3214, "lat": 51.2302}, by=None, cell_m=400.0)
    session.commit()
    assert -2.3214 not in {lon for _, lon, _ in stored(session).values()}
    assert_recounted(session)


def test_a_rebuild_counts_the_same_as_the_triggers(session: orm.Session) -> None:
    store.add_assets(session, spread(200), owner_id=None, cell_m=400.0)
    session.commit()
    kept = stored(session)
    assert rebuild_map_cells(session) == len(kept)
    session.commit()
    assert stored(session).keys() == kept.keys()
    assert_recounted(session)


def test_the_map_answers_on_the_demo_as_the_counted_cells_did(
    session: orm.Session, tmp_path: Path
) -> None:
    assert import_path(session, default_folder() / "assets.geojson").written
    filters = [
        AssetFilter(),
        AssetFilter.parse(kinds=["group"]),
        AssetFilter.parse(themes=["arts"]),
    ]
    for zoom in (5, 10, 12, 14):
        for bbox in (TOWN, WORLD, BBox(-2.33, 51.22, -2.30, 51.24)):
            for chosen in filters:
                grid = Grid.covering(bbox, zoom)
                side = 2 ** clusters.stored_level(grid.zoom)
                counted = clusters.fine_cells(
                    session, chosen, None, CACHE_CELL_LON * side, CACHE_CELL_LAT * side
                )
                before = grid.roll_up(counted, chosen.kinds)
                assert clusters.grid_clusters(session, bbox, zoom, chosen) == before
