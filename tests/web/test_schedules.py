"""Saying when a group meets or a space opens, a session at a time, and its page saying it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage import assets as store
from assetmap.storage import roles
from assetmap.storage.models import Asset, AssetSchedule, Neighbourhood, Revision
from assetmap.storage.schedules import schedules_of
from assetmap.web import db
from assetmap.web.strengths.schedules import now, session_in_words
from tests.web.helpers import (
    add_asset,
    add_user,
    count,
    error_beside,
    form_token,
    post,
    sign_in,
    sign_in_as,
    signed_in,
    stored,
    text,
)

FIRST_FRIDAY = {
    "frequency": "monthly-by-weekday",
    "week_of_month": "1",
    "weekday": "FR",
    "start_time": "19:30",
    "end_time": "21:00",
    "cancelled": "2031-01-03",
}


def owned_group(app: Flask, **values: Any) -> tuple[FlaskClient, int]:
    client = app.test_client()
    owner = sign_in(app, client, "resident", "owner@example.org")
    return client, add_asset(app, owner, **values)


def add_session(client: FlaskClient, asset_id: int, **fields: Any) -> Any:
    return post(client, f"/strengths/{asset_id}/schedule/new", **fields)


def words(client: FlaskClient, path: str) -> str:
    return text(client.get(path).get_data(as_text=True))


def stored_rules(app: Flask, asset_id: int) -> list[str]:
    with app.app_context(), db.database().session() as session:
        query = sa.select(AssetSchedule.rule).where(AssetSchedule.asset_id == asset_id)
        return list(session.scalars(query.order_by(AssetSchedule.position)))


def test_the_owner_adds_a_session_and_the_public_page_says_it(app: Flask) -> None:
    client, group = owned_group(app)
    answer = add_session(client, group, **FIRST_FRIDAY)
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/strengths/{group}/schedule"
    assert stored_rules(app, group) == ["FREQ=MONTHLY;BYDAY=1FR"]
    listed = words(client, f"/strengths/{group}/schedule")
    assert "First Friday of the month, 7.30pm to 9pm" in listed
    assert "Not on 3 January 2031" in listed
    public = words(app.test_client(), f"/assets/{group}")
    assert "When it meets First Friday of the month, 7.30pm to 9pm" in public
    assert "Not on 3 January 2031" in public
    with app.app_context(), db.database().session() as session:
        (schedule,) = store_schedules(session, group)
    upcoming = schedule.next_session(now())
    assert upcoming is not None
    assert f"Next: {session_in_words(upcoming)}" in public
    assert "Friday" in session_in_words(upcoming)


def store_schedules(session: Any, asset_id: int) -> list[Any]:
    return schedules_of(session, [asset_id])[asset_id]


def test_a_spaces_page_says_when_it_is_open(app: Flask) -> None:
    client, space = owned_group(app, kind="space", title="Church hall")
    fields = {"frequency": "weekly", "weekdays": ["MO", "TU", "WE", "TH", "FR"]}
    add_session(client, space, **fields, start_time="09:00", end_time="17:00")
    public = words(app.test_client(), f"/assets/{space}")
    assert "When it's open Every weekday, 9am to 5pm" in public
    assert "Next open:" in public


def test_the_owner_changes_a_session(app: Flask) -> None:
    client, group = owned_group(app)
    add_session(client, group, **FIRST_FRIDAY)
    page = client.get(f"/strengths/{group}/schedule/1").get_data(as_text=True)
    assert 'value="19:30"' in page and "2031-01-03" in page
    changed = post(
        client,
        f"/strengths/{group}/schedule/1",
        frequency="weekly",
        weekdays=["MO"],
        start_time="20:00",
        end_time="22:00",
    )
    assert changed.status_code == 302
    assert stored_rules(app, group) == ["FREQ=WEEKLY;BYDAY=MO"]
    assert "Every Monday, 8pm to 10pm" in words(client, f"/strengths/{group}/schedule")


def test_the_owner_removes_one_session_of_two(app: Flask) -> None:
    client, group = owned_group(app)
    add_session(client, group, **FIRST_FRIDAY)
    add_session(client, group, frequency="weekly", weekdays=["MO"], start_time="20:00")
    token = form_token(client, f"/strengths/{group}/schedule")
    gone = client.post(f"/strengths/{group}/schedule/1/remove", data={"csrf_token": token})
    assert gone.status_code == 302
    assert stored_rules(app, group) == ["FREQ=WEEKLY;BYDAY=MO"]
    page = client.get(f"/strengths/{group}/schedule").get_data(as_text=True)
    assert "Removed: First Friday of the month" in text(page)
    assert page.count("data-session=") == 1


def test_a_session_past_midnight_is_allowed_and_ends_the_next_day(app: Flask) -> None:
    client, group = owned_group(app)
    fields = {"frequency": "weekly", "weekdays": ["SA"], "start_time": "20:00"}
    assert add_session(client, group, **fields, end_time="01:00").status_code == 302
    assert "Every Saturday, 8pm to 1am" in words(app.test_client(), f"/assets/{group}")


def test_the_31st_of_the_month_is_allowed(app: Flask) -> None:
    client, group = owned_group(app)
    fields = {"frequency": "monthly-by-date", "day_of_month": "31", "start_time": "18:00"}
    assert add_session(client, group, **fields).status_code == 302
    assert stored_rules(app, group) == ["FREQ=MONTHLY;BYMONTHDAY=31"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"frequency": "weekly", "weekdays": ["XX"], "start_time": "19:00"},
            "weekdays",
            "Choose days of the week from Monday to Sunday",
        ),
        (
            {"frequency": "weekly", "start_time": "19:00"},
            "weekdays",
            "Choose at least one day of the week",
        ),
        ({"weekdays": ["MO"], "start_time": "19:00"}, "frequency", "Choose how often it happens"),
        (
            {"frequency": "monthly-by-date", "day_of_month": "32", "start_time": "19:00"},
            "day_of_month",
            "Enter a day of the month from 1 to 31",
        ),
        (
            {"frequency": "monthly-by-weekday", "week_of_month": "1", "start_time": "19:00"},
            "weekday",
            "Choose which day of the week",
        ),
        (
            {"frequency": "weekly", "weekdays": ["MO"]},
            "start_time",
            "Enter a start time, such as 19:30",
        ),
        (
            {
                "frequency": "weekly",
                "weekdays": ["MO"],
                "start_time": "19:00",
                "starts_on": "2031-03-01",
                "ends_on": "2031-02-01",
            },
            "ends_on",
            "The last date must be on or after the first date",
        ),
        (
            {
                "frequency": "weekly",
                "weekdays": ["MO"],
                "start_time": "19:00",
                "cancelled": "2031-01-06\nChristmas Day",
            },
            "cancelled",
            "“Christmas Day” is not a date: enter each date like 2026-12-25",
        ),
    ],
)
def test_bad_input_is_named_beside_its_field_and_writes_nothing(
    app: Flask, fields: dict[str, Any], field: str, message: str
) -> None:
    client, group = owned_group(app)
    revisions = count(app, Revision)
    answer = add_session(client, group, **fields)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert error_beside(page, field) == f"Error: {message}"
    assert "There is a problem" in page
    assert count(app, AssetSchedule) == 0 and count(app, Revision) == revisions


def test_a_refused_form_keeps_what_was_typed(app: Flask) -> None:
    client, group = owned_group(app)
    answer = add_session(
        client, group, frequency="weekly", weekdays=["TU"], start_time="", end_time="21:45"
    )
    page = answer.get_data(as_text=True)
    assert 'value="21:45"' in page
    assert 'value="TU" checked' in page and 'value="weekly" checked' in page


def test_dates_typed_day_first_are_read(app: Flask) -> None:
    client, group = owned_group(app)
    fields = {"frequency": "weekly", "weekdays": ["MO"], "start_time": "19:00"}
    assert add_session(client, group, **fields, cancelled="6/1/2031").status_code == 302
    assert "Not on 6 January 2031" in words(client, f"/strengths/{group}/schedule")


def test_a_change_of_an_earlier_session_leaves_the_others(app: Flask) -> None:
    client, group = owned_group(app)
    add_session(client, group, frequency="weekly", weekdays=["MO"], start_time="20:00")
    add_session(client, group, frequency="weekly", weekdays=["TH"], start_time="20:00")
    bad = post(client, f"/strengths/{group}/schedule/2", frequency="weekly", start_time="20:00")
    assert bad.status_code == 400
    assert stored_rules(app, group) == ["FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=TH"]


@pytest.mark.parametrize("role", ["coach", "resident"])
def test_a_coach_or_a_neighbour_may_not_set_someone_elses_times(app: Flask, role: str) -> None:
    _owner, group = owned_group(app)
    other = signed_in(app, role, f"other-{role}@example.org")
    assert other.get(f"/strengths/{group}/schedule").status_code == 403
    assert other.get(f"/strengths/{group}/schedule/new").status_code == 403
    assert add_session(other, group, **FIRST_FRIDAY).status_code in (400, 403)
    token = form_token(other, "/strengths/mine")
    fields = {**FIRST_FRIDAY, "csrf_token": token}
    assert other.post(f"/strengths/{group}/schedule/new", data=fields).status_code == 403
    assert count(app, AssetSchedule) == 0


def test_a_planner_may_set_a_groups_times(app: Flask) -> None:
    _owner, group = owned_group(app)
    planner = signed_in(app, "planner")
    assert add_session(planner, group, **FIRST_FRIDAY).status_code == 302
    assert stored_rules(app, group) == ["FREQ=MONTHLY;BYDAY=1FR"]


def test_a_planner_limited_elsewhere_may_not(demo_register: Flask) -> None:
    app = demo_register
    with app.app_context(), db.database().session() as session:
        group = session.scalars(
            sa.select(Asset).where(Asset.kind == "group", Asset.neighbourhood_id.is_not(None))
        ).first()
        assert group is not None
        elsewhere = session.scalar(
            sa.select(Neighbourhood.id).where(Neighbourhood.id != group.neighbourhood_id)
        )
        group_id, here = group.id, group.neighbourhood_id
    planner = add_user(app, "limited@example.org", "planner")
    near = add_user(app, "near@example.org", "planner")
    with app.app_context(), db.database().session() as session:
        roles.change_role(session, planner, role="planner", neighbourhoods=[elsewhere], by=None)
        roles.change_role(session, near, role="planner", neighbourhoods=[here], by=None)
        session.commit()
    client = app.test_client()
    sign_in_as(client, "limited@example.org")
    assert client.get(f"/strengths/{group_id}/schedule").status_code == 403
    client = app.test_client()
    sign_in_as(client, "near@example.org")
    assert client.get(f"/strengths/{group_id}/schedule").status_code == 200


def test_a_skill_or_an_unknown_strength_has_no_schedule_page(app: Flask) -> None:
    client = app.test_client()
    owner = sign_in(app, client)
    skill = add_asset(app, owner, kind="skill", title="Guitar lessons")
    assert client.get(f"/strengths/{skill}/schedule").status_code == 404
    assert client.get(f"/strengths/{skill}/schedule/new").status_code == 404
    assert client.get("/strengths/999999/schedule").status_code == 404


def test_a_session_number_not_held_is_not_found(app: Flask) -> None:
    client, group = owned_group(app)
    assert client.get(f"/strengths/{group}/schedule/1").status_code == 404
    assert client.get(f"/strengths/{group}/schedule/0").status_code == 404
    token = form_token(client, f"/strengths/{group}/schedule")
    answer = client.post(f"/strengths/{group}/schedule/3/remove", data={"csrf_token": token})
    assert answer.status_code == 404


def test_a_withdrawn_groups_times_cannot_change(app: Flask) -> None:
    client, group = owned_group(app)
    token = form_token(client, f"/strengths/{group}/schedule")
    with app.app_context(), db.database().session() as session:
        store.withdraw_asset(session, group, by=None)
        session.commit()
    assert client.get(f"/strengths/{group}/schedule").status_code == 409
    fields = {**FIRST_FRIDAY, "csrf_token": token}
    assert client.post(f"/strengths/{group}/schedule/new", data=fields).status_code == 409
    assert count(app, AssetSchedule) == 0


def test_a_visitor_is_sent_to_sign_in(app: Flask) -> None:
    group = add_asset(app)
    answer = app.test_client().get(f"/strengths/{group}/schedule")
    assert answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def test_a_form_without_its_csrf_token_is_refused(app: Flask) -> None:
    client, group = owned_group(app)
    assert client.post(f"/strengths/{group}/schedule/new", data=FIRST_FRIDAY).status_code == 400
    assert count(app, AssetSchedule) == 0
    add_session(client, group, **FIRST_FRIDAY)
    assert client.post(f"/strengths/{group}/schedule/1/remove").status_code == 400
    assert client.post(f"/strengths/{group}/schedule", data={"note": "x"}).status_code == 400
    assert len(stored_rules(app, group)) == 1 and stored(app, group).meeting_pattern == ""


def test_html_in_the_note_is_shown_as_text(app: Flask) -> None:
    client, group = owned_group(app)
    note = "<script>alert(1)</script> Term time <b>only</b>"
    assert post(client, f"/strengths/{group}/schedule", note=note).status_code == 302
    assert stored(app, group).meeting_pattern == note
    for page in (
        app.test_client().get(f"/assets/{group}").get_data(as_text=True),
        client.get(f"/strengths/{group}/schedule").get_data(as_text=True),
    ):
        assert "<script>alert(1)</script>" not in page and "<b>only</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Term time &lt;b&gt;only&lt;/b&gt;" in page


def test_the_note_shows_beside_the_sessions_not_as_a_second_schedule(app: Flask) -> None:
    client, group = owned_group(app, meeting_pattern="Term time only")
    add_session(client, group, **FIRST_FRIDAY)
    public = words(app.test_client(), f"/assets/{group}")
    assert "Meets Term time only" not in public
    assert "7.30pm to 9pm Not on 3 January 2031 Next:" in public
    assert public.count("Term time only") == 1


def test_a_note_too_long_is_refused_beside_it(app: Flask) -> None:
    client, group = owned_group(app)
    answer = post(client, f"/strengths/{group}/schedule", note="x" * 301)
    assert answer.status_code == 400
    assert error_beside(answer.get_data(as_text=True), "note").startswith("Error: The note")
    assert stored(app, group).meeting_pattern == ""


def test_my_strengths_and_the_edit_page_link_to_the_times(app: Flask) -> None:
    client, group = owned_group(app)
    mine = client.get("/strengths/mine").get_data(as_text=True)
    assert f'href="/strengths/{group}/schedule"' in mine
    edit = client.get(f"/strengths/{group}/edit").get_data(as_text=True)
    assert f'href="/strengths/{group}/schedule"' in edit


def test_the_list_shows_the_next_three_dates(app: Flask) -> None:
    client, group = owned_group(app)
    add_session(client, group, frequency="weekly", weekdays=["MO"], start_time="20:00")
    listed = words(client, f"/strengths/{group}/schedule")
    assert listed.count("Monday") >= 3
