"""Attacks on strength checks: reading a withdrawn strength back out of a published check's
findings, tying the server up with a comb-shaped catchment, and a neighbourhood-limited
planner reaching past their neighbourhoods along a thin corridor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import orjson
import pytest
import shapely
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import LineString, mapping
from shapely.geometry.base import BaseGeometry

from assetmap import create_app
from assetmap.domain.catchments import EDGE_M, VERTICES_MAX, Catchment
from assetmap.domain.geo import GEOD, BBox
from assetmap.storage import database as storage_db
from assetmap.storage import roles
from assetmap.storage.models import CheckRevision, Neighbourhood, StrengthCheck
from assetmap.web import db
from tests.web.helpers import (
    PASSWORD,
    add_asset,
    add_user,
    count,
    decide,
    form_token,
    post,
    publish,
    sign_in,
    sign_in_as,
    signed_in,
    start,
    text,
)

AREA = BBox(-2.42, 51.19, -2.24, 51.27)
TITLE = "Saturday bread at 14 Orchard Row"
DESCRIPTION = "Ring Jo on the doorbell marked Flat B"


@pytest.fixture
def app(database: storage_db.Database, tmp_path: Path) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    outbox = str(tmp_path / "outbox")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "MAIL_OUTBOX_DIR": outbox,
            "AREA_BBOX": ",".join(map(str, AREA.as_tuple())),
        }
    )
    yield app
    db.database(app).dispose()


def withdrawn_by_owner(app: Flask, owner: FlaskClient, asset_id: int) -> None:
    assert post(owner, f"/strengths/{asset_id}/withdraw").status_code == 302


def hidden_by_moderator(app: Flask, owner: FlaskClient, asset_id: int) -> None:
    admin = signed_in(app, "admin")
    hidden = post(admin, f"/moderation/assets/{asset_id}/hide", reason="A home address")
    assert hidden.status_code == 302


def owner_deleted_account(app: Flask, owner: FlaskClient, asset_id: int) -> None:
    assert post(owner, "/account/delete", password=PASSWORD).status_code == 302


GONE: dict[str, Callable[[Flask, FlaskClient, int], None]] = {
    "withdrawn by its owner": withdrawn_by_owner,
    "hidden by a moderator": hidden_by_moderator,
    "its owner's account deleted": owner_deleted_account,
}
PUBLIC_VIEWS = {
    "page": "/checks/{id}",
    "report": "/checks/{id}/report",
    "geojson": "/checks/{id}/findings.geojson",
    "csv": "/checks/{id}/findings.csv",
}


def published_with_a_strength_that_left(app: Flask, how: str) -> int:
    """Publish a check that found the owner's strength and supports it; then it leaves."""
    owner = app.test_client()
    owner_id = sign_in(app, owner, "resident", "owner@example.org")
    asset_id = add_asset(
        app, owner_id, title=TITLE, description=DESCRIPTION, themes=["food"], lon=-2.32, lat=51.23
    )
    add_asset(app, title="Soup club", themes=["food"], lon=-2.321, lat=51.231)
    planner = signed_in(app, "planner")
    assert start(planner).status_code == 302
    assert decide(planner, 1, kind="support", strengths=[str(asset_id)]).status_code == 302
    assert publish(planner, 1).status_code == 302
    GONE[how](app, owner, asset_id)
    return 1


@pytest.mark.parametrize("how", sorted(GONE))
def test_a_strength_that_left_the_map_leaves_no_words_in_a_published_check(
    app: Flask, how: str
) -> None:
    check_id = published_with_a_strength_that_left(app, how)
    visitor = app.test_client()
    for view, path in PUBLIC_VIEWS.items():
        body = visitor.get(path.format(id=check_id)).get_data(as_text=True)
        assert "Soup club" in body, view
        assert "Orchard Row" not in body and "Flat B" not in body, view


@pytest.mark.parametrize("how", sorted(GONE))
def test_a_strength_that_left_the_map_is_still_counted_on_a_published_check(
    app: Flask, how: str
) -> None:
    check_id = published_with_a_strength_that_left(app, how)
    page = text(app.test_client().get(f"/checks/{check_id}").get_data(as_text=True))
    assert "2 inside the catchment" in page
    assert "A strength since withdrawn from the map. It is counted here" in page
    assert "Strengths it involves A strength since withdrawn from the map" in page


def test_a_strength_that_left_the_map_has_no_place_or_id_in_the_geojson(app: Flask) -> None:
    check_id = published_with_a_strength_that_left(app, "withdrawn by its owner")
    body = app.test_client().get(f"/checks/{check_id}/findings.geojson").data
    gone = [f for f in orjson.loads(body)["features"] if f["properties"]["withdrawn"]]
    assert len(gone) == 1
    assert gone[0]["geometry"] is None and "id" not in gone[0]
    assert {k for k, v in gone[0]["properties"].items() if v is not None} == {"where", "withdrawn"}


def test_a_strength_that_left_the_map_has_only_where_it_lay_in_the_csv(app: Flask) -> None:
    check_id = published_with_a_strength_that_left(app, "withdrawn by its owner")
    body = app.test_client().get(f"/checks/{check_id}/findings.csv").get_data(as_text=True)
    gone = [r for r in csv.DictReader(io.StringIO(body)) if r["withdrawn"] == "True"]
    assert len(gone) == 1
    assert {k for k, v in gone[0].items() if v} == {"where", "withdrawn"}


def comb(points: int, *, north: float = 51.26) -> dict[str, Any]:
    """Return a comb-shaped GeoJSON polygon over the area of ``points`` corners, its teeth
    reaching up to ``north``."""
    teeth = (points - 2) // 4
    west, east, south = -2.40, -2.26, 51.20
    step = (east - west) / teeth
    ring: list[tuple[float, float]] = []
    for i in range(teeth):
        x = west + i * step
        ring += [(x, south + 0.01), (x, north), (x + step / 2, north), (x + step / 2, south + 0.01)]
    ring += [(east, south), (west, south)]
    return {"type": "Polygon", "coordinates": [[*ring[::-1], ring[-1]]]}


NEAR_THE_CAP = VERTICES_MAX - 10


def stored_catchment(app: Flask, check_id: int) -> Catchment:
    with app.app_context(), db.database().session() as session:
        proposal = session.scalar(
            sa.select(CheckRevision.proposal)
            .where(CheckRevision.check_id == check_id)
            .order_by(CheckRevision.number.desc())
        )
        assert proposal is not None
        return Catchment.from_json(proposal["catchment"])


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_comb_near_the_point_limit_reaching_far_north_is_run_over_the_area_alone(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, title="Soup club", themes=["food"], lon=-2.33, lat=51.205)
    sign_in(app, client, "planner")
    far = comb(NEAR_THE_CAP, north=75.0)
    assert len(far["coordinates"][0]) <= VERTICES_MAX
    assert start(client, polygon=orjson.dumps(far).decode()).status_code == 302
    west, south, east, north = stored_catchment(app, 1).outline().bounds
    assert GEOD.inv(-2.33, AREA.max_lat, -2.33, north)[2] <= EDGE_M * 1.02
    assert "1 inside the catchment" in text(client.get("/checks/1").get_data(as_text=True))


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_fine_comb_near_the_point_limit_can_be_shown_and_run_again(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    fine = orjson.dumps(comb(NEAR_THE_CAP)).decode()
    assert start(client, polygon=fine).status_code == 302
    assert client.get("/checks/1").status_code == 200
    assert post(client, "/checks/1/run-again").status_code == 302
    assert count(app, CheckRevision) == 2


MINE = ("frome-keyford", "frome-park")


def areas(app: Flask) -> dict[str, tuple[int, BaseGeometry]]:
    with app.app_context(), db.database().session() as session:
        rows = session.execute(
            sa.select(Neighbourhood.code, Neighbourhood.id, Neighbourhood.boundary)
        )
        return {code: (n, shapely.from_wkb(wkb)) for code, n, wkb in rows}


def limited_planner(app: Flask) -> FlaskClient:
    known = areas(app)
    user_id = add_user(app, "keyford-planner@example.org", "planner")
    with app.app_context(), db.database().session() as session:
        ids = [known[code][0] for code in MINE]
        roles.change_role(session, user_id, role="planner", neighbourhoods=ids, by=None)
        session.commit()
    client = app.test_client()
    sign_in_as(client, "keyford-planner@example.org")
    return client


def corridor(app: Flask, width_m: float = 40.0) -> str:
    """Return Keyford with a corridor ``width_m`` wide running from it across Market."""
    known = areas(app)
    keyford, market = known["frome-keyford"][1], known["frome-market"][1]
    path = LineString([keyford.representative_point(), market.representative_point()])
    series = gpd.GeoSeries([path], crs="EPSG:4326")
    strip = series.to_crs(series.estimate_utm_crs()).buffer(width_m / 2).to_crs("EPSG:4326")
    outline = shapely.union_all([keyford, strip.iloc[0]])
    assert outline.geom_type == "Polygon" and outline.intersection(market).area > 0
    return orjson.dumps(mapping(outline)).decode()


@pytest.fixture
def town(demo_register: Flask) -> Flask:
    return demo_register


def test_a_limited_planner_cannot_start_a_check_along_a_corridor_past_their_neighbourhoods(
    town: Flask,
) -> None:
    response = start(limited_planner(town), polygon=corridor(town))
    assert response.status_code == 400
    assert "The catchment must lie within your neighbourhoods" in text(
        response.get_data(as_text=True)
    )
    assert count(town, StrengthCheck) == 0


def test_a_limited_planner_cannot_change_a_check_whose_corridor_leaves_their_neighbourhoods(
    town: Flask,
) -> None:
    everywhere = signed_in(town, "planner", "town-planner@example.org")
    assert start(everywhere, polygon=corridor(town)).status_code == 302
    assert decide(everywhere, 1).status_code == 302
    limited = limited_planner(town)
    token = form_token(limited, "/checks/new")
    assert limited.post("/checks/1/publish", data={"csrf_token": token}).status_code == 403
    assert limited.get("/checks/1/edit").status_code == 403
    with town.app_context(), db.database().session() as session:
        check = session.get(StrengthCheck, 1)
        assert check is not None and check.published_at is None
