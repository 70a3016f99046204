from __future__ import annotations

import csv
import io
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain.findings import SHOWN_FIELDS
from assetmap.storage import assets as store
from assetmap.storage.models import Asset, StrengthCheck, User
from assetmap.storage.models.private import PrivatePoint
from assetmap.web import db
from tests.web.helpers import (
    SQUARE,
    add_asset,
    count,
    csrf,
    decide,
    error_beside,
    form_token,
    post,
    proposal,
    publish,
    published_check,
    sign_in,
    signed_in,
    start,
    text,
)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    """An app whose area is a box set around the town."""
    config = {"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test"}
    app = create_app({**config, "AREA_BBOX": "-2.42,51.19,-2.24,51.27"})
    yield app
    db.database(app).dispose()


def test_a_planner_starts_a_check_and_sees_what_is_there(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Soup club", themes=["food"])
    add_asset(app, title="Bread makers", kind="space", lon=-2.325, lat=51.235, themes=["food"])
    add_asset(app, title="Chess club", themes=["learning"])
    add_asset(app, title="Allotment lunches", lon=-2.305, lat=51.23, themes=["food"])
    sign_in(app, client, "planner")
    response = start(client)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "2 inside the catchment" in page and "1 just outside the edge" in page
    assert "Soup club" in page and "Bread makers" in page and "Allotment lunches" in page
    assert "Chess club" not in page


def test_a_resident_cannot_start_a_check(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client)
    assert client.get("/checks/new").status_code == 403


def test_a_visitor_is_sent_to_sign_in_to_start_a_check(client: FlaskClient) -> None:
    response = client.get("/checks/new")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_an_unpublished_check_is_not_public(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    start(client)
    public = app.test_client()
    assert public.get("/checks/1").status_code == 404
    assert public.get("/checks/1/findings.geojson").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {
                "polygon": orjson.dumps(
                    {
                        "type": "Polygon",
                        "coordinates": [
                            [[-2.33, 51.22], [-2.31, 51.24], [-2.31, 51.22], [-2.33, 51.24]]
                        ],
                    }
                ).decode()
            },
            "polygon",
            "it crosses itself",
        ),
        ({"polygon": '{"type": "Polygon", "coordinates": []}'}, "polygon", "The area is empty"),
        (
            {
                "polygon": orjson.dumps(
                    {"type": "Polygon", "coordinates": [[[0.1, 51.5], [0.2, 51.5], [0.2, 51.6]]]}
                ).decode()
            },
            "polygon",
            "The area is outside the area this assetmap covers",
        ),
        (
            {"themes": [], "words": ""},
            "themes",
            "Choose at least one theme or give at least one key word",
        ),
        (
            {"catchment": "neighbourhoods", "neighbourhoods": ["atlantis"]},
            "neighbourhoods",
            "'atlantis' is not a neighbourhood",
        ),
        (
            {"catchment": "radius", "place": "Nowhere Lane", "lon": "", "lat": ""},
            "place",
            "The place was not found",
        ),
    ],
)
def test_bad_input_is_answered_beside_the_field_and_nothing_is_saved(
    app: Flask, client: FlaskClient, overrides: dict[str, Any], field: str, message: str
) -> None:
    sign_in(app, client, "planner")
    response = start(client, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in error_beside(page, field)
    assert f'href="#{field}"' in page
    assert count(app, StrengthCheck) == 0


def test_a_mended_polygon_is_saved_and_the_person_told(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    unclosed = {"type": "Polygon", "coordinates": [SQUARE["coordinates"][0][:-1]]}
    response = start(client, polygon=orjson.dumps(unclosed).decode())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The outline was not closed; its last point now joins its first." in page
    assert count(app, StrengthCheck) == 1


def test_a_radius_can_be_given_by_a_place_name(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Soup club", lon=-2.3213, lat=51.2299, themes=["food"])
    sign_in(app, client, "planner")
    response = start(client, catchment="radius", place="Market Place", radius_m="300")
    page = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Within 300 metres of 51.22960, -2.32130" in page
    assert "1 inside the catchment" in page


def test_the_check_page_keeps_its_findings_after_a_strength_changes(
    app: Flask, client: FlaskClient
) -> None:
    soup = add_asset(app, title="Soup club", themes=["food"])
    sign_in(app, client, "planner")
    start(client)
    with app.app_context(), db.database().session() as session:
        store.update_asset(session, soup, {"title": "Soup and song"}, by=None, cell_m=400.0)
        session.commit()
    page = text(client.get("/checks/1").get_data(as_text=True))
    assert "Soup club" in page and "Soup and song" not in page


def test_a_finding_no_longer_confirmed_is_marked_unconfirmed(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, title="Soup club", themes=["food"])
    add_asset(app, title="Bread makers", lon=-2.325, last_confirmed="2020-01-06", themes=["food"])
    sign_in(app, client, "planner")
    start(client)
    page = client.get("/checks/1").get_data(as_text=True)
    bread = page[page.index('id="finding-2"') :]
    soup = page[page.index('id="finding-1"') :]
    assert ">Unconfirmed<" in bread[: bread.index("</tr>")]
    assert ">Unconfirmed<" not in soup[: soup.index("</tr>")]


def test_earlier_revisions_stay_readable(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    start(client)
    page = client.get("/checks/1/edit").get_data(as_text=True)
    assert 'value="Community kitchen"' in page
    client.post(
        "/checks/1/edit", data={**proposal(name="Community cafe"), "csrf_token": csrf(page)}
    )
    latest = text(client.get("/checks/1").get_data(as_text=True))
    first = text(client.get("/checks/1/revisions/1").get_data(as_text=True))
    assert "Community cafe" in latest and "revision 2 of 2" in latest
    assert "Community kitchen" in first and "This is revision 1, kept as it was" in first


def test_a_decision_links_the_strengths_it_supports(app: Flask, client: FlaskClient) -> None:
    soup = add_asset(app, title="Soup club", themes=["food"])
    sign_in(app, client, "planner")
    start(client)
    response = decide(
        client, 1, kind="support", strengths=[str(soup)], rationale="They already do this well."
    )
    assert response.status_code == 302
    page = text(client.get("/checks/1").get_data(as_text=True))
    assert "Support or fund existing strengths" in page
    assert "Strengths it involves Soup club (group)" in page
    assert "Decided by Health and wellbeing panel" in page and "Decided on 2 November 2026" in page
    assert "revision 2 of 2" in page


def test_commissioning_without_a_reason_is_answered_beside_the_field(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    start(client)
    response = decide(client, 1, kind="commission", reason="")
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "reason") == (
        "Error: Say why the strengths already there do not meet the need"
    )


def test_the_log_lists_published_checks_newest_first(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    published_check(app, client, name="Older kitchen")
    start(client, name="Never published")
    published_check(app, client, name="Newer kitchen")
    page = client.get("/you-said-we-did").get_data(as_text=True)
    assert page.index("Newer kitchen") < page.index("Older kitchen")
    assert "Never published" not in page
    assert "Not proceed." in page


def test_the_atom_feed_is_valid_xml_with_the_published_checks(
    app: Flask, client: FlaskClient
) -> None:
    sign_in(app, client, "planner")
    published_check(app, client, name="Older kitchen")
    start(client, name="Never published")
    published_check(app, client, name="Newer & better kitchen")
    response = app.test_client().get("/you-said-we-did/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.iter(f"{ATOM}entry")]
    assert titles == ["Newer & better kitchen", "Older kitchen"]
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")]
    assert links == ["http://127.0.0.1:5000/checks/3", "http://127.0.0.1:5000/checks/1"]


def test_publishing_needs_a_decision(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    start(client)
    response = publish(client, 1)
    assert response.status_code == 400
    assert "Record a decision before publishing the check" in response.get_data(as_text=True)


def test_a_resident_responds_and_staff_mark_it_acted_upon(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    published_check(app, client)
    resident = signed_in(app)
    response = post(
        resident,
        "/checks/1/respond",
        missed="The Friday soup run at the Methodist hall",
        take_part="yes",
    )
    assert response.status_code == 302
    shown = text(app.test_client().get("/checks/1").get_data(as_text=True))
    assert "A strength we missed: The Friday soup run at the Methodist hall" in shown
    assert "Would take part: Yes" in shown and "Not yet acted upon" in shown
    token = form_token(client, "/checks/1")
    client.post(
        "/checks/1/responses/1/acted-upon", data={"note": "Added to the map.", "csrf_token": token}
    )
    shown = text(app.test_client().get("/checks/1").get_data(as_text=True))
    assert "Acted upon" in shown and "Added to the map." in shown
    assert "Not yet acted upon" not in shown


def test_an_empty_response_is_answered_beside_the_field(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    published_check(app, client)
    response = post(client, "/checks/1/respond", missed="")
    assert response.status_code == 400
    assert (
        "tell us about a strength we missed"
        in error_beside(response.get_data(as_text=True), "missed").lower()
    )


def test_responding_needs_a_signed_in_person(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    published_check(app, client)
    response = app.test_client().get("/checks/1/respond")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_acting_on_a_response_needs_a_note(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "planner")
    published_check(app, client)
    post(client, "/checks/1/respond", take_part="maybe")
    token = form_token(client, "/checks/1")
    response = client.post(
        "/checks/1/responses/1/acted-upon", data={"note": " ", "csrf_token": token}
    )
    assert response.status_code == 400
    assert error_beside(response.get_data(as_text=True), "note-1") == "Error: Say what was done"


def test_user_text_is_escaped_on_the_check_page(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Fish & chips <script>alert(1)</script>", themes=["food"])
    sign_in(app, client, "planner")
    start(client, name="<img src=x onerror=alert(2)>")
    page = client.get("/checks/1").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_print_report_lists_what_was_found(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Soup club", themes=["food"])
    sign_in(app, client, "planner")
    start(client)
    page = text(client.get("/checks/1/report").get_data(as_text=True))
    assert "Soup club" in page and "Print this page" in page


def test_navigation_offers_checks_to_staff_and_the_log_to_everyone(
    app: Flask, client: FlaskClient
) -> None:
    visitor = app.test_client().get("/").get_data(as_text=True)
    assert "You said, we did" in visitor and "Strength checks" not in visitor
    sign_in(app, client, "planner")
    assert "Strength checks" in client.get("/").get_data(as_text=True)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-checks") / "demo.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test"})
    runner = app.test_cli_runner()
    for command in (["init-db"], ["seed-demo"]):
        assert runner.invoke(args=command).exit_code == 0
    db.database(app).dispose()
    return path


@pytest.fixture
def demo_app(tmp_path: Path, demo_template: Path) -> Iterator[Flask]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


def demo_skills(app: Flask) -> list[dict[str, Any]]:
    with app.app_context(), db.database().session() as session:
        rows = session.execute(
            sa.select(Asset, User, PrivatePoint.lon, PrivatePoint.lat)
            .join(User, Asset.owner_id == User.id)
            .join(PrivatePoint, PrivatePoint.asset_id == Asset.id)
            .where(Asset.kind == "skill")
        ).all()
        return [
            {
                "id": a.id,
                "title": a.title,
                "themes": a.themes,
                "contact": a.contact,
                "lon": lon,
                "lat": lat,
                "public_lon": a.public_lon,
                "public_lat": a.public_lat,
                "owner": u.display_name,
                "email": u.email,
            }
            for a, u, lon, lat in rows
        ]


def demo_check(app: Flask, client: FlaskClient) -> tuple[int, list[dict[str, Any]]]:
    sign_in(app, client, "planner")
    check_id = published_check(
        app,
        client,
        themes=["languages", "arts", "food"],
        catchment="neighbourhoods",
        neighbourhoods=["frome-market", "frome-welshmill", "frome-keyford"],
    )
    page = client.get(f"/checks/{check_id}/findings.geojson").data
    found = {f["id"] for f in orjson.loads(page)["features"]}
    return check_id, [s for s in demo_skills(app) if s["id"] in found]


def test_the_public_check_page_shows_a_skill_generalised_and_without_its_owner(
    demo_app: Flask,
) -> None:
    check_id, skills = demo_check(demo_app, demo_app.test_client())
    assert len(skills) >= 3
    page = demo_app.test_client().get(f"/checks/{check_id}").get_data(as_text=True)
    for skill in skills:
        assert skill["title"].replace("'", "&#39;") in page
        assert f"[{skill['public_lat']}, {skill['public_lon']}]" in page
        assert f"{skill['lat']}, {skill['lon']}" not in page.replace("[", "").replace("]", "") or (
            skill["lat"],
            skill["lon"],
        ) == (skill["public_lat"], skill["public_lon"])
        assert skill["owner"] not in page and skill["email"] not in page
        assert skill["contact"] not in page


def test_the_feed_and_exports_carry_nothing_personal(demo_app: Flask) -> None:
    client = demo_app.test_client()
    check_id, skills = demo_check(demo_app, client)
    public = demo_app.test_client()
    bodies = [
        public.get("/you-said-we-did/feed.atom").get_data(as_text=True),
        public.get(f"/checks/{check_id}/findings.geojson").get_data(as_text=True),
        public.get(f"/checks/{check_id}/findings.csv").get_data(as_text=True),
        public.get(f"/checks/{check_id}/report").get_data(as_text=True),
    ]
    for skill in skills:
        for body in bodies:
            assert skill["owner"] not in body and skill["email"] not in body
            assert skill["contact"] not in body


def test_the_geojson_export_holds_public_fields_at_public_points(demo_app: Flask) -> None:
    client = demo_app.test_client()
    check_id, skills = demo_check(demo_app, client)
    response = demo_app.test_client().get(f"/checks/{check_id}/findings.geojson")
    assert response.mimetype == "application/geo+json"
    features = {f["id"]: f for f in orjson.loads(response.data)["features"]}
    for feature in features.values():
        assert set(feature["properties"]) <= set(SHOWN_FIELDS)
    for skill in skills:
        assert features[skill["id"]]["geometry"]["coordinates"] == [
            skill["public_lon"],
            skill["public_lat"],
        ]


def test_the_csv_export_holds_public_columns_at_public_points(demo_app: Flask) -> None:
    client = demo_app.test_client()
    check_id, skills = demo_check(demo_app, client)
    response = demo_app.test_client().get(f"/checks/{check_id}/findings.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert set(next(iter(rows.values()))) == set(SHOWN_FIELDS)
    for skill in skills:
        row = rows[skill["id"]]
        assert (float(row["lon"]), float(row["lat"])) == (skill["public_lon"], skill["public_lat"])
