"""A planner limited to neighbourhoods exports, imports and runs checks only there."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
import shapely
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from assetmap.domain.vocab import Status
from assetmap.storage import roles
from assetmap.storage.models import (
    Asset,
    CheckResponse,
    CheckRevision,
    Neighbourhood,
    StrengthCheck,
)
from assetmap.web import db
from tests.web.helpers import (
    add_user,
    confirm,
    count,
    decide,
    error_beside,
    export,
    form_token,
    post,
    publish,
    sign_in_as,
    start,
    text,
    upload,
)

MINE = ("frome-keyford", "frome-park")


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


def areas(app: Flask) -> dict[str, tuple[int, str, BaseGeometry]]:
    with app.app_context(), db.database().session() as session:
        rows = session.execute(
            sa.select(
                Neighbourhood.code, Neighbourhood.id, Neighbourhood.name, Neighbourhood.boundary
            )
        )
        return {code: (n, name, shapely.from_wkb(wkb)) for code, n, name, wkb in rows}


def point_in(app: Flask, code: str) -> tuple[float, float]:
    point = areas(app)[code][2].representative_point()
    return point.x, point.y


def staff(
    app: Flask, email: str, scope: tuple[str, ...] = (), role: str = "planner"
) -> FlaskClient:
    known = areas(app)
    user_id = add_user(app, email, role)
    with app.app_context(), db.database().session() as session:
        ids = [known[code][0] for code in scope]
        roles.change_role(session, user_id, role=role, neighbourhoods=ids, by=None)
        session.commit()
    client = app.test_client()
    sign_in_as(client, email)
    return client


@pytest.fixture
def scoped(app: Flask) -> FlaskClient:
    return staff(app, "keyford-planner@example.org", MINE)


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return staff(app, "town-planner@example.org")


def published_in(app: Flask, codes: tuple[str, ...] | None) -> int:
    query = sa.select(sa.func.count()).select_from(Asset).where(Asset.status == Status.PUBLISHED)
    if codes is not None:
        ids = [n for code, (n, _, _) in areas(app).items() if code in codes]
        query = query.where(Asset.neighbourhood_id.in_(ids))
    with app.app_context(), db.database().session() as session:
        return session.scalar(query) or 0


def test_a_scoped_planner_exports_only_strengths_in_their_neighbourhoods(
    app: Flask, scoped: FlaskClient
) -> None:
    response = export(scoped)
    assert response.status_code == 200
    features = orjson.loads(response.get_data())["features"]
    assert {f["properties"]["neighbourhood"] for f in features} == {"Keyford", "Park"}
    assert len(features) == published_in(app, MINE) < published_in(app, None)


def test_a_bounding_box_narrows_a_scoped_export_further(app: Flask, scoped: FlaskClient) -> None:
    west, south, east, north = -2.33, 51.215, -2.31, 51.235
    response = export(scoped, bbox=f"{west},{south},{east},{north}")
    features = orjson.loads(response.get_data())["features"]
    assert features
    assert {f["properties"]["neighbourhood"] for f in features} <= {"Keyford", "Park"}
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert west <= lon <= east and south <= lat <= north
    assert len(features) < published_in(app, MINE)


def test_a_scoped_planner_may_export_one_of_their_neighbourhoods(scoped: FlaskClient) -> None:
    features = orjson.loads(export(scoped, neighbourhood="frome-park").get_data())["features"]
    assert features and {f["properties"]["neighbourhood"] for f in features} == {"Park"}


def test_a_neighbourhood_outside_the_scope_is_refused(scoped: FlaskClient) -> None:
    response = export(scoped, neighbourhood="frome-market")
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    page = text(response.get_data(as_text=True))
    assert "There is a problem" in page
    assert "neighbourhood 'frome-market' is outside your neighbourhoods" in page


def test_the_export_form_offers_a_scoped_planner_only_their_neighbourhoods(
    scoped: FlaskClient,
) -> None:
    page = scoped.get("/exchange").get_data(as_text=True)
    offered = re.findall(r'<option value="(frome-[a-z-]+)"', page)
    assert sorted(offered) == sorted(MINE)
    assert "All of your neighbourhoods" in page


def test_an_unscoped_planner_exports_the_whole_register(app: Flask, planner: FlaskClient) -> None:
    features = orjson.loads(export(planner).get_data())["features"]
    assert len(features) == published_in(app, None)
    assert len({f["properties"]["neighbourhood"] for f in features}) == len(areas(app))
    page = planner.get("/exchange").get_data(as_text=True)
    assert len(re.findall(r'<option value="frome-', page)) == len(areas(app))


def table_rows(page: str) -> list[list[str]]:
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S)
    cells = [re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S) for row in rows]
    return [[text(cell) for cell in row] for row in cells if row]


def csv_of(*rows: tuple[str, tuple[float, float]]) -> bytes:
    lines = ["kind,title,themes,lon,lat"]
    lines += [f"group,{title},arts,{lon},{lat}" for title, (lon, lat) in rows]
    return ("\n".join(lines) + "\n").encode()


def test_an_import_with_a_row_outside_the_scope_is_refused(app: Flask, scoped: FlaskClient) -> None:
    before = count(app, Asset)
    data = csv_of(
        ("Keyford knitters", point_in(app, "frome-keyford")),
        ("Market singers", point_in(app, "frome-market")),
    )
    response = upload(scoped, data, "groups.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing can be imported from this file yet" in page
    assert ["row 3", "Market singers", "location", "is outside your neighbourhoods"] in (
        table_rows(page)
    )
    confirm(scoped)
    assert count(app, Asset) == before


def test_a_feature_outside_the_scope_is_named_in_a_geojson_import(
    app: Flask, scoped: FlaskClient
) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(point_in(app, code))},
            "properties": {"kind": "group", "title": title, "themes": ["arts"]},
        }
        for code, title in (("frome-park", "Park painters"), ("frome-college", "College choir"))
    ]
    document = orjson.dumps({"type": "FeatureCollection", "features": features})
    page = upload(scoped, document, "groups.geojson").get_data(as_text=True)
    assert ["feature 2", "College choir", "location", "is outside your neighbourhoods"] in (
        table_rows(page)
    )


def test_an_import_inside_the_scope_is_written(app: Flask, scoped: FlaskClient) -> None:
    before = count(app, Asset)
    data = csv_of(
        ("Keyford knitters", point_in(app, "frome-keyford")),
        ("Park painters", point_in(app, "frome-park")),
    )
    response = upload(scoped, data, "groups.csv")
    assert response.status_code == 200
    assert "Import: add 2, update 0" in response.get_data(as_text=True)
    assert confirm(scoped).status_code == 302
    assert count(app, Asset) == before + 2


def test_a_scoped_planner_cannot_move_in_a_strength_from_outside(
    app: Flask, planner: FlaskClient, scoped: FlaskClient
) -> None:
    market, keyford = point_in(app, "frome-market"), point_in(app, "frome-keyford")
    first = f"id,kind,title,themes,lon,lat\nm-1,group,Market singers,arts,{market[0]},{market[1]}\n"
    assert upload(planner, first.encode(), "groups.csv").status_code == 200
    assert confirm(planner).status_code == 302
    moved = first.replace(f"{market[0]},{market[1]}", f"{keyford[0]},{keyford[1]}")
    response = upload(scoped, moved.encode(), "groups.csv")
    assert response.status_code == 400
    rows = table_rows(response.get_data(as_text=True))
    assert any(row[0] == "row 2" and row[2] == "id" and "outside your" in row[3] for row in rows)


def test_an_unscoped_planner_imports_anywhere(app: Flask, planner: FlaskClient) -> None:
    data = csv_of(
        ("Keyford knitters", point_in(app, "frome-keyford")),
        ("Market singers", point_in(app, "frome-market")),
    )
    response = upload(planner, data, "groups.csv")
    assert response.status_code == 200
    assert "Import: add 2, update 0" in response.get_data(as_text=True)


def outline(app: Flask, *codes: str) -> str:
    shape = shapely.union_all([areas(app)[code][2] for code in codes])
    return orjson.dumps(mapping(shape)).decode()


def test_a_scoped_planner_starts_a_check_within_their_neighbourhoods(
    app: Flask, scoped: FlaskClient
) -> None:
    assert start(scoped, polygon=outline(app, "frome-keyford")).status_code == 302
    named = start(scoped, catchment="neighbourhoods", neighbourhoods=list(MINE))
    assert named.status_code == 302
    assert count(app, StrengthCheck) == 2


def centre(app: Flask, code: str) -> dict[str, str]:
    lon, lat = point_in(app, code)
    return {"lon": str(lon), "lat": str(lat)}


BEYOND = {
    "drawn": lambda app: {"polygon": outline(app, "frome-keyford", "frome-market")},
    "named": lambda app: {
        "catchment": "neighbourhoods",
        "neighbourhoods": ["frome-keyford", "frome-market"],
    },
    "radius": lambda app: {
        "catchment": "radius",
        **centre(app, "frome-keyford"),
        "radius_m": "3000",
    },
}


@pytest.mark.parametrize("how", sorted(BEYOND))
def test_a_check_reaching_beyond_the_scope_is_refused_beside_the_catchment(
    app: Flask, scoped: FlaskClient, how: str
) -> None:
    response = start(scoped, **BEYOND[how](app))
    assert response.status_code == 400
    message = error_beside(response.get_data(as_text=True), "catchment")
    assert message == "Error: The catchment must lie within your neighbourhoods: Keyford, Park"
    assert count(app, StrengthCheck) == 0


def test_the_check_form_offers_a_scoped_planner_only_their_neighbourhoods(
    scoped: FlaskClient,
) -> None:
    page = scoped.get("/checks/new").get_data(as_text=True)
    offered = re.findall(r'name="neighbourhoods" type="checkbox" value="([^"]+)"', page)
    assert sorted(offered) == sorted(MINE)


def decided_check(app: Flask, client: FlaskClient, *codes: str) -> int:
    assert start(client, polygon=outline(app, *codes)).status_code == 302
    check_id = count(app, StrengthCheck)
    assert decide(client, check_id).status_code == 302
    return check_id


def state(app: Flask, check_id: int) -> tuple[Any, int]:
    with app.app_context(), db.database().session() as session:
        check = session.get(StrengthCheck, check_id)
        assert check is not None
        revisions = session.scalar(
            sa.select(sa.func.count())
            .select_from(CheckRevision)
            .where(CheckRevision.check_id == check_id)
        )
        return check.published_at, revisions or 0


def test_a_scoped_planner_cannot_change_a_check_beyond_their_scope(
    app: Flask, planner: FlaskClient, scoped: FlaskClient
) -> None:
    check_id = decided_check(app, planner, "frome-market")
    before = state(app, check_id)
    listing = scoped.get("/checks")
    assert listing.status_code == 200 and "Community kitchen" in listing.get_data(as_text=True)
    token = form_token(scoped, f"/checks/{check_id}")
    for action in ("publish", "run-again", "decision", "edit"):
        response = scoped.post(f"/checks/{check_id}/{action}", data={"csrf_token": token})
        assert response.status_code == 403, action
    assert scoped.get(f"/checks/{check_id}/edit").status_code == 403
    assert state(app, check_id) == before and before[0] is None


def test_a_scoped_planner_cannot_act_on_a_response_beyond_their_scope(
    app: Flask, planner: FlaskClient, scoped: FlaskClient
) -> None:
    check_id = decided_check(app, planner, "frome-market")
    assert publish(planner, check_id).status_code == 302
    resident = staff(app, "resident@example.org", role="resident")
    answer = {"missed": "The lunch club", "take_part": "", "comment": ""}
    assert post(resident, f"/checks/{check_id}/respond", **answer).status_code == 302
    with app.app_context(), db.database().session() as session:
        response_id = session.scalars(sa.select(CheckResponse.id)).one()
    token = form_token(scoped, f"/checks/{check_id}")
    marked = scoped.post(
        f"/checks/{check_id}/responses/{response_id}/acted-upon",
        data={"note": "Funded the lunch club", "csrf_token": token},
    )
    assert marked.status_code == 403
    with app.app_context(), db.database().session() as session:
        response = session.get(CheckResponse, response_id)
        assert response is not None and response.acted_on_at is None


def test_a_scoped_planner_publishes_a_check_within_their_scope(
    app: Flask, scoped: FlaskClient
) -> None:
    check_id = decided_check(app, scoped, "frome-keyford")
    assert publish(scoped, check_id).status_code == 302
    assert state(app, check_id)[0] is not None


def test_an_unscoped_planner_publishes_a_check_anywhere(app: Flask, planner: FlaskClient) -> None:
    check_id = decided_check(app, planner, "frome-market", "frome-college")
    assert publish(planner, check_id).status_code == 302
    assert state(app, check_id)[0] is not None


def test_a_scoped_planner_sees_no_controls_on_a_check_beyond_their_scope(
    app: Flask, planner: FlaskClient, scoped: FlaskClient
) -> None:
    check_id = decided_check(app, planner, "frome-market")
    page = scoped.get(f"/checks/{check_id}").get_data(as_text=True)
    assert f"/checks/{check_id}/publish" not in page
    assert f"/checks/{check_id}/edit" not in page
    unscoped = planner.get(f"/checks/{check_id}").get_data(as_text=True)
    assert f"/checks/{check_id}/publish" in unscoped
