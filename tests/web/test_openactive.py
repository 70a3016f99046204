from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openactive
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from assetmap import create_app
from assetmap.domain.assets import AssetDraft
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as store
from assetmap.storage.moderation import hide_asset
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db

TODAY = dt.date(2026, 12, 7)
FEED = "/openactive/session-series"
BASE = "http://127.0.0.1:5000"
WEEKLY = {"frequency": "weekly", "weekdays": "TU", "start_time": "19:30", "end_time": "21:00"}
FIRST_FRIDAY = {
    "frequency": "monthly-by-weekday",
    "weekdays": "FR",
    "week_of_month": "1",
    "start_time": "19:30",
    "cancelled": "2027-01-01",
}


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    """The app with no settling time, so a change made by a test is in the feed at once."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test",
            "FEED_SETTLE_SECONDS": 0,
        }
    )
    yield app
    db.database(app).dispose()


def _schedule(**raw: Any) -> Any:
    return validate_schedule({"starts_on": "2026-12-01", **raw}, today=TODAY)


def _add(app: Flask, draft: AssetDraft, *schedules: dict[str, Any]) -> int:
    with app.app_context():
        session = db.session()
        asset = store.add_asset(session, draft, owner_id=None, cell_m=400.0)
        if schedules:
            set_schedules(session, asset.id, [_schedule(**raw) for raw in schedules], by=None)
        session.commit()
        return asset.id


def _change(app: Flask, work: Callable[[Any], object]) -> None:
    with app.app_context():
        session = db.session()
        work(session)
        session.commit()


@pytest.fixture
def groups(app: Flask, make_draft: Callable[..., AssetDraft]) -> dict[str, int]:
    made = {
        "choir": _add(app, make_draft(title="Frome Community Choir"), WEEKLY),
        "quiz": _add(app, make_draft(title="Cheese and Grain quiz"), FIRST_FRIDAY, WEEKLY),
        "idle": _add(app, make_draft(title="A group with no schedule")),
        "hall": _add(app, make_draft(kind="space", title="Wesley Hall", themes=["faith"])),
        "skill": _add(app, make_draft(kind="skill", title="Bike repair")),
    }
    for number in range(7):
        made[f"walk {number}"] = _add(app, make_draft(title=f"Walk {number}"), WEEKLY)
    _change(app, lambda s: add_tie(s, TieKind.MEETS_AT, made["choir"], made["hall"], by=None))
    return made


def _pages(client: FlaskClient, url: str = FEED) -> Iterator[dict[str, Any]]:
    """Follow ``next`` from ``url`` until a page repeats its own URL."""
    while True:
        page = client.get(url).get_json()
        yield page
        following = page["next"].removeprefix(BASE)
        if following == url:
            return
        url = following


def _updated(pages: Iterator[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        item["id"]: item for page in pages for item in page["items"] if item["state"] == "updated"
    }


def test_the_feed_paged_to_its_end_holds_each_scheduled_group_once(
    app: Flask, client: FlaskClient, groups: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assetmap.exchange.openactive.PAGE_SIZE", 3)
    pages = list(_pages(client))
    ids = [item["id"] for page in pages for item in page["items"]]
    assert len(ids) == len(set(ids))
    updated = {i["id"] for p in pages for i in p["items"] if i["state"] == "updated"}
    scheduled = {key for name, key in groups.items() if name not in ("idle", "hall", "skill")}
    assert updated == scheduled
    assert groups["skill"] not in ids and groups["hall"] not in ids
    assert pages[-1]["items"] == [] and len(pages) == 5


def test_items_are_in_modified_then_id_order(client: FlaskClient, groups: dict[str, int]) -> None:
    items = client.get(FEED).get_json()["items"]
    keys = [(item["modified"], item["id"]) for item in items]
    assert keys == sorted(keys) and all(isinstance(m, int) for m, _ in keys)


def test_a_session_series_says_when_and_where_in_openactive_terms(
    client: FlaskClient, groups: dict[str, int]
) -> None:
    updated = _updated(_pages(client))
    choir = updated[groups["choir"]]["data"]
    assert choir["@context"] == "https://openactive.io/"
    assert choir["@type"] == "SessionSeries"
    assert choir["@id"] == choir["url"] == f"{BASE}/assets/{groups['choir']}"
    assert choir["organizer"] == {
        "@type": "Organization",
        "name": "Frome Community Choir",
        "url": choir["url"],
    }
    assert choir["activity"][0]["prefLabel"] == "Sport"
    assert choir["location"]["name"] == "Wesley Hall"
    assert set(choir["location"]["geo"]) == {"@type", "latitude", "longitude"}
    [weekly] = choir["eventSchedule"]
    assert weekly == {
        "@type": "Schedule",
        "repeatFrequency": "P1W",
        "byDay": ["https://schema.org/Tuesday"],
        "startTime": "19:30",
        "endTime": "21:00",
        "duration": "PT1H30M",
        "scheduleTimezone": "Europe/London",
        "startDate": "2026-12-01",
        "idTemplate": f"{choir['url']}#session-{{startDate}}",
        "urlTemplate": choir["url"],
    }
    first_friday = updated[groups["quiz"]]["data"]["eventSchedule"][0]
    assert first_friday["repeatFrequency"] == "P1M"
    assert first_friday["byDay"] == ["https://schema.org/Friday"]
    assert first_friday["byMonthWeek"] == [1]
    assert first_friday["exceptDate"] == ["2027-01-01T19:30:00+00:00"]


def test_a_group_meeting_nowhere_known_is_at_its_own_public_point(
    client: FlaskClient, groups: dict[str, int]
) -> None:
    quiz = _updated(_pages(client))[groups["quiz"]]["data"]
    assert quiz["location"]["name"] == "Cheese and Grain quiz"
    assert quiz["location"]["geo"]["longitude"] == pytest.approx(-2.3213)


@pytest.mark.parametrize(
    "change",
    [
        lambda s, key: store.withdraw_asset(s, key, by=None),
        lambda s, key: hide_asset(s, key, by=None, reason="spam"),
        lambda s, key: set_schedules(s, key, [], by=None),
    ],
    ids=["withdrawn", "hidden", "schedules removed"],
)
def test_a_group_gone_after_a_read_comes_later_as_deleted_with_no_data(
    app: Flask, client: FlaskClient, groups: dict[str, int], change: Any
) -> None:
    end = list(_pages(client))[-1]["next"].removeprefix(BASE)
    _change(app, lambda s: change(s, groups["choir"]))
    later = client.get(end).get_json()["items"]
    assert later == [
        {
            "state": "deleted",
            "kind": "SessionSeries",
            "id": groups["choir"],
            "modified": later[0]["modified"],
        }
    ]


def test_pages_are_open_to_any_site_and_the_last_is_kept_briefly(
    client: FlaskClient, groups: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assetmap.exchange.openactive.PAGE_SIZE", 3)
    full, *_, last = _pages(client)
    assert full.get("license") == "https://creativecommons.org/licenses/by/4.0/"
    first = client.get(FEED)
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["Cache-Control"] == "public, max-age=3600"
    final = client.get(last["next"].removeprefix(BASE))
    assert final.headers["Cache-Control"] == "public, max-age=8"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("afterTimestamp=1", "afterId"),
        ("afterId=1", "afterTimestamp"),
        ("afterTimestamp=yesterday&afterId=1", "afterTimestamp"),
        ("afterTimestamp=1&afterId=-4", "afterId"),
        ("afterTimestamp=99999999999999999999999&afterId=1", "afterTimestamp"),
    ],
)
def test_a_bad_position_is_a_400_naming_the_parameter(
    client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"{FEED}?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_the_dataset_site_points_at_the_feed(client: FlaskClient) -> None:
    response = client.get("/openactive/")
    assert response.mimetype == "application/ld+json"
    dataset = response.get_json()
    assert dataset["@type"] == "Dataset"
    [feed] = dataset["distribution"]
    assert feed["contentUrl"] == BASE + "/openactive/session-series"
    assert feed["additionalType"] == "https://openactive.io/SessionSeries"


@pytest.fixture
def served(sqlite_url: str) -> Iterator[tuple[Flask, str]]:
    holder: dict[str, Flask] = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, reply: holder["app"](environ, reply), threaded=True
    )
    base = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "t",
            "PUBLIC_URL": base,
            "FEED_SETTLE_SECONDS": 0,
        }
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["app"], base
    server.shutdown()
    thread.join(timeout=5)
    db.database(holder["app"]).dispose()


def test_the_openactive_reader_reads_the_feed_and_then_a_withdrawal(
    served: tuple[Flask, str], make_draft: Callable[..., AssetDraft], tmp_path: Path
) -> None:
    app, base = served
    choir = _add(app, make_draft(title="Frome Community Choir"), WEEKLY)
    quiz = _add(app, make_draft(title="Cheese and Grain quiz"), FIRST_FRIDAY)
    _add(app, make_draft(kind="skill", title="Bike repair"))
    read = openactive.get_opportunities(f"{base}{FEED}", seconds_wait_next=0)
    assert read["status"] == "COMPLETE"
    assert set(read["items"]) == {choir, quiz}
    assert read["items"][choir]["data"]["name"] == "Frome Community Choir"
    _change(app, lambda s: store.withdraw_asset(s, choir, by=None))
    again = openactive.get_opportunities(read, seconds_wait_next=0)
    assert again["status"] == "COMPLETE"
    assert set(again["items"]) == {quiz}


def test_the_feed_and_the_export_read_schedules_and_ties_alike_on_every_backend(
    session: Any, make_draft: Callable[..., AssetDraft]
) -> None:
    from assetmap.storage.exports import ExportFilter, public_rows
    from assetmap.storage.feeds import session_series

    group = store.add_asset(session, make_draft(), owner_id=None, cell_m=400.0).id
    hall = store.add_asset(
        session, make_draft(kind="space", title="Hall"), owner_id=None, cell_m=400.0
    )
    set_schedules(session, group, [_schedule(**WEEKLY)], by=None)
    add_tie(session, TieKind.MEETS_AT, group, hall.id, by=None)
    session.commit()
    [row] = session_series(session)
    assert [venue.title for venue in row.venues] == ["Hall"] and len(row.schedules) == 1
    assert session_series(session, after=(row.modified, row.asset_id)) == []
    [batch] = public_rows(session, ExportFilter())
    assert batch.venues == {group: [hall.id]}
    assert batch[0][0] == group and "Every Tuesday, 7.30pm to 9pm" in batch[0]


def test_a_change_joins_the_feed_once_it_has_settled(
    app: Flask, client: FlaskClient, make_draft: Callable[..., AssetDraft]
) -> None:
    """A change is stamped before it commits, and PostgreSQL commits in any order: the feed
    holds back the last few seconds, so a reader never pages past a change still committing."""
    app.config["FEED_SETTLE_SECONDS"] = 3600
    choir = _add(app, make_draft(title="Frome Community Choir"), WEEKLY)
    held_back = client.get(FEED).get_json()
    assert held_back["items"] == []
    app.config["FEED_SETTLE_SECONDS"] = 0
    settled = client.get(FEED).get_json()
    assert [item["id"] for item in settled["items"]] == [choir]


def test_a_settling_time_that_is_not_a_number_of_seconds_stops_the_app(sqlite_url: str) -> None:
    for wrong in (-1, "5", True):
        with pytest.raises(ValueError, match="ASSETMAP_FEED_SETTLE_SECONDS"):
            create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "FEED_SETTLE_SECONDS": wrong})
