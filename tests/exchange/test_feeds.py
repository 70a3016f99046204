"""Reading feeds: a local HSDS / Open Referral UK API, served by the test itself on 127.0.0.1
from Open Referral's example objects and generated services, imported, imported again with
changes and removals, checked in a dry run, and refused whole when a page is broken.

``Feed`` holds the services the API lists and answers ``/api/`` (the root) and
``/api/services`` a page at a time, as the specification pages them; a test may swap any
page's body for its own bytes. ``serving`` runs it at a free port, in a thread.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import http.server
import math
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.vocab import Status
from assetmap.exchange.feeds import FeedProblem, flatten, read_feed
from assetmap.exchange.importing.hsds import read_hsds
from assetmap.exchange.report import ImportReport, Outcome
from assetmap.services.importing import FeedLimits, ImportOptions, run_feed, run_import
from assetmap.storage.assets import add_asset, update_asset, withdraw_asset
from assetmap.storage.models import Asset, Revision
from assetmap.storage.users import create_user
from tests.exchange.helpers import AREA, CELL

EXAMPLES = Path(__file__).parent / "hsds_examples"
# The examples' one location is at latitude 100, longitude 101; the tests move it here.
EXAMPLE_PLACE = (-2.3190, 51.2310)


@dataclass
class Feed:
    """The services a local API lists, ``per_page`` to a page, and pages answered otherwise."""

    services: list[dict[str, Any]] = field(default_factory=list)
    per_page: int = 3
    broken: dict[int, bytes] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)

    def page(self, number: int) -> bytes:
        """Return page ``number`` of the services, or the bytes a test put in its place."""
        if number in self.broken:
            return self.broken[number]
        total = max(math.ceil(len(self.services) / self.per_page), 1)
        contents = self.services[(number - 1) * self.per_page : number * self.per_page]
        return orjson.dumps(
            {
                "total_items": len(self.services),
                "total_pages": total,
                "page_number": number,
                "size": len(contents),
                "first_page": number == 1,
                "last_page": number >= total,
                "empty": not contents,
                "contents": contents,
            }
        )


def _handler(feed: Feed) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            feed.asked.append(self.path)
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            if parts.path.rstrip("/") == "/api":
                self._send(orjson.dumps({"version": "3.0.0", "profile": "UK"}))
            elif parts.path == "/api/services":
                self._send(feed.page(int(query.get("page", "1"))))
            else:
                self.send_error(404)

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler


@contextlib.contextmanager
def serving(feed: Feed) -> Iterator[str]:
    """Serve ``feed`` on 127.0.0.1 at a free port; yield its API's root address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(feed))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def example(name: str) -> dict[str, Any]:
    """Return one of Open Referral's example objects as shipped."""
    return orjson.loads((EXAMPLES / f"{name}.json").read_bytes())


def placed(found: Any) -> Any:
    """Return a copy of an example with every location at ``EXAMPLE_PLACE``."""
    found = copy.deepcopy(found)
    for item in _walk(found):
        if "latitude" in item and "longitude" in item:
            item["longitude"], item["latitude"] = EXAMPLE_PLACE
    return found


def _walk(found: Any) -> Iterator[dict[str, Any]]:
    if isinstance(found, dict):
        yield found
        for value in found.values():
            yield from _walk(value)
    elif isinstance(found, list):
        for value in found:
            yield from _walk(value)


def service(
    number: int,
    *,
    name: str = "",
    description: str = "",
    theme: str = "sport",
    assured: str = "2026-01-05",
    organization: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a full service as an Open Referral UK API lists it: with its organization, its
    place (a venue with a point), a weekly schedule and a theme."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, f"feed-test/{number}")
    lon, lat = -2.3300 + number * 0.0011, 51.2250 + (number % 5) * 0.0009
    org = organization or {"id": str(uuid.uuid5(key, "org")), "name": f"Organisation {number}"}
    return {
        "id": str(key),
        "name": name or f"Club {number}",
        "description": description or f"What club {number} does.",
        "status": "active",
        "assured_date": assured,
        "organization": org,
        "service_at_locations": [
            {
                "id": str(uuid.uuid5(key, "at")),
                "location": {
                    "id": str(uuid.uuid5(key, "location")),
                    "name": f"Venue {number}",
                    "location_type": "physical",
                    "latitude": lat,
                    "longitude": lon,
                },
            }
        ],
        "schedules": [
            {
                "id": str(uuid.uuid5(key, "schedule")),
                "freq": "WEEKLY",
                "byday": "TU",
                "opens_at": "19:00",
                "closes_at": "21:00",
                "valid_from": "2026-01-06",
            }
        ],
        "contacts": [{"id": str(uuid.uuid5(key, "contact")), "name": "Pat Private"}],
        "email": f"club{number}@example.org",
        "attributes": [
            {
                "id": str(uuid.uuid5(key, "theme")),
                "link_type": "service",
                "value": theme,
                "taxonomy_term": {"id": str(uuid.uuid5(key, "term")), "code": theme, "name": theme},
            }
        ],
    }


SOURCE = "Somerset directory"
OPTIONS = ImportOptions(
    cell_m=CELL, area=AREA, default_themes=("health",), feed=True, full_listing=True
)
# A reading of pages small enough for a test to break, and quick to give up.
LIMITS = FeedLimits(timeout_s=5, max_pages=20, max_page_bytes=64 * 1024)


def import_feed(
    session: orm.Session, url: str, *, dry_run: bool = False, **options: Any
) -> ImportReport:
    report = run_feed(
        session,
        url,
        dataclasses.replace(OPTIONS, **options),
        source=SOURCE,
        dry_run=dry_run,
        limits=LIMITS,
    )
    if report.written:
        session.commit()
    return report


def stored(session: orm.Session) -> dict[str, Asset]:
    session.expire_all()
    assets = session.scalars(sa.select(Asset).order_by(Asset.id))
    return {asset.source_id or f"id {asset.id}": asset for asset in assets}


def snapshot(session: orm.Session) -> list[tuple[Any, ...]]:
    return [
        (a.id, a.title, a.description, a.status, a.checked_at, a.unlisted_at, a.last_confirmed)
        for a in stored(session).values()
    ]


def titles(report: ImportReport, outcome: Outcome) -> list[str]:
    return sorted(entry.title for entry in report.entries[outcome])


def with_examples(count: int) -> Feed:
    examples = [
        placed(example("service_full")),
        placed(example("organization_full")),
        placed(example("service_at_location_full")),
    ]
    return Feed([*examples, *(service(n) for n in range(1, count + 1))])


@pytest.fixture
def feed() -> Feed:
    return with_examples(7)


@pytest.fixture
def url(feed: Feed) -> Iterator[str]:
    with serving(feed) as root:
        yield root


def test_a_first_run_adds_every_service_from_every_page(
    session: orm.Session, feed: Feed, url: str
) -> None:
    report = import_feed(session, url)
    assert report.written and report.ok, list(report.lines())
    assert titles(report, Outcome.ADDED) == sorted(
        ["Community Counselling", *(f"Club {n}" for n in range(1, 8))]
    )
    assert [path for path in feed.asked if "page=" in path][-1].endswith("page=4")
    found = stored(session)
    assert len(found) == 8
    counselling = found["ac148810-d857-441c-9679-408f346de14b"]
    assert counselling.source == SOURCE and counselling.kind.value == "group"
    assert (counselling.public_lon, counselling.public_lat) == EXAMPLE_PLACE
    assert counselling.last_confirmed == dt.date(2005, 1, 1)
    assert counselling.assured_by == "source"
    assert all(a.checked_at is not None and a.unlisted_at is None for a in found.values())


def test_no_contact_or_name_of_a_person_in_a_feed_is_stored(session: orm.Session, url: str) -> None:
    import_feed(session, url)
    for asset in stored(session).values():
        said = " ".join(str(getattr(asset, name)) for name in ("description", "contact", "title"))
        assert asset.contact == "" and asset.owner_id is None
        for private in ("Ann Persona", "Pat Private", "@example", "+44 1234"):
            assert private not in said


def test_a_second_run_updates_changes_and_withdraws_or_leaves_what_is_no_longer_listed(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    first = stored(session)
    club = {n: first[service(n)["id"]] for n in range(1, 8)}
    person = create_user(session, "editor@example.org", role="planner")
    update_asset(session, club[3].id, {"description": "Fixed here."}, by=person.id, cell_m=CELL)
    session.commit()
    checked_before = club[1].checked_at
    feed.services = [
        s for s in feed.services if s["id"] not in (service(2)["id"], service(3)["id"])
    ]
    feed.services[3] = service(1, description="Now on Wednesdays too.")
    feed.services[4] = service(4, assured="2026-06-30")

    report = import_feed(session, url)

    assert report.written, list(report.lines())
    assert titles(report, Outcome.UPDATED) == ["Club 1", "Club 4"]
    assert titles(report, Outcome.WITHDRAWN) == ["Club 2"]
    assert titles(report, Outcome.LEFT) == ["Club 3"]
    assert report.counts[Outcome.ADDED] == 0
    found = {n: stored(session)[service(n)["id"]] for n in range(1, 8)}
    assert found[1].description == "Now on Wednesdays too."
    assert found[4].last_confirmed == dt.date(2026, 6, 30) and found[4].assured_by == "source"
    assert found[2].status is Status.WITHDRAWN and found[2].unlisted_at is not None
    reason = session.scalar(
        sa.select(Revision.reason)
        .where(Revision.asset_id == found[2].id)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    assert reason == f"No longer listed by {SOURCE}"
    assert found[3].status is Status.PUBLISHED and found[3].unlisted_at is not None
    assert found[3].description == "Fixed here."
    assert checked_before is not None
    checked = [found[n].checked_at for n in (1, 4, 5, 6, 7)]
    assert all(at is not None and at > checked_before for at in checked)
    assert found[5].unlisted_at is None


def test_an_older_assured_date_never_moves_last_confirmed_back(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    feed.services[3] = service(1, assured="2025-01-01")
    report = import_feed(session, url)
    assert titles(report, Outcome.UPDATED) == []
    assert stored(session)[service(1)["id"]].last_confirmed == dt.date(2026, 1, 5)


def test_a_strength_withdrawn_as_unlisted_is_brought_back_when_listed_again(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    listed = list(feed.services)
    feed.services = [s for s in listed if s["id"] != service(2)["id"]]
    import_feed(session, url)
    feed.services = listed
    report = import_feed(session, url)
    assert titles(report, Outcome.UPDATED) == ["Club 2"]
    [entry] = report.entries[Outcome.UPDATED]
    assert "brings back" in entry.reason
    back = stored(session)[service(2)["id"]]
    assert back.status is Status.PUBLISHED and back.unlisted_at is None


def test_a_strength_a_person_withdrew_is_not_brought_back(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    person = create_user(session, "editor@example.org", role="planner")
    withdraw_asset(session, stored(session)[service(2)["id"]].id, by=person.id, reason="Closed")
    session.commit()
    report = import_feed(session, url)
    assert titles(report, Outcome.UPDATED) == []
    assert stored(session)[service(2)["id"]].status is Status.WITHDRAWN


def test_a_dry_run_lists_what_would_be_added_updated_left_and_withdrawn_and_writes_nothing(
    session: orm.Session, feed: Feed, url: str
) -> None:
    feed.services = feed.services[3:]
    import_feed(session, url)
    person = create_user(session, "editor@example.org", role="planner")
    club3 = stored(session)[service(3)["id"]].id
    update_asset(session, club3, {"description": "Fixed here."}, by=person.id, cell_m=CELL)
    session.commit()
    before = snapshot(session)
    feed.services = [
        service(1, description="Changed."),
        *(service(n) for n in (4, 5, 6, 7)),
        service(8),
    ]

    report = import_feed(session, url, dry_run=True)

    assert not report.written and snapshot(session) == before
    assert titles(report, Outcome.ADDED) == ["Club 8"]
    assert titles(report, Outcome.UPDATED) == ["Club 1"]
    assert titles(report, Outcome.LEFT) == ["Club 3"]
    assert titles(report, Outcome.WITHDRAWN) == ["Club 2"]
    text = "\n".join(report.lines())
    assert "no longer listed: 1 left, 1 withdrawn" in text
    for title in ("Club 8", "Club 1", "Club 3", "Club 2"):
        assert f"({title})" in text


def test_without_a_full_listing_nothing_is_withdrawn(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    feed.services = feed.services[:4]
    report = import_feed(session, url, full_listing=False)
    assert report.written and report.unlisted == 0
    assert all(a.status is Status.PUBLISHED for a in stored(session).values())


def test_a_stored_strength_of_no_source_is_linked_and_one_with_an_owner_left_alone(
    session: orm.Session, feed: Feed, url: str
) -> None:
    person = create_user(session, "owner@example.org")
    lon, lat = (
        service(1)["service_at_locations"][0]["location"]["longitude"],
        service(1)["service_at_locations"][0]["location"]["latitude"],
    )
    typed = add_asset(
        session, _group("Club 1", lon, lat, "Typed in here."), owner_id=None, cell_m=CELL
    )
    lon2 = service(2)["service_at_locations"][0]["location"]["longitude"]
    lat2 = service(2)["service_at_locations"][0]["location"]["latitude"]
    owned = add_asset(
        session, _group("Club 2", lon2, lat2, "Ours."), owner_id=person.id, cell_m=CELL
    )
    session.commit()
    typed_id, owned_id = typed.id, owned.id

    report = import_feed(session, url)

    assert report.written, list(report.lines())
    found = {a.id: a for a in stored(session).values()}
    assert found[typed_id].source == SOURCE
    assert found[typed_id].source_id == service(1)["id"]
    assert found[typed_id].description == "What club 1 does."
    assert found[owned_id].source == "" and found[owned_id].description == "Ours."
    assert "Club 1" in titles(report, Outcome.UPDATED)
    assert "Club 2" in titles(report, Outcome.SKIPPED)
    assert len(found) == 8


def _group(title: str, lon: float, lat: float, description: str) -> Any:
    return validate_asset(
        {
            "kind": "group",
            "title": title,
            "description": description,
            "themes": ["sport"],
            "lon": lon,
            "lat": lat,
        }
    )


def _padded(number: int) -> bytes:
    return orjson.dumps(
        {
            "total_items": 10,
            "total_pages": 4,
            "page_number": 2,
            "last_page": False,
            "contents": [service(number, description="x" * 70_000)],
        }
    )


@pytest.mark.parametrize(
    ("page", "body", "said"),
    [
        (2, b'{"total_pages": 4, "contents": [', "is not valid JSON"),
        (2, b'{"total_pages": 4, "page_number": 2, "services": []}', "has no contents list"),
        (3, b'{"total_pages": 4, "page_number": 3, "contents": []}', "is empty, but"),
        (2, b'{"total_pages": 9, "page_number": 2, "contents": []}', "says total_pages is 9"),
        (4, b'{"total_pages": 4, "page_number": 4, "last_page": true, "contents": []}', "said"),
        (2, None, "is larger than"),
    ],
    ids=["bad-json", "no-contents", "empty-early", "total-changes", "total-items", "too-large"],
)
def test_a_broken_page_names_the_page_and_nothing_is_imported(
    session: orm.Session, feed: Feed, url: str, page: int, body: bytes | None, said: str
) -> None:
    feed.broken[page] = body if body is not None else _padded(4)
    report = import_feed(session, url)
    assert not report.written and not report.ok
    [entry] = report.entries[Outcome.REJECTED]
    expected_where = "the feed" if said == "said" else f"page {page}"
    assert entry.where == expected_where and said in entry.reason, entry
    assert stored(session) == {}


def test_a_broken_page_on_a_second_run_withdraws_nothing(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    before = snapshot(session)
    feed.services = feed.services[:4]
    feed.broken[2] = b"not json"
    report = import_feed(session, url)
    assert not report.written and report.unlisted == 0
    assert snapshot(session) == before


def test_the_examples_as_shipped_are_refused_saying_where_they_are(
    session: orm.Session, feed: Feed, url: str
) -> None:
    feed.services = [example("service_full")]
    report = import_feed(session, url)
    assert not report.written
    [entry] = report.entries[Outcome.REJECTED]
    assert entry.where == "service 1" and entry.field == "lat"
    assert stored(session) == {}


def test_a_url_that_is_a_list_of_services_is_followed_to_its_last_page(
    session: orm.Session, feed: Feed, url: str
) -> None:
    report = import_feed(session, f"{url}services?per_page=3")
    assert report.written and report.counts[Outcome.ADDED] == 8


def test_only_http_and_https_are_read() -> None:
    with pytest.raises(FeedProblem, match="http or https"):
        read_feed("file:///etc/passwd")


def test_a_dump_of_one_page_imports_as_the_api_does(
    session: orm.Session, feed: Feed, tmp_path: Path
) -> None:
    feed.per_page = 20
    path = tmp_path / "dump.json"
    path.write_bytes(feed.page(1))
    report = run_import(session, path, OPTIONS, dry_run=False, source=SOURCE)
    session.commit()
    assert report.written and report.counts[Outcome.ADDED] == 8
    assert {a.source for a in stored(session).values()} == {SOURCE}


def test_one_organization_running_several_services_gives_a_group_for_each() -> None:
    org = {"id": "org-1", "name": "Age Concern", "description": "Charity"}
    document = flatten([service(n, organization=org) for n in (1, 2, 3)])
    records = list(read_hsds(document))
    assert [(r.values["title"], r.source_id) for r in records] == [
        (f"Club {n}", service(n)["id"]) for n in (1, 2, 3)
    ]


def test_a_space_s_own_service_is_the_space_not_a_group() -> None:
    kind = [{"id": "k", "link_type": "kind", "value": "space"}]
    location = {
        "id": "loc-1",
        "name": "Church hall",
        "latitude": 51.23,
        "longitude": -2.32,
        "attributes": kind,
    }
    own = {
        "id": "svc-1",
        "name": "Church hall",
        "attributes": kind,
        "assured_date": "2026-02-01",
        "service_at_locations": [{"id": "at-1", "location_id": "loc-1"}],
    }
    [record] = read_hsds(flatten({"services": [own], "locations": [location]}))
    assert (record.values["kind"], record.source_id) == ("space", "loc-1")
    assert record.assured == dt.date(2026, 2, 1)


def test_a_venue_with_no_point_is_no_space_and_no_rejection() -> None:
    found = service(1)
    found["service_at_locations"].append(
        {"id": "at-2", "location": {"id": "online", "name": "Online", "location_type": "virtual"}}
    )
    found["service_at_locations"].append(
        {"id": "at-3", "location": {"id": "post", "name": "Somewhere", "postal_code": "BA11"}}
    )
    records = list(read_hsds(flatten([found])))
    assert [(r.values["kind"], r.errors) for r in records] == [("group", {})]


def test_the_import_feed_command_reports_a_dry_run(app: Flask, feed: Feed, url: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["import-feed", url, "--source", SOURCE, "--dry-run", "--theme", "health"]
    )
    assert result.exit_code == 0, result.output
    assert "8 added" in result.output and "(would be the result)" in result.output
    assert "(Club 7) added" in result.output


def test_the_import_feed_command_names_the_broken_page(app: Flask, feed: Feed, url: str) -> None:
    feed.broken[2] = b"[1, 2"
    result = app.test_cli_runner().invoke(args=["import-feed", url, "--source", SOURCE])
    assert result.exit_code == 1
    assert "page 2" in result.output and "is not valid JSON" in result.output
    assert "Nothing was imported" in result.output


def test_a_full_listing_never_withdraws_outside_the_importer_s_neighbourhoods(
    session: orm.Session, feed: Feed, url: str
) -> None:
    import_feed(session, url)
    feed.services = feed.services[:4]
    report = import_feed(session, url, neighbourhoods=frozenset(), skip_outside=True)
    assert report.unlisted == 0
    assert all(a.status is Status.PUBLISHED for a in stored(session).values())


def test_the_import_feed_command_reads_a_dump(app: Flask, feed: Feed, tmp_path: Path) -> None:
    feed.per_page = 20
    path = tmp_path / "directory.json"
    path.write_bytes(feed.page(1))
    result = app.test_cli_runner().invoke(
        args=["import-feed", str(path), "--source", SOURCE, "--theme", "health"]
    )
    assert result.exit_code == 0, result.output
    assert "8 added" in result.output and "(were the result)" in result.output
