from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.privacy import public_point
from assetmap.domain.provenance import local_day
from assetmap.storage import assets as store
from assetmap.storage import moderation
from assetmap.storage.coverage import Coverage, coverage, totals
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.conftest import _draft
from tests.web.helpers import sign_in

TODAY = dt.date(2026, 12, 7)
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
NORTH = Area("north", "North Hill", box(-2.34, 51.24, -2.30, 51.26))
IN_WEST = {"lon": -2.33, "lat": 51.23}
IN_EAST = {"lon": -2.31, "lat": 51.23}
OUTSIDE = {"lon": -2.20, "lat": 51.23}
# A skill whose home is in East Side, but whose grid cell's centre (its public point) is in
# West End, with a 400 m cell.
HOME_IN_EAST = {"lon": -2.3190, "lat": 51.23}


def build(session: orm.Session, make_draft: Callable[..., AssetDraft], today: dt.date) -> None:
    """A register with known dates: in West End, a skill confirmed 90 days ago (fresh) and a
    group 91 days ago (not), a space today and a hidden space; in East Side, two groups
    confirmed long ago and a withdrawn one today; none in North Hill; one group outside."""
    replace_neighbourhoods(session, [WEST, EAST, NORTH])

    def add(kind: str, where: dict[str, float], days_ago: int) -> int:
        draft = make_draft(kind=kind, **where)
        on = today - dt.timedelta(days=days_ago)
        return store.add_asset(session, draft, owner_id=None, cell_m=400, today=on).id

    add("skill", IN_WEST, 90)
    add("group", IN_WEST, 91)
    add("space", IN_WEST, 0)
    moderation.hide_asset(session, add("space", IN_WEST, 0), by=None, reason="spam")
    add("group", IN_EAST, 400)
    add("group", IN_EAST, 200)
    store.withdraw_asset(session, add("group", IN_EAST, 0), by=None)
    add("group", OUTSIDE, 3)
    session.commit()


def by_name(rows: list[Coverage]) -> dict[str, tuple[int, int, int, int, int | None]]:
    return {r.name: (r.skills, r.groups, r.spaces, r.fresh, r.fresh_percent) for r in rows}


def test_coverage_counts_public_strengths_by_kind_and_freshness(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    build(session, make_draft, TODAY)
    rows = coverage(session, TODAY)
    assert [r.name for r in rows] == ["East Side", "North Hill", "West End", ""]
    assert rows[-1].neighbourhood_id is None
    assert by_name(rows) == {
        "West End": (1, 1, 1, 2, 67),
        "East Side": (0, 2, 0, 0, 0),
        "North Hill": (0, 0, 0, 0, None),
        "": (0, 1, 0, 1, 100),
    }
    whole = totals(rows)
    assert (whole.total, whole.fresh, whole.fresh_percent) == (6, 3, 50)


def test_a_strength_stops_being_fresh_the_day_after_its_ninetieth(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    build(session, make_draft, TODAY)
    later = coverage(session, TODAY + dt.timedelta(days=1))
    assert by_name(later)["West End"][3:] == (1, 33)


def test_a_skill_is_counted_where_the_map_shows_it_not_where_it_is(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    assert public_point("skill", HOME_IN_EAST["lon"], HOME_IN_EAST["lat"], 400)[0] < -2.32
    replace_neighbourhoods(session, [WEST, EAST])
    store.add_asset(session, make_draft(kind="skill", **HOME_IN_EAST), owner_id=None, cell_m=400)
    session.commit()
    rows = by_name(coverage(session, TODAY))
    assert rows["West End"][0] == 1
    assert rows["East Side"][0] == 0


def test_with_no_neighbourhoods_every_strength_is_in_none(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    store.add_asset(session, make_draft(), owner_id=None, cell_m=400, today=TODAY)
    session.commit()
    assert coverage(session, TODAY) == [Coverage(None, "", 0, 1, 0, 1)]


@pytest.fixture
def register(app: Flask) -> list[Coverage]:
    """The register ``build`` makes, in the app's database, dated from today; its coverage."""
    today = local_day(dt.datetime.now(dt.UTC))
    with app.app_context(), db.database().session() as session:
        build(session, _draft, today)
        return coverage(session, today)


def cells(page: str) -> list[list[str]]:
    """Return the words of each row of the page's coverage table, below its headings."""
    table = re.search(r"<table[^>]*data-coverage.*?</table>", page, re.S)
    assert table is not None
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)
    return [
        [words(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows[1:]
    ]


def words(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_staff_see_the_pages_figures_equal_storages(
    app: Flask, client: FlaskClient, register: list[Coverage], role: str
) -> None:
    sign_in(app, client, role)
    page = client.get("/coverage")
    assert page.status_code == 200
    shown = cells(page.get_data(as_text=True))
    expected = [
        [
            r.name or "Not in a neighbourhood",
            str(r.skills),
            str(r.groups),
            str(r.spaces),
            str(r.total),
            f"{r.fresh_percent}% ({r.fresh} of {r.total})"
            if r.fresh_percent is not None
            else "No public strengths",
        ]
        for r in register
    ]
    assert shown[:-1] == expected
    assert shown[-1] == ["Total", "1", "4", "1", "6", "50% (3 of 6)"]
    assert ["West End", "1", "1", "1", "3", "67% (2 of 3)"] in shown


def test_the_csv_is_the_same_table(
    app: Flask, client: FlaskClient, register: list[Coverage]
) -> None:
    sign_in(app, client, "planner")
    response = client.get("/coverage.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "neighbourhood",
        "skills",
        "groups",
        "spaces",
        "all",
        "assured_within_90_days",
        "assured_within_90_days_percent",
    ]
    assert rows[1:] == [
        ["East Side", "0", "2", "0", "2", "0", "0"],
        ["North Hill", "0", "0", "0", "0", "0", ""],
        ["West End", "1", "1", "1", "3", "2", "67"],
        ["Not in a neighbourhood", "0", "1", "0", "1", "1", "100"],
        ["All", "1", "4", "1", "6", "3", "50"],
    ]


@pytest.mark.parametrize("path", ["/coverage", "/coverage.csv"])
@pytest.mark.parametrize("role", ["resident", "coach"])
def test_residents_and_coaches_are_refused(
    app: Flask, client: FlaskClient, register: list[Coverage], path: str, role: str
) -> None:
    sign_in(app, client, role)
    response = client.get(path)
    assert response.status_code == 403
    assert "West End" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/coverage", "/coverage.csv"])
def test_a_visitor_is_sent_to_sign_in(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_strength_checks_page_links_to_it_and_no_one_elses_page_does(
    app: Flask, client: FlaskClient
) -> None:
    assert 'href="/coverage"' not in client.get("/").get_data(as_text=True)
    sign_in(app, client, "resident")
    assert 'href="/coverage"' not in client.get("/").get_data(as_text=True)
    planner = app.test_client()
    sign_in(app, planner, "planner")
    assert 'href="/coverage"' in planner.get("/checks").get_data(as_text=True)


def test_a_neighbourhood_name_with_markup_is_shown_as_text_and_made_safe_in_the_csv(
    app: Flask, client: FlaskClient
) -> None:
    hostile = Area("bad", '=HYPERLINK("evil")<b onmouseover="x">', WEST.boundary)
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(session, [hostile])
        session.commit()
    sign_in(app, client, "planner")
    page = client.get("/coverage").get_data(as_text=True)
    assert "<b onmouseover" not in page
    assert "=HYPERLINK(&#34;evil&#34;)&lt;b onmouseover=&#34;x&#34;&gt;" in page
    rows = list(csv.reader(io.StringIO(client.get("/coverage.csv").get_data(as_text=True))))
    assert rows[1][0] == "'" + hostile.name
