from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.schedules import validate_schedule
from assetmap.storage.assets import add_asset, add_assets
from assetmap.storage.patterns import read_patterns, read_patterns_from
from assetmap.storage.schedules import schedules_of, set_schedules

TODAY = dt.date(2026, 12, 7)


def _add(session: orm.Session, draft: AssetDraft) -> int:
    return add_asset(session, draft, owner_id=None, cell_m=500).id


def test_text_that_reads_becomes_schedules_and_the_note_stays(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    club = _add(session, make_draft(meeting_pattern="Saturdays 10am–1pm, term time"))
    assert read_patterns(session, [club], today=TODAY) == 1
    [schedule] = schedules_of(session, [club])[club]
    assert schedule.describe() == "Every Saturday, 10am to 1pm"
    assert schedule.starts_on == dt.date(2026, 12, 12)


def test_an_asset_the_session_holds_shows_the_note_at_once(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    held = add_asset(
        session, make_draft(kind="space", opening_times="Daily 8am–10pm"), owner_id=None, cell_m=500
    )
    read_patterns(session, [held.id], today=TODAY)
    assert held.opening_times == ""


def test_text_that_does_not_read_and_skills_are_left_alone(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    group = _add(session, make_draft(meeting_pattern="Home match days"))
    skill = _add(session, make_draft(kind="skill", title="Bike repairs"))
    assert read_patterns(session, [group, skill], today=TODAY) == 0
    assert schedules_of(session, [group, skill]) == {}


def test_an_asset_with_schedules_keeps_them(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    group = _add(session, make_draft(meeting_pattern="Mondays 7pm"))
    entered = validate_schedule(
        {"frequency": "weekly", "weekdays": "TU", "start_time": "18:00"}, today=TODAY
    )
    set_schedules(session, group, [entered], by=None)
    assert read_patterns(session, [group], today=TODAY) == 0
    assert schedules_of(session, [group])[group] == [entered]


def test_imported_assets_are_found_by_their_source(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    drafts = [
        make_draft(title="Book club", meeting_pattern="First Friday of the month, 7.30pm"),
        make_draft(title="Chess club", meeting_pattern="Thursdays 7–9pm"),
    ]
    add_assets(session, drafts, owner_id=None, cell_m=500, sources=[("a.csv", "1"), ("a.csv", "2")])
    assert read_patterns_from(session, [("a.csv", "2"), ("b.csv", "1")], today=TODAY) == 1
