"""Shared fixtures: an app per test on SQLite, and storage tests on SQLite and PostGIS.

PostGIS tests use ``ASSETMAP_TEST_POSTGRES_URL`` (default: the local server). Where no server
answers they are skipped, saying why, unless ``ASSETMAP_REQUIRE_POSTGIS=1`` (as in CI), which
makes a missing server a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import orm

from assetmap import create_app
from assetmap.domain.assets import AssetDraft, validate_asset
from assetmap.exchange.demo import default_folder
from assetmap.services.places import import_places
from assetmap.storage import database as db
from assetmap.storage.models import Base

POSTGRES_URL = os.environ.get(
    "ASSETMAP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGIS = os.environ.get("ASSETMAP_REQUIRE_POSTGIS") == "1"
# Every table the models know, so a table added later is emptied between tests too.
TABLES = tuple(table.name for table in reversed(Base.metadata.sorted_tables))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "assetmap.db"
    database = db.connect(f"sqlite:///{path}")
    db.upgrade(database)
    with_demo_gazetteer(database)
    database.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "assetmap.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def with_demo_gazetteer(database: db.Database) -> None:
    """Give a database the demo town's streets, places and postcodes, as seed-demo does."""
    with database.session() as session:
        import_places(session, default_folder() / "gazetteer.csv")
        session.commit()


@pytest.fixture(scope="session")
def postgis_database() -> Iterator[db.Database]:
    admin_url = sa.make_url(POSTGRES_URL)
    name = f"assetmap_test_{uuid.uuid4().hex[:8]}"
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        message = f"no PostgreSQL server answers at {admin_url.render_as_string()}: {exc.orig}"
        if REQUIRE_POSTGIS:
            pytest.fail(message)
        pytest.skip(message)
    database = db.connect(admin_url.set(database=name).render_as_string(hide_password=False))
    try:
        db.upgrade(database)
        yield database
    finally:
        database.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)])
def database(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[db.Database]:
    """The same storage test, once on SQLite and once on PostGIS."""
    if request.param == "sqlite":
        database = db.connect(sqlite_url)
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("postgis_database")
    with database.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    with_demo_gazetteer(database)
    yield database


@pytest.fixture
def session(database: db.Database) -> Iterator[orm.Session]:
    with database.session() as session:
        yield session


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test"})
    yield app
    app.extensions["assetmap.db"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


def _draft(**overrides: Any) -> AssetDraft:
    values: dict[str, Any] = {
        "kind": "group",
        "title": "Frome Wheelers cycling club",
        "description": "Friendly rides for all abilities.",
        "themes": ["sport"],
        "lon": -2.3213,
        "lat": 51.2300,
    }
    values.update(overrides)
    if values["kind"] == "skill" and "share_modes" not in overrides:
        values["share_modes"] = ["teach"]
    return validate_asset(values)


@pytest.fixture
def make_draft() -> Callable[..., AssetDraft]:
    """Build a valid draft: a group in Frome unless told otherwise."""
    return _draft
