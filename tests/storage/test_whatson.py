from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.geo import distance_m
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.domain.vocab import Theme
from assetmap.storage import assets as store
from assetmap.storage import moderation
from assetmap.storage.models import AssetSchedule, Neighbourhood
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.storage.whatson import Near, candidates

WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
TODAY = dt.date(2026, 12, 9)


def weekly(days: str, start: str = "19:30") -> Any:
    raw = {"frequency": "weekly", "weekdays": days, "start_time": start}
    return validate_schedule(raw, today=TODAY)


@pytest.fixture
def add(session: orm.Session, make_draft: Callable[..., AssetDraft]) -> Callable[..., int]:
    replace_neighbourhoods(session, [WEST, EAST])

    def adding(title: str, *schedules: Any, **fields: Any) -> int:
        asset = store.add_asset(
            session, make_draft(title=title, **fields), owner_id=None, cell_m=400
        )
        if schedules:
            set_schedules(session, asset.id, list(schedules), by=None)
        session.commit()
        return asset.id

    return adding


def titles(found: list[Any]) -> list[str]:
    return [candidate.title for candidate in found]


def test_groups_with_schedules_are_found_with_them_in_order(
    session: orm.Session, add: Callable[..., int]
) -> None:
    choir = add("Town choir", weekly("WE"), weekly("SA", "10:00"), lon=-2.33, lat=51.23)
    add("Chess club", lon=-2.33, lat=51.23)
    [found] = candidates(session)
    assert found.asset_id == choir
    assert [s.describe() for s in found.schedules] == [
        "Every Wednesday, 7.30pm",
        "Every Saturday, 10am",
    ]
    assert (found.lon, found.lat, found.neighbourhood) == (-2.33, 51.23, "West End")
    assert found.themes == (Theme.SPORT,)


def test_only_published_groups_are_found(session: orm.Session, add: Callable[..., int]) -> None:
    add("Town choir", weekly("WE"))
    hidden = add("Closed choir", weekly("WE"))
    withdrawn = add("Old choir", weekly("WE"))
    hall = add("Market hall", weekly("MO", "09:00"), kind="space")
    moderation.hide_asset(session, hidden, by=None, reason="Reported as closed")
    store.withdraw_asset(session, withdrawn, by=None)
    session.commit()
    assert titles(candidates(session)) == ["Town choir"]
    assert hall not in [c.asset_id for c in candidates(session)]


def test_a_skill_is_never_found_even_with_a_schedule_stored_against_it(
    session: orm.Session, add: Callable[..., int]
) -> None:
    skill = add("Guitar lessons", kind="skill", lon=-2.3301, lat=51.2301)
    row = weekly("WE")
    session.add(
        AssetSchedule(
            asset_id=skill,
            position=0,
            rule=row.rule(),
            starts_on=row.starts_on,
            start_time=row.start_time,
            cancelled=[],
            timezone=row.timezone,
        )
    )
    session.commit()
    assert candidates(session) == []
    assert candidates(session, words=["guitar"]) == []


def test_a_neighbourhood_keeps_its_own_groups(
    session: orm.Session, add: Callable[..., int]
) -> None:
    add("West choir", weekly("WE"), lon=-2.33, lat=51.23)
    add("East choir", weekly("WE"), lon=-2.31, lat=51.23)
    add("Far choir", weekly("WE"), lon=-2.20, lat=51.23)
    west, east = _ids(session)
    assert titles(candidates(session, neighbourhood_id=west)) == ["West choir"]
    assert titles(candidates(session, neighbourhood_id=east)) == ["East choir"]
    assert titles(candidates(session)) == ["West choir", "East choir", "Far choir"]


def _ids(session: orm.Session) -> tuple[int, int]:
    rows = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
    return rows["west"], rows["east"]


def test_near_keeps_groups_within_the_radius_in_geodesic_metres(
    session: orm.Session, add: Callable[..., int]
) -> None:
    origin = (-2.3213, 51.2296)
    # Due east, the box around 500 m holds both; only one lies within 500 m.
    add("Near choir", weekly("WE"), lon=-2.3153, lat=51.2296)
    add("Corner choir", weekly("WE"), lon=-2.3153, lat=51.2333)
    add("Far choir", weekly("WE"), lon=-2.2900, lat=51.2296)
    assert distance_m(*origin, -2.3153, 51.2296) < 500 < distance_m(*origin, -2.3153, 51.2333)
    found = candidates(session, near=Near(*origin, 500))
    assert titles(found) == ["Near choir"]


def test_themes_and_words_filter_as_the_search_does(
    session: orm.Session, add: Callable[..., int]
) -> None:
    add("Town choir", weekly("WE"), themes=["arts"], description="We sing together.")
    add("Garden club", weekly("SA"), themes=["environment"], description="Growing vegetables.")
    add("Gardening for wellbeing", weekly("MO"), themes=["health"])
    assert titles(candidates(session, themes=frozenset({Theme.ARTS}))) == ["Town choir"]
    assert titles(candidates(session, words=["garden"])) == [
        "Garden club",
        "Gardening for wellbeing",
    ]
    both = candidates(session, themes=frozenset({Theme.HEALTH}), words=["garden"])
    assert titles(both) == ["Gardening for wellbeing"]
    assert candidates(session, words=["sing", "vegetables"]) == []


def test_a_group_comes_with_the_published_spaces_it_meets_at(
    session: orm.Session, add: Callable[..., int]
) -> None:
    choir = add("Town choir", weekly("WE"), lon=-2.33, lat=51.23)
    hall = add("Market hall", kind="space", lon=-2.331, lat=51.231)
    closed = add("Old hall", kind="space", lon=-2.332, lat=51.232)
    add_tie(session, TieKind.MEETS_AT, choir, hall, by=None)
    add_tie(session, TieKind.MEETS_AT, choir, closed, by=None)
    store.withdraw_asset(session, closed, by=None)
    session.commit()
    [found] = candidates(session)
    assert [(p.asset_id, p.title, p.lon, p.lat) for p in found.places] == [
        (hall, "Market hall", -2.331, 51.231)
    ]


@pytest.fixture
def statements(session: orm.Session) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", executed)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", executed)


def test_many_groups_are_read_in_two_statements(
    session: orm.Session, add: Callable[..., int], statements: list[str]
) -> None:
    for n in range(8):
        add(f"Choir {n}", weekly("WE"), weekly("FR"), themes=["arts"], lon=-2.33, lat=51.23)
    statements.clear()
    found = candidates(session, near=Near(-2.33, 51.23, 800), themes=frozenset({Theme.ARTS}))
    assert len(found) == 8 and all(len(c.schedules) == 2 for c in found)
    assert len(statements) == 2


def schedule(**raw: Any) -> Any:
    return validate_schedule({"start_time": "19:30", **raw}, today=TODAY)


def test_a_search_of_some_days_reads_only_the_schedules_that_can_meet_in_them(
    session: orm.Session, add: Callable[..., int]
) -> None:
    """The front page's "On today" must not read every schedule held to find today's few."""
    add("Monday choir", weekly("MO"))
    add("Tuesday choir", weekly("TU"))
    # WKST=MO sits before BYDAY in a fortnightly rule: it must not pass for a Monday.
    add("Fortnightly Tuesday", schedule(frequency="fortnightly", weekdays="TU"))
    add(
        "First Friday quiz",
        schedule(frequency="monthly-by-weekday", weekdays="FR", week_of_month=1),
    )
    add("The 14th", schedule(frequency="monthly-by-date", day_of_month=14))
    add(
        "Ended",
        schedule(frequency="weekly", weekdays="MO", starts_on="2026-11-02", ends_on="2026-12-07"),
    )
    add("Not yet", schedule(frequency="weekly", weekdays="MO", starts_on="2027-01-04"))
    monday = dt.date(2026, 12, 14)
    assert sorted(titles(candidates(session, days=(monday, monday)))) == [
        "First Friday quiz",
        "Monday choir",
        "The 14th",
    ]
    week = (monday, monday + dt.timedelta(days=6))
    assert "Tuesday choir" in titles(candidates(session, days=week))
    assert "Fortnightly Tuesday" in titles(candidates(session, days=week))
    assert "Not yet" not in titles(candidates(session, days=week))
    later = (dt.date(2027, 1, 4), dt.date(2027, 1, 4))
    assert "Not yet" in titles(candidates(session, days=later))


def test_leaving_out_schedules_by_day_never_loses_a_session(
    session: orm.Session, add: Callable[..., int]
) -> None:
    """Over a month of one-day, weekend and week searches, the day filter keeps every group
    whose schedule has a session in the search, as working the sessions out finds them."""
    add("Mon Thu", weekly("MO,TH"))
    add("Sundays", weekly("SU", "10:00"))
    add("Every other Wed", schedule(frequency="fortnightly", weekdays="WE", starts_on="2026-12-02"))
    add("Last Thursday", schedule(frequency="monthly-by-weekday", weekdays="TH", week_of_month=-1))
    add("Till Christmas", schedule(frequency="weekly", weekdays="SA", ends_on="2026-12-24"))
    zone = dt.UTC
    everything = candidates(session)
    for offset in range(31):
        first = TODAY + dt.timedelta(days=offset)
        for span in (1, 2, 7):
            last = first + dt.timedelta(days=span - 1)
            start = dt.datetime.combine(first, dt.time(0), zone)
            end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), zone)
            meeting = {
                group.title
                for group in everything
                if any(s.sessions_between(start, end) for s in group.schedules)
            }
            kept = set(titles(candidates(session, days=(first, last))))
            assert meeting <= kept, (first, span, meeting - kept)


def test_the_soonest_sessions_are_those_of_every_group_that_meets_then(
    session: orm.Session, add: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What's on and the front page read schedules a day at a time, soonest first, a batch at
    a time, and stop once the first few are known: what they list is what working out every
    matching group's sessions would list first, for any window, limit and filter."""
    import assetmap.storage.whatson as whatson_store
    from assetmap.domain.whatson import Window, whats_on

    monkeypatch.setattr(whatson_store, "SOONEST_BATCH", 3)
    monkeypatch.setattr(whatson_store, "READ_WHOLE", 5)
    for number, hour in enumerate((7, 9, 11, 13, 15, 17, 19, 21)):
        west, east = dict(lon=-2.33, lat=51.23), dict(lon=-2.31, lat=51.23)
        place = west if number % 2 else east
        add(f"Weekly at {hour}", weekly("MO,WE,FR", f"{hour:02d}:30"), **place)
        monthly = schedule(
            frequency="monthly-by-weekday",
            weekdays="WE",
            week_of_month=2,
            start_time=f"{hour:02d}:00",
            end_time=f"{hour + 2:02d}:00",
        )
        add(f"Monthly at {hour}", monthly, **west)
        add(
            f"The 9th at {hour}",
            schedule(frequency="monthly-by-date", day_of_month=9, start_time=f"{hour:02d}:15"),
            **east,
        )
        add(f"Weekends at {hour}", weekly("SA,SU", f"{hour:02d}:45"), **place)
    west_id = session.scalars(sa.select(Neighbourhood.id).where(Neighbourhood.code == "west")).one()
    filters: list[dict[str, Any]] = [
        {},
        {"neighbourhood_id": west_id},
        {"near": Near(-2.31, 51.23, 500)},
    ]
    for moment in ("2026-12-09T12:40", "2026-12-09T23:50", "2026-12-12T10:00"):
        now = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        for window in (Window.today(now), Window.this_week(now), Window.weekend(now)):
            for most in (1, 40):
                for chosen in filters:
                    days = (window.first_day, window.last_day)
                    every = whats_on(candidates(session, days=days, **chosen), window, most=most)
                    soon = whatson_store.soonest(session, window, most=most, **chosen)
                    assert [(o.group.title, o.starts) for o in soon.occasions] == [
                        (o.group.title, o.starts) for o in every.occasions
                    ], (moment, window.label, most, chosen)
                    assert soon.capped == every.capped
