from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from shapely.geometry import Point
from sqlalchemy import orm

from assetmap import create_app
from assetmap.domain.assets import AssetDraft
from assetmap.domain.vocab import Role
from assetmap.storage import assets as store
from assetmap.storage import database as db
from assetmap.storage.area import stored_area
from assetmap.storage.models import Asset, Neighbourhood, ServiceArea, User, UserScope
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db as web_db
from tests.exchange.boundary_files import (
    BRITISH_NATIONAL_GRID,
    bow_tie_around,
    demo,
    distance_m,
    geojson,
    grown,
    holed,
    ons_geopackage,
    shapefile,
    without_crs,
    zipped,
)

Draft = Callable[..., AssetDraft]


@pytest.fixture
def app(database: db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    web_db.database(app).dispose()


def run(app: Flask, path: Path, *options: str) -> Result:
    args = ["area", "import-neighbourhoods", str(path), *options]
    return app.test_cli_runner().invoke(args=args)


def demo_stored(session: orm.Session) -> dict[str, int]:
    areas = [Area(r.code, r.name, r.geometry) for r in demo().itertuples()]
    replace_neighbourhoods(session, areas)
    session.commit()
    return dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())


def snapshot(session: orm.Session) -> tuple[Any, ...]:
    session.expire_all()
    return (
        session.execute(
            sa.select(
                Neighbourhood.id, Neighbourhood.code, Neighbourhood.name, Neighbourhood.boundary
            ).order_by(Neighbourhood.id)
        ).all(),
        session.execute(sa.select(UserScope.user_id, UserScope.neighbourhood_id)).all(),
        session.execute(sa.select(Asset.id, Asset.neighbourhood_id).order_by(Asset.id)).all(),
        session.scalars(sa.select(ServiceArea.boundary)).all(),
    )


def inside(code: str) -> Point:
    frame = demo().set_index("code")
    return frame.loc[code, "geometry"].representative_point()


def square_south_of_town() -> shapely.Geometry:
    centre = gpd.GeoSeries([Point(-2.32, 51.205)], crs=4326).to_crs(BRITISH_NATIONAL_GRID)
    return centre.buffer(300, cap_style="square").to_crs(4326).iloc[0]


def test_a_projected_shapefile_becomes_the_neighbourhoods_and_their_area(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    result = run(app, shapefile(demo().to_crs(BRITISH_NATIONAL_GRID), tmp_path))
    assert result.exit_code == 0, result.output
    assert "Added 7 neighbourhoods:" in result.output
    assert "Imported 7 neighbourhoods." in result.output
    original = demo().set_index("code")
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.boundary)).all()
    assert sorted(code for code, _ in rows) == sorted(original.index)
    for code, boundary in rows:
        assert distance_m(shapely.from_wkb(boundary), original.loc[code, "geometry"]) < 1.0
    area = stored_area(session)
    assert area is not None
    assert all(area.outline.covers(shapely.from_wkb(boundary)) for _, boundary in rows)


def test_a_zipped_shapefile_is_imported(app: Flask, session: orm.Session, tmp_path: Path) -> None:
    shp = shapefile(demo().to_crs(BRITISH_NATIONAL_GRID), tmp_path)
    result = run(app, zipped(shp, "Wards/"))
    assert result.exit_code == 0, result.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Neighbourhood)) == 7


def test_a_geopackage_layer_with_ons_columns_is_imported(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    result = run(app, ons_geopackage(tmp_path), "--layer", "wards_may_2024")
    assert result.exit_code == 0, result.output
    assert "Codes are read from WD24CD, names from WD24NM." in result.output
    assert "OSGB36 (EPSG:4277)" in result.output


def test_reimporting_changes_adds_and_removes_by_code(
    app: Flask, session: orm.Session, tmp_path: Path, make_draft: Draft
) -> None:
    ids = demo_stored(session)
    planner = User(
        email="planner@example.org",
        role=Role.PLANNER,
        scope_rows=[UserScope(neighbourhood_id=ids["frome-keyford"])],
    )
    gone = User(
        email="park@example.org",
        role=Role.PLANNER,
        scope_rows=[
            UserScope(neighbourhood_id=ids["frome-park"]),
            UserScope(neighbourhood_id=ids["frome-market"]),
        ],
    )
    session.add_all([planner, gone])
    south = square_south_of_town()
    in_park = store.add_asset(
        session,
        make_draft(lon=inside("frome-park").x, lat=inside("frome-park").y),
        owner_id=None,
        cell_m=1,
    )
    in_south = store.add_asset(
        session, make_draft(lon=south.centroid.x, lat=south.centroid.y), owner_id=None, cell_m=1
    )
    session.commit()
    frame = grown(demo(), "frome-market", 30)
    frame = frame[frame["code"] != "frome-park"]
    frame = gpd.GeoDataFrame(
        [*frame.to_dict("records"), {"code": "frome-south", "name": "South", "geometry": south}],
        crs=4326,
    )
    result = run(app, zipped(shapefile(frame.to_crs(BRITISH_NATIONAL_GRID), tmp_path)))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Added 1 neighbourhood:" in lines and "  South (frome-south)" in lines
    assert "  Market (frome-market): a new boundary" in lines
    assert "Removed 1 neighbourhood:" in lines and "  Park (frome-park)" in lines
    assert "5 neighbourhoods unchanged." in lines
    assert "1 staff account lost a neighbourhood from their scope." in lines
    session.expire_all()
    after = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
    assert {c: after[c] for c in ids if c != "frome-park"} == {
        c: i for c, i in ids.items() if c != "frome-park"
    }
    assert planner.neighbourhoods == {ids["frome-keyford"]}
    assert gone.neighbourhoods == {ids["frome-market"]}
    assert in_park.neighbourhood_id is None
    assert in_south.neighbourhood_id == after["frome-south"]


def test_removing_the_only_neighbourhood_a_planner_works_in_is_refused(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    ids = demo_stored(session)
    session.add(
        User(
            email="park@example.org",
            role=Role.PLANNER,
            scope_rows=[UserScope(neighbourhood_id=ids["frome-park"])],
        )
    )
    session.commit()
    before = snapshot(session)
    frame = demo()
    result = run(app, geojson(frame[frame["code"] != "frome-park"], tmp_path))
    assert result.exit_code != 0
    assert "Park (frome-park)" in result.output and "park@example.org" in result.output
    session.expire_all()
    assert snapshot(session) == before


def test_a_dry_run_says_what_would_change_and_writes_nothing(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    demo_stored(session)
    before = snapshot(session)
    frame = demo()[demo()["code"] != "frome-park"]
    result = run(app, geojson(frame, tmp_path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would remove 1 neighbourhood:" in result.output
    assert result.output.splitlines()[-1] == "Dry run: nothing was written."
    assert snapshot(session) == before


def test_a_file_in_metres_stating_no_crs_is_refused_and_changes_nothing(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    demo_stored(session)
    before = snapshot(session)
    shp = shapefile(without_crs(demo().to_crs(BRITISH_NATIONAL_GRID)), tmp_path)
    result = run(app, shp)
    assert result.exit_code == 1
    assert "wards.shp does not say which coordinate system it uses" in result.output
    assert "Save it with its .prj file, or as GeoJSON in WGS84." in result.output
    assert snapshot(session) == before


def test_a_file_in_degrees_stating_no_crs_is_imported_and_says_so(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    result = run(app, shapefile(without_crs(demo()), tmp_path))
    assert result.exit_code == 0, result.output
    assert "so they were read as WGS84 (EPSG:4326)" in result.output


def test_duplicate_codes_are_refused_naming_them(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    frame = demo()
    frame.loc[[0, 4], "code"] = "frome-twice"
    result = run(app, geojson(frame, tmp_path))
    assert result.exit_code == 1
    assert "codes: must be unique; given more than once: frome-twice (features 1, 5)" in (
        result.output
    )


def test_a_bow_tie_is_mended_and_reported(app: Flask, session: orm.Session, tmp_path: Path) -> None:
    frame = demo()
    frame.loc[3, "geometry"] = bow_tie_around(frame.loc[3, "geometry"])
    result = run(app, geojson(frame, tmp_path))
    assert result.exit_code == 0, result.output
    assert "Mended 1 shape that crossed itself: College (frome-college)." in result.output


def test_overlaps_and_gaps_are_warned_of_and_imported(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    frame = holed(grown(demo(), "frome-market", 30), "frome-oakfield", 40)
    result = run(app, geojson(frame, tmp_path))
    assert result.exit_code == 0, result.output
    assert "Warning: Market (frome-market) and Keyford (frome-keyford) overlap by" in result.output
    assert "Warning: a gap of 5,022 m² lies between the neighbourhoods" in result.output


def test_a_bad_feature_last_changes_nothing(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    demo_stored(session)
    before = snapshot(session)
    frame = grown(demo(), "frome-market", 30)
    frame.loc[6, "geometry"] = frame.loc[6, "geometry"].exterior
    result = run(app, geojson(frame, tmp_path))
    assert result.exit_code == 1
    assert result.output.startswith("Error: Nothing was imported.\n")
    assert "feature 7 (frome-park): is a LineString, not a polygon or multipolygon" in (
        result.output
    )
    assert snapshot(session) == before


def test_a_geopackage_of_several_layers_is_refused_naming_them(
    app: Flask, session: orm.Session, tmp_path: Path
) -> None:
    result = run(app, ons_geopackage(tmp_path))
    assert result.exit_code == 1
    assert "holds 2 layers: wards_may_2024, parishes; say which to import with --layer" in (
        result.output
    )
