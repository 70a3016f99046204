from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.util.exc import CommandError

from assetmap.storage import database as db


def test_schema_is_current_after_upgrade(database: db.Database) -> None:
    assert db.is_current(database)


def test_models_and_migrations_agree(database: db.Database) -> None:
    with database.engine.begin() as connection:
        try:
            command.check(db._alembic_config(connection))
        except CommandError as exc:
            pytest.fail(f"the models differ from the migrations: {exc}")


def test_downgrade_and_upgrade_again(sqlite_url: str) -> None:
    database = db.connect(sqlite_url)
    with database.engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "base")
    assert not db.is_current(database)
    db.upgrade(database)
    assert db.is_current(database)
    tables = sa.inspect(database.engine).get_table_names()
    assert {"asset", "asset_rtree", "asset_fts", "revision", "app_user"} <= set(tables)
    database.dispose()


def test_upgrading_twice_is_harmless(database: db.Database) -> None:
    db.upgrade(database)
    assert db.is_current(database)
