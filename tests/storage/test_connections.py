from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.storage import assets as store
from assetmap.storage import connections, users

TODAY = dt.date(2026, 11, 30)
NOT_WHO = "Say what the connection was for, not who it was for or how to reach them"


@pytest.fixture
def coach_id(session: orm.Session) -> int:
    coach = users.create_user(session, "cleo@example.org", role="coach")
    session.commit()
    return coach.id


def add(session: orm.Session, make_draft: Callable[..., AssetDraft], **values: object) -> int:
    asset = store.add_asset(session, make_draft(**values), owner_id=None, cell_m=400.0)
    session.commit()
    return asset.id


def test_each_connection_counts_for_its_strength(
    session: orm.Session, make_draft: Callable[..., AssetDraft], coach_id: int
) -> None:
    choir, hall = add(session, make_draft, title="Choir"), add(session, make_draft, title="Hall")
    for day in (1, 2):
        connections.add_connection(
            session, choir, coach_id=coach_id, on=dt.date(2026, 11, day), today=TODAY
        )
    session.commit()
    assert connections.connection_count(session, choir) == 2
    assert connections.connection_count(session, hall) == 0


def test_counts_for_many_strengths_include_those_never_connected(
    session: orm.Session, make_draft: Callable[..., AssetDraft], coach_id: int
) -> None:
    choir, hall = add(session, make_draft, title="Choir"), add(session, make_draft, title="Hall")
    connections.add_connection(session, hall, coach_id=coach_id, on=TODAY, today=TODAY)
    session.commit()
    assert connections.connection_counts(session, [choir, hall, hall]) == {choir: 0, hall: 1}
    assert connections.connection_counts(session, []) == {}


def test_connection_keeps_its_date_coach_and_note(
    session: orm.Session, make_draft: Callable[..., AssetDraft], coach_id: int
) -> None:
    choir = add(session, make_draft)
    connections.add_connection(
        session, choir, coach_id=coach_id, on=TODAY, note="  wants   to sing  ", today=TODAY
    )
    session.commit()
    [stored] = connections.connections_of(session, choir)
    assert (stored.on, stored.coach_id, stored.note) == (TODAY, coach_id, "wants to sing")


def test_connections_are_listed_newest_first(
    session: orm.Session, make_draft: Callable[..., AssetDraft], coach_id: int
) -> None:
    choir = add(session, make_draft)
    for day, note in ((3, "third"), (1, "first"), (2, "second")):
        connections.add_connection(
            session, choir, coach_id=coach_id, on=dt.date(2026, 11, day), note=note, today=TODAY
        )
    session.commit()
    assert [c.note for c in connections.connections_of(session, choir)] == [
        "third",
        "second",
        "first",
    ]


@pytest.mark.parametrize(
    ("on", "note", "field", "reason"),
    [
        (TODAY + dt.timedelta(days=1), "", "on", "must be today or in the past"),
        (dt.date(1999, 12, 31), "", "on", "must be after 2000-01-01"),
        (TODAY, "x" * 201, "note", "must be at most 200 characters, got 201"),
        (TODAY, "tab\x07bell", "note", "must not contain control characters"),
        (TODAY, "Jo, 07700 900111", "note", f"must not include a phone number. {NOT_WHO}"),
        (TODAY, "jo@example.org", "note", f"must not include an email address. {NOT_WHO}"),
    ],
)
def test_a_bad_connection_is_refused_naming_the_field(
    session: orm.Session,
    make_draft: Callable[..., AssetDraft],
    coach_id: int,
    on: dt.date,
    note: str,
    field: str,
    reason: str,
) -> None:
    choir = add(session, make_draft)
    with pytest.raises(ValidationError) as refused:
        connections.add_connection(session, choir, coach_id=coach_id, on=on, note=note, today=TODAY)
    assert refused.value.errors == {field: reason}


def test_a_withdrawn_strength_cannot_be_connected(
    session: orm.Session, make_draft: Callable[..., AssetDraft], coach_id: int
) -> None:
    choir = add(session, make_draft)
    store.withdraw_asset(session, choir, by=None)
    session.commit()
    with pytest.raises(ValidationError) as refused:
        connections.add_connection(session, choir, coach_id=coach_id, on=TODAY, today=TODAY)
    assert list(refused.value.errors) == ["asset"]
    session.rollback()
    assert connections.connection_count(session, choir) == 0
