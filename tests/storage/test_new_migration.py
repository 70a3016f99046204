from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from assetmap.storage import new_migration
from assetmap.storage.database import MIGRATIONS

pytestmark = pytest.mark.postgis

POSTGRES_URL = new_migration.POSTGRES_URL


@pytest.fixture
def server() -> str:
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        if os.environ.get("ASSETMAP_REQUIRE_POSTGIS") == "1":
            pytest.fail(f"no PostgreSQL server answers at {POSTGRES_URL}: {exc.orig}")
        pytest.skip(f"no PostgreSQL server answers at {POSTGRES_URL}: {exc.orig}")
    finally:
        engine.dispose()
    return POSTGRES_URL


def scratch_databases(server: str) -> list[str]:
    engine = sa.create_engine(server)
    query = sa.text("SELECT datname FROM pg_database WHERE datname LIKE :prefix")
    try:
        with engine.connect() as connection:
            return list(connection.execute(query, {"prefix": "assetmap_migration_%"}).scalars())
    finally:
        engine.dispose()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_with_the_models_unchanged_it_says_so_and_leaves_nothing(server: str):
    versions = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    before = scratch_databases(server)
    done = run("-m", "assetmap.storage.new_migration", "nothing new")
    assert done.returncode == 0, done.stderr
    assert "No changes: the models match the migrations on SQLite and PostGIS." in done.stdout
    assert sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py")) == versions
    assert scratch_databases(server) == before


def test_a_new_column_is_written_as_the_next_migration_that_runs_on_both(
    server: str, tmp_path: Path
):
    copy = tmp_path / "migrations"
    done = run(
        "-c",
        "import shutil, sys, sqlalchemy as sa\n"
        "from pathlib import Path\n"
        "from assetmap.storage import database\n"
        "from assetmap.storage.models import Base\n"
        "from assetmap.storage.new_migration import main\n"
        f"database.MIGRATIONS = Path(shutil.copytree(database.MIGRATIONS, {str(copy)!r}))\n"
        "Base.metadata.tables['asset'].append_column(sa.Column('website', sa.String(200)))\n"
        "sys.exit(main(['give strengths a website']))\n",
    )
    assert done.returncode == 0, done.stderr
    last = max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))
    written = copy / "versions" / f"{int(last) + 1:04d}_give_strengths_a_website.py"
    assert f"Wrote {written}" in done.stdout
    text = written.read_text(encoding="utf-8")
    assert f'down_revision = "{last}"' in text
    assert 'batch_op.add_column(sa.Column("website", sa.String(length=200)' in text
