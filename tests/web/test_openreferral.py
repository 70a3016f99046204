"""The Open Referral UK API, on SQLite and on PostGIS: each endpoint, its parameters and errors,
CORS and caching, and a skill, a hidden or a withdrawn strength never given out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Geod

from assetmap import create_app
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.exchange import hsds
from assetmap.exchange import openreferral as oruk
from assetmap.storage import assets as store
from assetmap.storage import database as storage_db
from assetmap.storage.moderation import hide_asset
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from tests.web.helpers import add_asset, statements

WGS84 = Geod(ellps="WGS84")
BASE = "/openreferral"
SECTOR = "BA11 1"
SECTOR_POINT = (-2.317997, 51.229755)
WEEKLY = {"frequency": "weekly", "weekdays": "TU", "start_time": "19:30", "end_time": "21:00"}


@pytest.fixture
def app(database: storage_db.Database) -> Iterator[Flask]:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


@pytest.fixture
def town(app: Flask) -> dict[str, int]:
    made = {
        "choir": add_asset(app, title="Frome Community Choir", themes=["arts"], lon=-2.3175),
        "hall": add_asset(app, kind="space", title="Wesley Hall", themes=["faith"], lon=-2.3190),
        "quiz": add_asset(app, title="Cheese and Grain quiz", themes=["food"], lon=-2.3300),
        "far": add_asset(app, title="Rode walking group", themes=["sport"], lon=-2.2800),
        "skill": add_asset(app, kind="skill", title="Guitar lessons from Sam", themes=["arts"]),
        "hidden": add_asset(app, title="Hidden arts club", themes=["arts"]),
        "gone": add_asset(app, title="Withdrawn arts club", themes=["arts"]),
    }
    with app.app_context():
        session = db.session()
        schedule = validate_schedule(
            {"starts_on": "2026-12-01", **WEEKLY}, today=dt.date(2026, 12, 7)
        )
        set_schedules(session, made["choir"], [schedule], by=None)
        add_tie(session, TieKind.MEETS_AT, made["quiz"], made["hall"], by=None)
        hide_asset(session, made["hidden"], by=None, reason="Spam")
        store.withdraw_asset(session, made["gone"], by=None)
        session.commit()
    return made


def body(response: Any) -> Any:
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json(force=True)


def error_of(response: Any, status: int, field: str) -> str:
    assert response.status_code == status
    found = body(response)
    assert set(found) == {"error"}
    assert found["error"]["field"] == field
    return str(found["error"]["message"])


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["contents"]]


def services(*keys: int) -> list[str]:
    return [hsds.service_id(key) for key in sorted(keys)]


def test_the_root_names_the_version_the_profile_and_the_openapi_document(
    client: FlaskClient,
) -> None:
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    assert body(response) == {
        "version": "3.0",
        "profile": oruk.PROFILE,
        "openapi_url": "http://127.0.0.1:5000/api/openapi.json",
    }


def test_services_are_the_published_groups_and_spaces_by_id_in_a_page(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = body(client.get(f"{BASE}/services"))
    assert ids(page) == services(town["choir"], town["hall"], town["quiz"], town["far"])
    assert {key: page[key] for key in page if key != "contents"} == {
        "total_items": 4,
        "total_pages": 1,
        "page_number": 1,
        "size": 4,
        "first_page": True,
        "last_page": True,
        "empty": False,
    }
    assert all(not isinstance(v, list | dict) for item in page["contents"] for v in item.values())


def test_pages_follow_one_another_to_the_last_and_past_it_are_empty(
    client: FlaskClient, town: dict[str, int]
) -> None:
    every = services(town["choir"], town["hall"], town["quiz"], town["far"])
    first = body(client.get(f"{BASE}/services?per_page=3"))
    last = body(client.get(f"{BASE}/services?per_page=3&page=2"))
    beyond = body(client.get(f"{BASE}/services?per_page=3&page=3"))
    assert ids(first) + ids(last) == every
    assert (first["total_pages"], first["first_page"], first["last_page"]) == (2, True, False)
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    assert (beyond["empty"], beyond["size"], beyond["total_items"]) == (True, 0, 4)


def test_search_is_the_registers_own_stemmed_text_search(
    client: FlaskClient, town: dict[str, int]
) -> None:
    assert ids(body(client.get(f"{BASE}/services?search=choirs"))) == services(town["choir"])
    assert ids(body(client.get(f"{BASE}/services?search=guitar"))) == []


def test_a_theme_term_keeps_the_services_with_that_theme(
    client: FlaskClient, town: dict[str, int]
) -> None:
    terms = {term["code"]: term["id"] for term in oruk.theme_terms()}
    found = body(client.get(f"{BASE}/services?taxonomy_term_id={terms['arts']}"))
    assert ids(found) == services(town["choir"])
    unknown = body(client.get(f"{BASE}/services?taxonomy_term_id={hsds.uid('nothing')}"))
    assert unknown["empty"] and unknown["total_items"] == 0


def test_the_themes_taxonomy_keeps_every_service_and_another_none(
    client: FlaskClient, town: dict[str, int]
) -> None:
    themes = body(client.get(f"{BASE}/services?taxonomy_id={oruk.THEMES_TAXONOMY_ID}"))
    assert themes["total_items"] == 4
    other = body(client.get(f"{BASE}/services?taxonomy_id={hsds.uid('other')}"))
    assert other["total_items"] == 0


def test_an_organization_keeps_its_own_service_alone(
    client: FlaskClient, town: dict[str, int]
) -> None:
    choir = hsds.organization_id(town["choir"])
    assert ids(body(client.get(f"{BASE}/services?organization_id={choir}"))) == services(
        town["choir"]
    )
    for key in ("hall", "skill", "hidden"):
        wrong = hsds.service_id(town[key]) if key == "hall" else hsds.organization_id(town[key])
        assert body(client.get(f"{BASE}/services?organization_id={wrong}"))["empty"]


def test_modified_after_keeps_what_changed_since(client: FlaskClient, town: dict[str, int]) -> None:
    assert body(client.get(f"{BASE}/services?modified_after=2000-01-01"))["total_items"] == 4
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    found = client.get(f"{BASE}/services", query_string={"modified_after": later})
    assert body(found)["total_items"] == 0


def test_minimal_gives_each_services_id_and_when_it_changed(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = body(client.get(f"{BASE}/services?minimal=true"))
    assert all(set(item) == {"id", "last_modified"} for item in page["contents"])
    assert ids(page) == services(town["choir"], town["hall"], town["quiz"], town["far"])


def test_a_service_is_fully_nested_at_its_item_and_with_full(
    client: FlaskClient, town: dict[str, int]
) -> None:
    quiz = body(client.get(f"{BASE}/services/{hsds.service_id(town['quiz'])}"))
    assert quiz["organization"]["id"] == hsds.organization_id(town["quiz"])
    [at] = quiz["service_at_locations"]
    assert at["id"] == hsds.service_at_location_id(town["quiz"], town["hall"])
    assert at["location"]["id"] == hsds.location_id(town["hall"])
    assert at["location"]["name"] == "Wesley Hall"
    themes = [a for a in quiz["attributes"] if a["link_type"] == "themes"]
    assert themes == [] or themes[0]["taxonomy_term"]["code"] == "food"
    choir = body(client.get(f"{BASE}/services/{hsds.service_id(town['choir'])}"))
    assert choir["schedules"][0]["byday"] == "TU"
    full = body(client.get(f"{BASE}/services?full=true&search=choir"))
    assert full["contents"] == [choir]


def test_a_space_is_a_service_of_no_organization_at_its_own_location(
    client: FlaskClient, town: dict[str, int]
) -> None:
    hall = body(client.get(f"{BASE}/services/{hsds.service_id(town['hall'])}"))
    assert "organization" not in hall
    assert hall["service_at_locations"][0]["location"]["id"] == hsds.location_id(town["hall"])


def test_organizations_are_the_groups_with_their_service(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = body(client.get(f"{BASE}/organizations"))
    groups = [town["choir"], town["quiz"], town["far"]]
    assert ids(page) == [hsds.organization_id(key) for key in groups]
    one = body(client.get(f"{BASE}/organizations/{hsds.organization_id(town['choir'])}"))
    assert [service["id"] for service in one["services"]] == services(town["choir"])
    assert "service_at_locations" not in one["services"][0]
    full = client.get(f"{BASE}/organizations/{hsds.organization_id(town['choir'])}?full_service=1")
    assert body(full)["services"][0]["service_at_locations"][0]["location"]


def test_services_at_locations_come_nearest_a_postcode_first_within_its_proximity(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = body(client.get(f"{BASE}/service_at_locations", query_string={"postcode": SECTOR}))
    located = [
        item["location_id"]
        for item in body(client.get(f"{BASE}/service_at_locations?full=true&postcode=BA11+1"))[
            "contents"
        ]
    ]
    assert ids(page) == [
        hsds.service_at_location_id(town["choir"]),
        hsds.service_at_location_id(town["hall"]),
        hsds.service_at_location_id(town["quiz"], town["hall"]),
        hsds.service_at_location_id(town["far"]),
    ]
    assert located[2] == hsds.location_id(town["hall"])
    _, _, to_far = WGS84.inv(*SECTOR_POINT, -2.28, 51.23)
    near = client.get(
        f"{BASE}/service_at_locations", query_string={"postcode": SECTOR, "proximity": to_far - 50}
    )
    assert body(near)["total_items"] == 3


def test_services_at_locations_without_a_postcode_go_by_id(
    client: FlaskClient, town: dict[str, int]
) -> None:
    page = body(client.get(f"{BASE}/service_at_locations"))
    assert page["total_items"] == 4
    for item in page["contents"]:
        one = body(client.get(f"{BASE}/service_at_locations/{item['id']}"))
        assert one["location"]["id"] == item["location_id"]
        assert one["service"]["id"] == item["service_id"]


def test_the_themes_are_one_taxonomy_whose_terms_the_exports_attributes_name(
    client: FlaskClient, town: dict[str, int]
) -> None:
    [taxonomy] = body(client.get(f"{BASE}/taxonomies"))["contents"]
    assert body(client.get(f"{BASE}/taxonomies/{taxonomy['id']}")) == taxonomy
    terms = body(client.get(f"{BASE}/taxonomy_terms?per_page=100"))["contents"]
    assert {term["taxonomy_id"] for term in terms} == {taxonomy["id"]}
    choir = body(client.get(f"{BASE}/services/{hsds.service_id(town['choir'])}"))
    named = {
        a["taxonomy_term_id"]
        for a in choir["organization"]["attributes"]
        if a["link_type"] == "themes"
    }
    assert named and named <= {term["id"] for term in terms}
    arts = body(client.get(f"{BASE}/taxonomy_terms?search=arts"))["contents"]
    assert [term["code"] for term in arts] == ["arts"]
    assert body(client.get(f"{BASE}/taxonomy_terms/{arts[0]['id']}"))["code"] == "arts"


def _would_be_ids(key: int) -> dict[str, str]:
    return {
        "services": hsds.service_id(key),
        "organizations": hsds.organization_id(key),
        "service_at_locations": hsds.service_at_location_id(key),
    }


@pytest.mark.parametrize("who", ["skill", "hidden", "gone"])
def test_a_skill_a_hidden_or_a_withdrawn_strength_is_at_no_item_endpoint(
    client: FlaskClient, town: dict[str, int], who: str
) -> None:
    for endpoint, item_id in _would_be_ids(town[who]).items():
        error_of(client.get(f"{BASE}/{endpoint}/{item_id}"), 404, "id")


def test_a_skill_a_hidden_or_a_withdrawn_strength_is_in_no_list(
    client: FlaskClient, town: dict[str, int]
) -> None:
    hidden = {town[who] for who in ("skill", "hidden", "gone")}
    forbidden = {item for key in hidden for item in _would_be_ids(key).values()}
    forbidden |= {hsds.location_id(key) for key in hidden}
    for path in (
        "services?full=true",
        "organizations?full_service=true",
        "service_at_locations?full=true",
    ):
        for search in ("", "&search=arts", "&search=guitar"):
            text = client.get(f"{BASE}/{path}{search}").get_data(as_text=True)
            assert not any(item in text for item in forbidden)
            assert "Guitar" not in text and "Hidden arts" not in text and "Withdrawn" not in text


def test_an_id_of_another_kind_of_object_is_not_found(
    client: FlaskClient, town: dict[str, int]
) -> None:
    error_of(client.get(f"{BASE}/services/{hsds.organization_id(town['choir'])}"), 404, "id")
    error_of(client.get(f"{BASE}/organizations/{hsds.organization_id(town['hall'])}"), 404, "id")
    wrong_venue = hsds.service_at_location_id(town["choir"], town["hall"])
    error_of(client.get(f"{BASE}/service_at_locations/{wrong_venue}"), 404, "id")
    error_of(client.get(f"{BASE}/services/not-an-id"), 404, "id")
    error_of(client.get(f"{BASE}/taxonomy_terms/{hsds.uid('x')}"), 404, "id")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=501", "per_page"),
        ("per_page=-1", "per_page"),
        ("full=maybe", "full"),
        ("minimal=yes", "minimal"),
        ("format=ndjson", "format"),
        ("taxonomy_term_id=arts", "taxonomy_term_id"),
        ("taxonomy_id=1", "taxonomy_id"),
        ("organization_id=12", "organization_id"),
        ("modified_after=yesterday", "modified_after"),
        ("search=" + "a" * 201, "search"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client: FlaskClient, query: str, field: str) -> None:
    error_of(client.get(f"{BASE}/services?{query}"), 400, field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("proximity=500", "proximity"),
        ("postcode=nowhere", "postcode"),
        ("postcode=SW1A+1AA", "postcode"),
        ("postcode=BA11+1&proximity=0", "proximity"),
        ("postcode=BA11+1&proximity=far", "proximity"),
        ("postcode=BA11+1&proximity=nan", "proximity"),
    ],
)
def test_a_bad_place_is_a_400_naming_it(client: FlaskClient, query: str, field: str) -> None:
    error_of(client.get(f"{BASE}/service_at_locations?{query}"), 400, field)


def test_it_only_reads_and_says_so_in_its_own_shape(client: FlaskClient) -> None:
    refused = client.post(f"{BASE}/services")
    assert refused.status_code == 405
    assert body(refused)["error"]["status"] == 405
    assert "POST" not in refused.headers["Allow"]
    error_of(client.get(f"{BASE}/nothing-here"), 404, "id")
    assert client.head(f"{BASE}/services").status_code == 200
    options = client.options(f"{BASE}/services")
    assert options.headers["Access-Control-Allow-Origin"] == "*"


def test_answers_are_cacheable_and_revalidated_by_etag(
    client: FlaskClient, town: dict[str, int]
) -> None:
    first = client.get(f"{BASE}/services")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(f"{BASE}/services", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"{BASE}/services?page=x").headers["Cache-Control"] == "no-store"


def test_a_page_reads_its_strengths_in_as_many_statements_whatever_its_size(
    app: Flask, client: FlaskClient, town: dict[str, int]
) -> None:
    for number in range(20):
        add_asset(app, title=f"Reading group {number}", lon=-2.32 + number * 0.0001)
    counts = []
    for per_page in (2, 24):
        with statements(app, lambda statement: "asset" in statement) as seen:
            assert body(client.get(f"{BASE}/services?full=true&per_page={per_page}"))["size"]
        counts.append(len(seen))
    assert counts[0] == counts[1]


def test_the_open_directory_is_throttled_per_address_and_says_so_in_its_own_shape(
    database: storage_db.Database,
) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test",
            "RATELIMIT_OPEN_DATA": "3 per minute",
        }
    )
    try:
        client = app.test_client()
        for _ in range(3):
            assert client.get("/openreferral/services").status_code == 200
        refused = client.get("/openreferral/taxonomies")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "Too many requests" in body(refused)["error"]["message"]
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        # Another address has its own count, and the rest of the app reads without one.
        other = client.get("/openreferral/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200
        assert client.get("/api/assets?bbox=-2.4,51.1,-2.2,51.3").status_code == 200
    finally:
        db.database(app).dispose()
