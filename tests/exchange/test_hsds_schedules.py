from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.schedules import Schedule, validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.exchange.hsds import location_id, service_id, uid
from assetmap.exchange.importing.hsds import read_hsds
from assetmap.storage.exports import ExportFilter
from assetmap.storage.models import Asset, AssetSchedule, Tie
from assetmap.storage.schedules import schedules_of, set_schedules
from assetmap.storage.ties import add_tie
from tests.exchange.helpers import copy_of, demo_template, export_bytes
from tests.exchange.test_hsds import OBJECTS, validator

TODAY = dt.date(2026, 12, 7)
SCHEDULES = {
    "weekly": {"frequency": "weekly", "weekdays": "MO,TH", "start_time": "20:00"},
    "fortnightly": {
        "frequency": "fortnightly",
        "weekdays": "WE",
        "start_time": "10:00",
        "end_time": "12:00",
        "starts_on": "2026-06-03",
        "ends_on": "2027-07-28",
    },
    "first friday": {
        "frequency": "monthly-by-weekday",
        "weekdays": "FR",
        "week_of_month": "1",
        "start_time": "19:30",
        "cancelled": "2027-01-01 2027-04-02",
    },
    "last thursday": {
        "frequency": "monthly-by-weekday",
        "weekdays": "TH",
        "week_of_month": "-1",
        "start_time": "18:00",
        "end_time": "01:00",
    },
    "the 15th": {"frequency": "monthly-by-date", "day_of_month": "15", "start_time": "09:30"},
}


def _schedule(raw: dict[str, Any]) -> Schedule:
    return validate_schedule({"starts_on": "2026-12-01", **raw}, today=TODAY)


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(demo_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def _first(session: orm.Session, kind: str, count: int) -> list[Asset]:
    query = sa.select(Asset).where(Asset.kind == kind).order_by(Asset.id).limit(count)
    return list(session.scalars(query))


@pytest.fixture
def scheduled(session: orm.Session) -> dict[str, Any]:
    session.execute(sa.delete(Tie))
    session.execute(sa.delete(AssetSchedule))
    groups, spaces = _first(session, "group", 3), _first(session, "space", 2)
    given = {
        groups[0].id: [_schedule(SCHEDULES["weekly"]), _schedule(SCHEDULES["first friday"])],
        groups[1].id: [_schedule(SCHEDULES["fortnightly"]), _schedule(SCHEDULES["the 15th"])],
        groups[2].id: [_schedule(SCHEDULES["last thursday"])],
        spaces[0].id: [_schedule(SCHEDULES["weekly"] | {"end_time": "17:00"})],
    }
    for key, schedules in given.items():
        note = "Bring a mug." if key == groups[0].id else None
        set_schedules(session, key, schedules, by=None, note=note)
    add_tie(session, TieKind.MEETS_AT, groups[0].id, spaces[0].id, by=None)
    add_tie(session, TieKind.MEETS_AT, groups[0].id, spaces[1].id, by=None)
    session.commit()
    return {"schedules": given, "groups": groups, "spaces": spaces}


def _document(session: orm.Session, filters: ExportFilter | None = None) -> dict[str, Any]:
    return orjson.loads(export_bytes(session, "hsds", filters))


@pytest.mark.parametrize("listed", OBJECTS)
def test_an_export_with_schedules_and_meeting_places_is_valid_hsds(
    session: orm.Session, scheduled: dict[str, Any], listed: str
) -> None:
    document = _document(session)
    check = validator(OBJECTS[listed])
    problems = [
        f"{listed}[{i}] {error.json_path}: {error.message}"
        for i, item in enumerate(document[listed])
        for error in check.iter_errors(item)
    ]
    assert problems == []


def _service(document: dict[str, Any], asset_id: int) -> dict[str, Any]:
    [found] = [s for s in document["services"] if s["id"] == service_id(asset_id)]
    return found


def test_a_schedule_carries_its_rule_times_and_dates(
    session: orm.Session, scheduled: dict[str, Any]
) -> None:
    document = _document(session)
    weekly, first_friday = _service(document, scheduled["groups"][0].id)["schedules"]
    assert weekly["freq"] == "WEEKLY" and weekly["interval"] == 1
    assert weekly["byday"] == "MO,TH" and weekly["opens_at"] == "20:00"
    assert weekly["description"] == "Every Monday and Thursday, 8pm"
    assert weekly["notes"] == "Bring a mug."
    assert weekly["valid_from"] == "2026-12-01" and weekly["dtstart"] == "2026-12-03"
    assert weekly["timezone"] == 0
    assert first_friday["byday"] == "1FR" and first_friday["freq"] == "MONTHLY"
    cancelled = [a["value"] for a in first_friday["attributes"] if a["link_type"] == "cancelled"]
    assert cancelled == ["2027-01-01", "2027-04-02"]
    fortnightly, the_15th = _service(document, scheduled["groups"][1].id)["schedules"]
    assert fortnightly["interval"] == 2 and fortnightly["wkst"] == "MO"
    assert fortnightly["until"] == fortnightly["valid_to"] == "2027-07-28"
    assert fortnightly["timezone"] == 1 and fortnightly["closes_at"] == "12:00"
    assert the_15th["bymonthday"] == "15" and "byday" not in the_15th
    [last_thursday] = _service(document, scheduled["groups"][2].id)["schedules"]
    assert last_thursday["byday"] == "-1TH"


def test_a_group_meeting_at_spaces_is_served_there_and_has_no_location_of_its_own(
    session: orm.Session, scheduled: dict[str, Any]
) -> None:
    document = _document(session)
    group = scheduled["groups"][0].id
    places = [at["location_id"] for at in _service(document, group)["service_at_locations"]]
    assert places == [location_id(space.id) for space in scheduled["spaces"]]
    locations = {location["id"] for location in document["locations"]}
    assert set(places) <= locations and location_id(group) not in locations
    other = _service(document, scheduled["groups"][1].id)["service_at_locations"]
    assert [at["location_id"] for at in other] == [location_id(scheduled["groups"][1].id)]


def test_a_group_whose_space_is_not_in_the_export_keeps_its_own_location(
    session: orm.Session, scheduled: dict[str, Any]
) -> None:
    document = _document(session, ExportFilter.parse(kinds=["group"]))
    group = scheduled["groups"][0].id
    [at] = _service(document, group)["service_at_locations"]
    assert at["location_id"] == location_id(group)
    assert location_id(group) in {location["id"] for location in document["locations"]}


def test_a_spaces_opening_hours_are_schedules_on_its_location(
    session: orm.Session, scheduled: dict[str, Any]
) -> None:
    space = scheduled["spaces"][0].id
    document = _document(session)
    [location] = [loc for loc in document["locations"] if loc["id"] == location_id(space)]
    [hours] = location["schedules"]
    assert hours["location_id"] == location["id"]
    assert (hours["byday"], hours["opens_at"], hours["closes_at"]) == ("MO,TH", "20:00", "17:00")


def test_schedules_read_back_are_the_schedules_exported(
    session: orm.Session, scheduled: dict[str, Any]
) -> None:
    records = list(read_hsds(_document(session)))
    read = {
        record.values["title"]: record.schedules
        for record in records
        if record.schedules and not record.errors
    }
    stored = schedules_of(session, scheduled["schedules"])
    titles = {asset.id: asset.title for asset in scheduled["groups"] + scheduled["spaces"]}
    assert read == {titles[key]: schedules for key, schedules in stored.items()}
    [choir] = [r for r in records if r.values["title"] == scheduled["groups"][0].title]
    assert choir.values["meeting_pattern"] == "Bring a mug."
    space = scheduled["spaces"][0]
    assert (choir.values["lon"], choir.values["lat"]) == (space.public_lon, space.public_lat)


@pytest.mark.parametrize(
    "change",
    [
        {"freq": "YEARLY"},
        {"count": 5, "freq": "WEEKLY"},
        {"byday": "1FR,3FR"},
        {"opens_at": "half seven"},
        {"valid_from": "soon", "dtstart": None},
    ],
)
def test_a_schedule_no_plain_schedule_can_say_is_kept_as_the_note(change: dict[str, Any]) -> None:
    schedule = {
        "id": uid("x"),
        "freq": "MONTHLY",
        "byday": "1FR",
        "opens_at": "19:30",
        "valid_from": "2026-12-01",
        "description": "First Friday, 7.30pm, and more besides",
    } | change
    location = {"id": "l", "name": "Hall", "latitude": 51.23, "longitude": -2.32}
    [record] = read_hsds({"locations": [location | {"schedules": [schedule]}]})
    assert record.schedules == []
    assert record.values["opening_times"] == "First Friday, 7.30pm, and more besides"
