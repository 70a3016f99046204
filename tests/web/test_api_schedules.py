"""The API's schedules: a group's answer carries them, and PUT replaces them, all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage import assets as store
from assetmap.storage.models import AssetSchedule, Revision
from assetmap.web import db
from tests.web.helpers import add_asset, add_user, bearer, count, stored

MONDAYS = {"frequency": "weekly", "weekdays": ["MO"], "start_time": "20:00", "end_time": "22:00"}
FIRST_FRIDAY = {
    "frequency": "monthly-by-weekday",
    "weekdays": ["FR"],
    "week_of_month": 1,
    "start_time": "19:30",
    "cancelled": ["2031-01-03"],
}


@pytest.fixture
def owner(app: Flask) -> int:
    return add_user(app, "owner@example.org", password=None)


def put(client: FlaskClient, asset_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.put(f"/api/assets/{asset_id}/schedules", json=body, headers=headers)


def test_put_replaces_the_schedules_and_the_answer_carries_them(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    group = add_asset(app, owner)
    headers = bearer(app, owner)
    answer = put(client, group, headers, schedules=[MONDAYS, FIRST_FRIDAY], note="Not in August")
    assert answer.status_code == 200
    body = answer.get_json()
    assert [item["description"] for item in body["schedules"]] == [
        "Every Monday, 8pm to 10pm",
        "First Friday of the month, 7.30pm",
    ]
    assert body["note"] == "Not in August"
    shown = client.get(f"/api/assets/{group}").get_json()["properties"]
    assert [item["rule"] for item in shown["schedules"]] == [
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=MONTHLY;BYDAY=1FR",
    ]
    assert shown["schedules"][1]["cancelled"] == ["2031-01-03"]
    assert shown["meeting_pattern"] == "Not in August"
    assert client.get(f"/api/assets/{group}/schedules").get_json() == body


def test_a_schedule_read_can_be_sent_back_unchanged(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    group = add_asset(app, owner)
    headers = bearer(app, owner)
    first = put(client, group, headers, schedules=[FIRST_FRIDAY]).get_json()
    revisions = count(app, Revision)
    again = put(client, group, headers, schedules=first["schedules"])
    assert again.status_code == 200 and again.get_json() == first
    assert count(app, Revision) == revisions


def test_an_empty_list_takes_every_schedule_off(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    group = add_asset(app, owner)
    headers = bearer(app, owner)
    put(client, group, headers, schedules=[MONDAYS])
    assert put(client, group, headers, schedules=[]).get_json()["schedules"] == []
    assert count(app, AssetSchedule) == 0


def test_a_refusal_names_the_schedule_and_field_and_changes_nothing(
    app: Flask, client: FlaskClient, owner: int
) -> None:
    group = add_asset(app, owner)
    headers = bearer(app, owner)
    put(client, group, headers, schedules=[MONDAYS], note="Kept")
    bad = {**FIRST_FRIDAY, "start_time": "half seven", "ends_on": "2020-01-01"}
    answer = put(client, group, headers, schedules=[MONDAYS, bad], note="Lost")
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["field"] == "schedules[1].start_time"
    assert "schedules[1].start_time: enter a start time" in error["message"]
    assert "schedules[1].ends_on" in error["message"]
    assert len(client.get(f"/api/assets/{group}").get_json()["properties"]["schedules"]) == 1
    assert stored(app, group).meeting_pattern == "Kept"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "schedules"),
        ({"schedules": "weekly"}, "schedules"),
        ({"schedules": [MONDAYS] * 8}, "schedules"),
        ({"schedules": ["weekly"]}, "schedules[0]"),
        ({"schedules": [{**MONDAYS, "weekdays": ["XX"]}]}, "schedules[0].weekdays"),
        ({"schedules": [{**MONDAYS, "frequency": "yearly"}]}, "schedules[0].frequency"),
        (
            {"schedules": [{**MONDAYS, "frequency": "monthly-by-date", "day_of_month": 0}]},
            "schedules[0].day_of_month",
        ),
        ({"schedules": [{**MONDAYS, "cancelled": ["25/12/2026"]}]}, "schedules[0].cancelled"),
        ({"schedules": [], "note": 5}, "note"),
        ({"schedules": [], "note": "x" * 301}, "note"),
        ({"schedules": [], "owner_id": 1}, "owner_id"),
    ],
)
def test_bad_bodies_are_refused_naming_the_field(
    app: Flask, client: FlaskClient, owner: int, body: dict[str, Any], field: str
) -> None:
    group = add_asset(app, owner)
    answer = client.put(f"/api/assets/{group}/schedules", json=body, headers=bearer(app, owner))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["field"] == field
    assert count(app, AssetSchedule) == 0


def test_writing_needs_a_token(app: Flask, client: FlaskClient, owner: int) -> None:
    group = add_asset(app, owner)
    assert client.put(f"/api/assets/{group}/schedules", json={"schedules": []}).status_code == 401


@pytest.mark.parametrize("role", ["resident", "coach"])
def test_someone_elses_group_is_refused(
    app: Flask, client: FlaskClient, owner: int, role: str
) -> None:
    group = add_asset(app, owner)
    other = bearer(app, add_user(app, f"{role}2@example.org", role, password=None))
    assert put(client, group, other, schedules=[MONDAYS]).status_code == 403
    assert count(app, AssetSchedule) == 0


def test_a_planner_may_set_a_groups_schedules(app: Flask, client: FlaskClient, owner: int) -> None:
    group = add_asset(app, owner)
    planner = bearer(app, add_user(app, "planner@example.org", "planner", password=None))
    assert put(client, group, planner, schedules=[MONDAYS]).status_code == 200


def test_a_skill_has_no_schedules(app: Flask, client: FlaskClient, owner: int) -> None:
    skill = add_asset(app, owner, kind="skill", title="Guitar lessons")
    assert put(client, skill, bearer(app, owner), schedules=[MONDAYS]).status_code == 404
    assert "schedules" not in client.get(f"/api/assets/{skill}").get_json()["properties"]
    assert client.get(f"/api/assets/{skill}/schedules").status_code == 404


def test_a_withdrawn_group_is_refused(app: Flask, client: FlaskClient, owner: int) -> None:
    group = add_asset(app, owner)
    with app.app_context(), db.database().session() as session:
        store.withdraw_asset(session, group, by=owner)
        session.commit()
    assert put(client, group, bearer(app, owner), schedules=[MONDAYS]).status_code == 409
    assert client.get(f"/api/assets/{group}/schedules").status_code == 404


def test_an_unknown_id_is_not_found(app: Flask, client: FlaskClient, owner: int) -> None:
    answer = put(client, 999999, bearer(app, owner), schedules=[])
    assert answer.status_code == 404
    assert answer.get_json()["error"]["field"] == "asset_id"
