"""A group's or space's calendar file, setting its schedule from a calendar file through the
web and the command line."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar, Event, vRecur
from werkzeug.test import TestResponse

from assetmap.domain.schedules import Schedule, validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as asset_store
from assetmap.storage import moderation
from assetmap.storage.models import Revision
from assetmap.storage.schedules import schedules_of, set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from tests.web.helpers import add_asset, add_user, count, csrf, sign_in_as, text

TODAY = dt.date(2026, 9, 1)
LONDON = "Europe/London"


def schedule(**raw: Any) -> Schedule:
    return validate_schedule(raw, today=TODAY)


MONDAYS = schedule(
    frequency="weekly",
    weekdays="MO",
    start_time="20:00",
    end_time="22:00",
    starts_on="2026-09-07",
    cancelled="2026-12-28",
)
FIRST_FRIDAY = schedule(
    frequency="monthly-by-weekday",
    weekdays="FR",
    week_of_month=1,
    start_time="19:30",
    starts_on="2026-09-01",
)


@pytest.fixture
def gail(app: Flask) -> int:
    return add_user(app, "gail@example.org")


@pytest.fixture
def choir(app: Flask, gail: int) -> int:
    return add_asset(app, gail, title="Frome community choir", description="All voices.")


def set_times(app: Flask, asset_id: int, *schedules: Schedule) -> None:
    with app.app_context(), db.database().session() as session:
        set_schedules(session, asset_id, schedules, by=None)
        session.commit()


def stored_times(app: Flask, asset_id: int) -> list[Schedule]:
    with app.app_context(), db.database().session() as session:
        return schedules_of(session, [asset_id]).get(asset_id, [])


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in_as(client, email)
    return client


# -- the calendar file ------------------------------------------------------------------------


def test_a_groups_calendar_is_a_calendar_file_with_its_sessions(
    app: Flask, client: FlaskClient, choir: int
) -> None:
    set_times(app, choir, MONDAYS, FIRST_FRIDAY)
    answer = client.get(f"/assets/{choir}/calendar.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer.headers["Content-Disposition"] == "inline; filename=frome_community_choir.ics"
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    # Its words are in the reader's language, so a shared cache keeps one copy per language.
    assert {"Accept-Language", "Cookie"} <= set(answer.vary)
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    calendar = Calendar.from_ical(answer.data)
    assert str(calendar["X-WR-CALNAME"]) == "Frome community choir"
    events = sorted(calendar.walk("VEVENT"), key=lambda event: str(event["UID"]))
    assert [str(event["UID"]) for event in events] == [
        f"asset-{choir}-session-0@127.0.0.1",
        f"asset-{choir}-session-1@127.0.0.1",
    ]
    assert {str(event["URL"]) for event in events} == {f"http://127.0.0.1:5000/assets/{choir}"}
    assert {str(event["LOCATION"]) for event in events} == {"Frome community choir"}
    assert {(event["GEO"].latitude, event["GEO"].longitude) for event in events} == {(51.23, -2.32)}


def test_the_calendar_expands_to_the_schedules_sessions(
    app: Flask, client: FlaskClient, choir: int
) -> None:
    set_times(app, choir, MONDAYS, FIRST_FRIDAY)
    calendar = Calendar.from_ical(client.get(f"/assets/{choir}/calendar.ics").data)
    year = (dt.datetime(2026, 9, 1, tzinfo=dt.UTC), dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
    starts = sorted(event.start for event in recurring_ical_events.of(calendar).between(*year))
    expected = sorted(
        s.starts for item in (MONDAYS, FIRST_FRIDAY) for s in item.sessions_between(*year)
    )
    assert starts == expected


def test_a_group_meeting_at_a_space_is_placed_at_the_space(
    app: Flask, client: FlaskClient, choir: int
) -> None:
    hall = add_asset(app, None, kind="space", title="St John's hall", lon=-2.325, lat=51.228)
    set_times(app, choir, MONDAYS)
    with app.app_context(), db.database().session() as session:
        add_tie(session, TieKind.MEETS_AT, choir, hall, by=None)
        session.commit()
    (event,) = Calendar.from_ical(client.get(f"/assets/{choir}/calendar.ics").data).walk("VEVENT")
    assert str(event["LOCATION"]) == "St John's hall"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (51.228, -2.325)


def test_a_spaces_calendar_carries_its_opening_hours(app: Flask, client: FlaskClient) -> None:
    park = add_asset(app, None, kind="space", title="Victoria Park")
    set_times(app, park, MONDAYS)
    answer = client.get(f"/assets/{park}/calendar.ics")
    calendar = Calendar.from_ical(answer.data)
    assert str(calendar["DESCRIPTION"]) == "When Victoria Park is open"
    assert len(calendar.walk("VEVENT")) == 1


def test_the_calendar_is_not_sent_again_while_it_is_unchanged(
    app: Flask, client: FlaskClient, choir: int
) -> None:
    set_times(app, choir, MONDAYS)
    first = client.get(f"/assets/{choir}/calendar.ics")
    again = client.get(
        f"/assets/{choir}/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""
    set_times(app, choir, MONDAYS, FIRST_FRIDAY)
    changed = client.get(
        f"/assets/{choir}/calendar.ics", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]


def test_a_title_that_is_no_file_name_gives_a_safe_one(app: Flask, client: FlaskClient) -> None:
    odd = add_asset(app, None, title='../../etc/"passwd"\r\nX-Evil: 1')
    disposition = client.get(f"/assets/{odd}/calendar.ics").headers["Content-Disposition"]
    assert disposition.startswith("inline; filename=")
    assert "/" not in disposition and "\n" not in disposition and "\r" not in disposition


@pytest.mark.parametrize("state", ["skill", "hidden", "withdrawn", "unknown"])
def test_there_is_no_calendar_for_a_skill_or_a_strength_the_public_cannot_see(
    app: Flask, client: FlaskClient, gail: int, state: str
) -> None:
    kind = "skill" if state == "skill" else "group"
    asset_id = add_asset(app, gail, kind=kind, title="Guitar lessons")
    with app.app_context(), db.database().session() as session:
        if state == "hidden":
            moderation.hide_asset(session, asset_id, by=None, reason="Reported as closed")
        if state == "withdrawn":
            asset_store.withdraw_asset(session, asset_id, by=gail)
        session.commit()
    wanted = asset_id + 1000 if state == "unknown" else asset_id
    assert client.get(f"/assets/{wanted}/calendar.ics").status_code == 404


def test_a_group_page_offers_its_calendar_to_download_and_subscribe_to(
    app: Flask, client: FlaskClient, choir: int
) -> None:
    set_times(app, choir, MONDAYS)
    page = client.get(f"/assets/{choir}").get_data(as_text=True)
    assert f'href="/assets/{choir}/calendar.ics"' in page
    assert f'href="webcal://127.0.0.1:5000/assets/{choir}/calendar.ics"' in page
    assert "Add to calendar" in text(page)


def test_a_page_without_times_offers_no_calendar(
    app: Flask, client: FlaskClient, choir: int, gail: int
) -> None:
    skill = add_asset(app, gail, kind="skill", title="Guitar lessons")
    for asset_id in (choir, skill):
        page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
        assert "calendar.ics" not in page
        assert "Add to calendar" not in text(page)


# -- importing a calendar file through the web ------------------------------------------------


def calendar_file(*events: Event) -> bytes:
    calendar = Calendar.new(prodid="-//Google Inc//Google Calendar 70.9054//EN")
    calendar.add("X-WR-TIMEZONE", LONDON)
    for event in events:
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def repeating(summary: str, start: dt.datetime, rule: str, **more: Any) -> Event:
    made = Event.new(summary=summary, start=start, uid=f"{summary}@example.com", **more)
    made.add("RRULE", vRecur.from_ical(rule))
    return made


def far(*parts: int) -> dt.datetime:
    # Far enough ahead that the test does not depend on today's date.
    return dt.datetime(2099, *parts)  # type: ignore[misc]


GOOGLE = calendar_file(
    repeating("Choir practice", far(1, 5, 20), "FREQ=WEEKLY;BYDAY=MO", end=far(1, 5, 22)),
    repeating("Social", far(1, 2, 19, 30), "FREQ=MONTHLY;BYDAY=1FR"),
    Event.new(summary="Summer concert", start=far(7, 4, 19), uid="concert@example.com"),
)


def upload(
    client: FlaskClient, asset_id: int, data: bytes, name: str = "choir.ics"
) -> TestResponse:
    path = f"/strengths/{asset_id}/schedule/import"
    token = csrf(client.get(path).get_data(as_text=True))
    form = {"csrf_token": token, "calendar": (io.BytesIO(data), name)}
    return client.post(path, data=form, content_type="multipart/form-data")


def confirm(
    client: FlaskClient, asset_id: int, preview: TestResponse, **changes: str
) -> TestResponse:
    page = preview.get_data(as_text=True)
    sealed = re.search(r'name="schedules" type="hidden" value="([^"]+)"', page)
    assert sealed, "the preview carries no schedules to confirm"
    form = {"csrf_token": csrf(page), "schedules": sealed.group(1), **changes}
    return client.post(f"/strengths/{asset_id}/schedule/import/confirm", data=form)


def test_the_owner_sees_what_the_calendar_holds_before_anything_changes(
    app: Flask, choir: int
) -> None:
    set_times(app, choir, FIRST_FRIDAY)
    revisions = count(app, Revision)
    preview = upload(client_of(app, "gail@example.org"), choir, GOOGLE)
    assert preview.status_code == 200
    words = text(preview.get_data(as_text=True))
    assert "holds 2 repeating sessions" in words
    assert "Choir practice: Every Monday, 8pm to 10pm, from 5 January 2099" in words
    assert "Social: First Friday of the month, 7.30pm, from 2 January 2099" in words
    assert "Summer concert: a one-off on 4 July 2099" in words
    assert "Replace the schedule with these" in words
    assert stored_times(app, choir) == [FIRST_FRIDAY]
    assert count(app, Revision) == revisions


def test_confirming_replaces_the_schedule_with_the_calendars_sessions(
    app: Flask, choir: int
) -> None:
    set_times(app, choir, FIRST_FRIDAY)
    client = client_of(app, "gail@example.org")
    answer = confirm(client, choir, upload(client, choir, GOOGLE))
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/strengths/{choir}/schedule"
    assert [(item.describe(), item.starts_on) for item in stored_times(app, choir)] == [
        ("Every Monday, 8pm to 10pm", dt.date(2099, 1, 5)),
        ("First Friday of the month, 7.30pm", dt.date(2099, 1, 2)),
    ]


def test_a_changed_confirmation_is_refused_and_changes_nothing(app: Flask, choir: int) -> None:
    client = client_of(app, "gail@example.org")
    preview = upload(client, choir, GOOGLE)
    page = preview.get_data(as_text=True)
    forged = {"csrf_token": csrf(page), "schedules": "eyJ1c2VyIjoxfQ.forged.signature"}
    answer = client.post(f"/strengths/{choir}/schedule/import/confirm", data=forged)
    assert answer.status_code == 400
    assert stored_times(app, choir) == []


def test_a_confirmation_for_one_group_cannot_set_another(app: Flask, choir: int, gail: int) -> None:
    band = add_asset(app, gail, title="Town band")
    client = client_of(app, "gail@example.org")
    preview = upload(client, choir, GOOGLE)
    page = preview.get_data(as_text=True)
    sealed = re.search(r'name="schedules" type="hidden" value="([^"]+)"', page)
    assert sealed
    form = {"csrf_token": csrf(page), "schedules": sealed.group(1)}
    assert client.post(f"/strengths/{band}/schedule/import/confirm", data=form).status_code == 400
    assert stored_times(app, band) == []


def test_someone_elses_group_cannot_be_set_from_a_calendar(app: Flask, choir: int) -> None:
    add_user(app, "sam@example.org")
    owner = client_of(app, "gail@example.org")
    preview = upload(owner, choir, GOOGLE)
    sam = client_of(app, "sam@example.org")
    assert sam.get(f"/strengths/{choir}/schedule/import").status_code == 403
    page = preview.get_data(as_text=True)
    sealed = re.search(r'name="schedules" type="hidden" value="([^"]+)"', page)
    assert sealed
    form = {
        "csrf_token": csrf(sam.get("/strengths/mine").get_data(as_text=True)),
        "schedules": sealed.group(1),
    }
    assert sam.post(f"/strengths/{choir}/schedule/import/confirm", data=form).status_code == 403
    assert stored_times(app, choir) == []


def test_a_visitor_is_sent_to_sign_in(client: FlaskClient, choir: int) -> None:
    answer = client.get(f"/strengths/{choir}/schedule/import")
    assert answer.status_code == 302
    assert "/sign-in" in answer.headers["Location"]


def test_a_skill_has_no_calendar_to_import(app: Flask, gail: int) -> None:
    skill = add_asset(app, gail, kind="skill", title="Guitar lessons")
    client = client_of(app, "gail@example.org")
    assert client.get(f"/strengths/{skill}/schedule/import").status_code == 404


def test_a_file_that_is_not_a_calendar_is_refused_beside_the_field(app: Flask, choir: int) -> None:
    answer = upload(
        client_of(app, "gail@example.org"), choir, b"name,day\nChoir,Monday\n", "times.csv"
    )
    assert answer.status_code == 400
    assert "The file is not a calendar file: export it as .ics (iCalendar)." in text(
        answer.get_data(as_text=True)
    )
    assert stored_times(app, choir) == []


def test_no_file_at_all_is_asked_for(app: Flask, choir: int) -> None:
    client = client_of(app, "gail@example.org")
    path = f"/strengths/{choir}/schedule/import"
    token = csrf(client.get(path).get_data(as_text=True))
    answer = client.post(path, data={"csrf_token": token}, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Choose a calendar file (.ics) to upload" in text(answer.get_data(as_text=True))


def test_a_five_megabyte_file_is_refused(app: Flask, choir: int) -> None:
    huge = b"BEGIN:VCALENDAR\r\n" + b"X" * (5 * 1024 * 1024)
    answer = upload(client_of(app, "gail@example.org"), choir, huge)
    assert answer.status_code == 413
    assert stored_times(app, choir) == []


def test_a_calendar_with_nothing_repeating_offers_nothing_to_replace(
    app: Flask, choir: int
) -> None:
    only_once = calendar_file(
        Event.new(summary="Concert", start=far(7, 4, 19), uid="c@example.com")
    )
    answer = upload(client_of(app, "gail@example.org"), choir, only_once)
    words = text(answer.get_data(as_text=True))
    assert "holds no repeating sessions" in words
    assert "Replace the schedule with these" not in words


# -- the command ------------------------------------------------------------------------------


@pytest.fixture
def google_file(tmp_path: Path) -> Path:
    path = tmp_path / "choir.ics"
    path.write_bytes(GOOGLE)
    return path


def test_the_command_sets_the_schedule_and_says_what_it_found(
    app: Flask, choir: int, google_file: Path
) -> None:
    result = app.test_cli_runner().invoke(args=["import-calendar", str(choir), str(google_file)])
    assert result.exit_code == 0, result.output
    assert "Found 2 repeating sessions:" in result.output
    assert "Choir practice: Every Monday, 8pm to 10pm" in result.output
    assert "Summer concert: a one-off on 4 July 2099" in result.output
    assert len(stored_times(app, choir)) == 2


def test_a_dry_run_says_what_it_found_and_changes_nothing(
    app: Flask, choir: int, google_file: Path
) -> None:
    args = ["import-calendar", str(choir), str(google_file), "--dry-run"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Found 2 repeating sessions:" in result.output
    assert "Nothing was changed" in result.output
    assert stored_times(app, choir) == []


def test_the_command_refuses_a_skill_a_missing_file_and_a_bad_one(
    app: Flask, choir: int, gail: int, google_file: Path, tmp_path: Path
) -> None:
    skill = add_asset(app, gail, kind="skill", title="Guitar lessons")
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"<html>not a calendar</html>")
    runner = app.test_cli_runner()
    cases = {
        (str(skill), str(google_file)): "Only a group or a space has a schedule",
        (str(choir), str(tmp_path / "missing.ics")): "There is no file at",
        (str(choir), str(bad)): "The file is not a calendar file",
        ("999999", str(google_file)): "There is no strength 999999.",
    }
    for (asset, path), message in cases.items():
        result = runner.invoke(args=["import-calendar", asset, path])
        assert result.exit_code != 0
        assert message in result.output
        assert "Traceback" not in result.output
    assert stored_times(app, choir) == []
