"""A skill's exact point: kept apart, read for its owner alone, and moved out of the asset table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import orjson
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.privacy import generalise_point
from assetmap.domain.vocab import Role
from assetmap.storage import assets as store
from assetmap.storage import database as db
from assetmap.storage import users
from assetmap.storage.history import restore_version, revisions
from assetmap.storage.models.private import PrivatePoint
from assetmap.storage.private_points import owner_point

CELL = 400.0
HOME = (-2.321234, 51.230987)


@pytest.fixture
def owner(session: orm.Session) -> SimpleNamespace:
    user = users.create_user(session, "ann@example.org")
    session.flush()
    return person(user.id)


def person(user_id: int, role: Role = Role.RESIDENT) -> SimpleNamespace:
    return SimpleNamespace(id=user_id, role=role, neighbourhoods=frozenset(), moderates=False)


def test_only_the_owner_is_given_a_skills_exact_point(
    session: orm.Session, make_draft: Callable[..., AssetDraft], owner: SimpleNamespace
) -> None:
    skill = store.add_asset(
        session, make_draft(kind="skill", lon=HOME[0], lat=HOME[1]), owner_id=owner.id, cell_m=CELL
    )
    session.commit()
    assert owner_point(session, skill, owner) == HOME
    for viewer in (
        None,
        person(owner.id + 1),
        person(owner.id + 2, Role.ADMIN),
        person(owner.id + 3, Role.PLANNER),
    ):
        assert owner_point(session, skill, viewer) is None


def test_a_groups_point_is_its_public_point_for_anyone(
    session: orm.Session, make_draft: Callable[..., AssetDraft], owner: SimpleNamespace
) -> None:
    group = store.add_asset(
        session, make_draft(lon=HOME[0], lat=HOME[1]), owner_id=owner.id, cell_m=CELL
    )
    session.commit()
    assert owner_point(session, group, None) == HOME == (group.public_lon, group.public_lat)
    assert session.scalar(sa.select(sa.func.count()).select_from(PrivatePoint)) == 0


def test_a_skills_history_holds_public_points_and_a_move_nearby_says_only_that(
    session: orm.Session, make_draft: Callable[..., AssetDraft], owner: SimpleNamespace
) -> None:
    skill = store.add_asset(
        session, make_draft(kind="skill", lon=HOME[0], lat=HOME[1]), owner_id=owner.id, cell_m=CELL
    )
    nearby = (HOME[0] + 0.00002, HOME[1] + 0.00002)
    store.update_asset(
        session, skill.id, {"lon": nearby[0], "lat": nearby[1]}, by=owner.id, cell_m=CELL
    )
    session.commit()
    history = orjson.dumps([r.changes for r in revisions(session, skill.id)]).decode()
    assert "2.3212" not in history and "51.2309" not in history
    assert str(skill.public_lon) in history
    assert revisions(session, skill.id)[-1].changes == {"location": [None, "moved nearby"]}
    assert owner_point(session, skill, owner) == nearby


def test_restoring_a_skills_earlier_version_leaves_it_where_its_owner_put_it(
    session: orm.Session, make_draft: Callable[..., AssetDraft], owner: SimpleNamespace
) -> None:
    skill = store.add_asset(
        session, make_draft(kind="skill", lon=HOME[0], lat=HOME[1]), owner_id=owner.id, cell_m=CELL
    )
    first = revisions(session, skill.id)[0].id
    moved = (HOME[0] + 0.01, HOME[1])
    store.update_asset(
        session,
        skill.id,
        {"title": "Bike fixing", "lon": moved[0], "lat": moved[1]},
        by=owner.id,
        cell_m=CELL,
    )
    restore_version(session, skill.id, first, by=None, cell_m=CELL)
    session.commit()
    assert skill.title == "Frome Wheelers cycling club"
    assert owner_point(session, skill, owner) == moved


def test_the_migration_moves_exact_points_out_and_generalises_the_history(
    sqlite_url: str,
) -> None:
    database = db.connect(sqlite_url)
    with database.engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "0008")
    changes = {"lon": [None, HOME[0]], "lat": [None, HOME[1]], "title": [None, "Darning"]}
    with database.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM asset")
        connection.exec_driver_sql(
            "INSERT INTO asset (id, kind, title, description, themes, tags, lon, lat, public_lon, "
            "public_lat, availability, accessibility, contact, contact_via_coach, status, "
            "hidden_reason, created_at, updated_at, last_confirmed, share_modes, "
            "meeting_pattern, opening_times, facilities, source, source_id) VALUES "
            "(1, 'skill', 'Darning', '', '[]', '[]', ?, ?, -2.3211, 51.2316, '', '', '', 0, "
            "'published', '', '2026-01-01', '2026-01-01', '2026-01-01', '[\"teach\"]', '', '', "
            "'[]', 'old.csv', 'sha1:0123456789abcdef0123')",
            HOME,
        )
        connection.exec_driver_sql(
            "INSERT INTO revision (asset_id, action, at, changes, reason) "
            "VALUES (1, 'create', '2026-01-01', ?, '')",
            (orjson.dumps(changes).decode(),),
        )
    db.upgrade(database)
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT lon, lat FROM private_point").one() == HOME
        columns = {c["name"] for c in sa.inspect(connection).get_columns("asset")}
        kept = orjson.loads(connection.exec_driver_sql("SELECT changes FROM revision").scalar())
        source_id = connection.exec_driver_sql("SELECT source_id FROM asset").scalar()
    assert not {"lon", "lat"} & columns
    public = generalise_point(*HOME, CELL)
    assert (kept["lon"][1], kept["lat"][1]) == public and kept["title"] == [None, "Darning"]
    assert source_id.startswith("id:") and "0123456789" not in source_id
    database.dispose()


def test_a_confirmation_dated_in_the_future_is_brought_back_to_today(sqlite_url: str) -> None:
    database = db.connect(sqlite_url)
    with database.engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "0009")
        connection.exec_driver_sql(
            "INSERT INTO asset (kind, title, description, themes, tags, public_lon, public_lat, "
            "availability, accessibility, contact, contact_via_coach, status, hidden_reason, "
            "created_at, updated_at, last_confirmed, share_modes, meeting_pattern, "
            "opening_times, facilities, source, source_id) VALUES ('group', 'Choir', '', '[]', "
            "'[]', -2.32, 51.23, '', '', '', 0, 'published', '', '2026-01-01', '2026-01-01', "
            "'9999-12-31', '[]', '', '', '[]', '', '')"
        )
    db.upgrade(database)
    with database.engine.connect() as connection:
        day = connection.exec_driver_sql("SELECT last_confirmed FROM asset").scalar_one()
    assert str(day) == dt.datetime.now(dt.UTC).date().isoformat()
    database.dispose()
