from __future__ import annotations

import csv
import io

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.web import db
from tests.exchange.test_threesixtygiving import PERSONAL, REQUIRED_COLUMNS, build_awards, validator
from tests.web.helpers import sign_in

PATHS = ("/funds/360giving.json", "/funds/360giving.csv")


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    with app.app_context(), db.database().session() as session:
        return build_awards(session)


def as_role(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    sign_in(app, client, role)
    return client


@pytest.mark.parametrize("path", PATHS)
def test_a_visitor_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("role", ["resident", "coach"])
@pytest.mark.parametrize("path", PATHS)
def test_residents_and_coaches_are_refused(
    app: Flask, ids: dict[str, int], role: str, path: str
) -> None:
    response = as_role(app, role).get(path)
    assert response.status_code == 403
    assert "Frome Wheelers" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_staff_get_a_valid_360giving_package(app: Flask, ids: dict[str, int], role: str) -> None:
    response = as_role(app, role).get("/funds/360giving.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="360giving.json"'
    document = orjson.loads(response.get_data())
    assert list(validator().iter_errors(document)) == []
    assert {grant["title"] for grant in document["grants"]} == {
        "Bikes for all",
        "Repair café",
        "Seed swap",
    }
    assert document["grants"][0]["id"].startswith("360G-assetmap-example-assetmap-grant-")


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_staff_get_360giving_csv_with_the_standards_columns(
    app: Flask, ids: dict[str, int], role: str
) -> None:
    response = as_role(app, role).get("/funds/360giving.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="360giving.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    assert {row["Title"] for row in rows if row["Title"]} == {
        "Bikes for all",
        "Repair café",
        "Seed swap",
    }


def test_the_funder_comes_from_the_settings(app: Flask, ids: dict[str, int]) -> None:
    app.config.update(
        GRANT_PREFIX="360G-fromefund", FUNDER_ID="GB-LAE-FRO", FUNDER_NAME="Frome Town Council"
    )
    document = orjson.loads(as_role(app, "planner").get("/funds/360giving.json").get_data())
    grant = document["grants"][0]
    assert grant["id"].startswith("360G-fromefund-assetmap-grant-")
    assert grant["fundingOrganization"] == [{"id": "GB-LAE-FRO", "name": "Frome Town Council"}]


@pytest.mark.parametrize("path", PATHS)
def test_no_person_leaves_through_either_format(app: Flask, ids: dict[str, int], path: str) -> None:
    body = as_role(app, "admin").get(path).get_data(as_text=True)
    assert [said for said in PERSONAL if said in body] == []


def test_one_rounds_awards_alone(app: Flask, ids: dict[str, int]) -> None:
    response = as_role(app, "planner").get(f"/funds/360giving.json?round={ids['round']}")
    assert len(orjson.loads(response.get_data())["grants"]) == 3
    name = f'attachment; filename="360giving-round-{ids["round"]}.json"'
    assert response.headers["Content-Disposition"] == name


@pytest.mark.parametrize("path", PATHS)
def test_a_round_not_yet_published_gives_no_awards(
    app: Flask, ids: dict[str, int], path: str
) -> None:
    response = as_role(app, "planner").get(f"{path}?round={ids['unpublished']}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Not yet" not in body
    if path.endswith(".json"):
        assert orjson.loads(body)["grants"] == []
    else:
        assert len(body.splitlines()) == 1


@pytest.mark.parametrize(
    ("given", "status"), [("abc", 400), ("-1", 400), ("١", 400), ("9999", 404)]
)
def test_a_round_that_is_not_one_is_refused(
    app: Flask, ids: dict[str, int], given: str, status: int
) -> None:
    response = as_role(app, "planner").get(f"/funds/360giving.json?round={given}")
    assert response.status_code == status


def test_the_exchange_page_links_to_both(app: Flask) -> None:
    page = as_role(app, "planner").get("/exchange").get_data(as_text=True)
    assert 'href="/funds/360giving.json"' in page
    assert 'href="/funds/360giving.csv"' in page
