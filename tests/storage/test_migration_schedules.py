from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from assetmap.domain.assets import AssetDraft
from assetmap.domain.schedules import Frequency, validate_schedule
from assetmap.storage import database as db
from assetmap.storage.assets import add_asset
from assetmap.storage.models import Asset, AssetSchedule
from assetmap.storage.schedules import schedule_row, schedules_of

TEXTS = {
    "Book club": ("group", "First Friday of the month, 7.30pm"),
    "Saturday football": ("group", "Saturdays 10am–1pm, term time"),
    "Fortnightly quiz": ("group", "Every other Wednesday, 7.30pm"),
    "Allotment society": ("group", "By arrangement"),
    "Town hall": ("space", "Mon–Sat 9am–10pm"),
    "Library room": ("space", "Library opening hours; bookable in advance"),
    "Meadow": ("space", "Daily, dawn to dusk"),
}


def _migrate(database: db.Database, revision: str, *, down: bool) -> None:
    with database.engine.begin() as connection:
        step = command.downgrade if down else command.upgrade
        step(db._alembic_config(connection), revision)


def _add(database: db.Database, make_draft: Callable[..., AssetDraft]) -> dict[str, int]:
    ids = {}
    with database.session() as session:
        for title, (kind, text) in TEXTS.items():
            field = "meeting_pattern" if kind == "group" else "opening_times"
            draft = make_draft(kind=kind, title=title, **{field: text})
            ids[title] = add_asset(session, draft, owner_id=None, cell_m=500).id
        session.commit()
    return ids


@pytest.fixture
def at_0012(
    database: db.Database, make_draft: Callable[..., AssetDraft]
) -> Iterator[tuple[db.Database, dict[str, int]]]:
    """Strengths with only words for when they meet, added by today's code, then the database
    brought back to revision 0012 (and to the newest again afterwards), with their ids."""
    ids = _add(database, make_draft)
    _migrate(database, "0012", down=True)
    try:
        yield database, ids
    finally:
        _migrate(database, "head", down=False)


def _texts(database: db.Database) -> dict[str, str]:
    with database.session() as session:
        rows = session.execute(
            sa.select(Asset.title, Asset.kind, Asset.meeting_pattern, Asset.opening_times)
        ).all()
    return {
        title: pattern if kind.value == "group" else hours for title, kind, pattern, hours in rows
    }


def _described(database: db.Database, ids: dict[str, int]) -> dict[str, list[str]]:
    with database.session() as session:
        found = schedules_of(session, ids.values())
    titles = {asset_id: title for title, asset_id in ids.items()}
    return {titles[i]: [item.describe() for item in items] for i, items in found.items()}


def test_upgrade_turns_the_text_it_can_read_into_schedules(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, ids = at_0012
    _migrate(database, "0013", down=False)
    described = _described(database, ids)
    assert described["Book club"] == ["First Friday of the month, 7.30pm"]
    assert described["Saturday football"] == ["Every Saturday, 10am to 1pm"]
    assert described["Fortnightly quiz"][0].startswith("Every other Wednesday, 7.30pm, from ")
    assert described["Town hall"] == ["Monday to Saturday, 9am to 10pm"]
    assert set(described) == {"Book club", "Saturday football", "Fortnightly quiz", "Town hall"}


def test_upgrade_keeps_only_the_note_and_leaves_unread_text_alone(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, _ids = at_0012
    _migrate(database, "0013", down=False)
    texts = _texts(database)
    assert texts["Book club"] == ""
    assert texts["Saturday football"] == "term time"
    assert texts["Town hall"] == ""
    assert texts["Allotment society"] == "By arrangement"
    assert texts["Library room"] == "Library opening hours; bookable in advance"
    assert texts["Meadow"] == "Daily, dawn to dusk"


def test_converted_schedules_start_on_their_first_session(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, ids = at_0012
    _migrate(database, "0013", down=False)
    today = dt.date.today()
    with database.session() as session:
        found = schedules_of(session, ids.values())
    quiz = found[ids["Fortnightly quiz"]][0]
    assert quiz.frequency is Frequency.FORTNIGHTLY
    assert today <= quiz.starts_on < today + dt.timedelta(days=7)
    assert quiz.starts_on.weekday() == 2
    first = found[ids["Book club"]][0]
    assert first.starts_on.weekday() == 4 and first.starts_on.day <= 7
    assert first.starts_on >= today


def test_upgrade_leaves_a_strength_that_has_schedules_as_it_is(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, ids = at_0012
    entered = validate_schedule(
        {"frequency": "weekly", "weekdays": "MO", "start_time": "18:00"}, today=dt.date.today()
    )
    # Added at revision 0012, beside its words: as set_schedules would, without today's columns.
    with database.session() as session:
        session.add(schedule_row(ids["Book club"], 0, entered))
        session.commit()
    _migrate(database, "0013", down=False)
    assert _described(database, ids)["Book club"] == ["Every Monday, 6pm"]
    assert _texts(database)["Book club"] == "First Friday of the month, 7.30pm"


def test_downgrade_puts_the_words_back_and_removes_the_schedules(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, _ids = at_0012
    _migrate(database, "0013", down=False)
    _migrate(database, "0012", down=True)
    texts = _texts(database)
    assert texts["Book club"] == "First Friday of the month, 7.30pm"
    assert texts["Saturday football"] == "Every Saturday, 10am to 1pm; term time"
    assert texts["Fortnightly quiz"].startswith("Every other Wednesday, 7.30pm, from ")
    assert texts["Town hall"] == ("Monday to Saturday, 9am to 10pm")
    assert texts["Allotment society"] == "By arrangement"
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AssetSchedule)) == 0


def test_upgrading_again_after_a_downgrade_reads_the_words_it_wrote(
    at_0012: tuple[db.Database, dict[str, int]],
) -> None:
    database, ids = at_0012
    _migrate(database, "0013", down=False)
    before = _described(database, ids)
    _migrate(database, "0012", down=True)
    _migrate(database, "0013", down=False)
    assert _described(database, ids) == before
    assert _texts(database)["Saturday football"] == "term time"
