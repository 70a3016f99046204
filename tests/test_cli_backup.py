"""`flask backup` and `flask restore`, on SQLite and PostGIS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner

from assetmap import create_app
from assetmap.domain.assets import AssetDraft
from assetmap.storage import assets as store
from assetmap.storage import database as storage_db
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset
from assetmap.web import db

CELL = 400.0
QUESTION = "This replaces everything in the database with the backup. Continue? [y/N]: "


@pytest.fixture
def site(database: storage_db.Database) -> Iterator[Flask]:
    """An app on the test database, holding two strengths and one account."""
    url = database.engine.url.render_as_string(hide_password=False)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


@pytest.fixture
def cli(site: Flask, make_draft: Callable[..., AssetDraft]) -> FlaskCliRunner:
    with db.database(site).session() as session:
        for title in ("Frome Wheelers", "Keyford Hall"):
            store.add_asset(session, make_draft(title=title), owner_id=None, cell_m=CELL)
        user_store.create_user(session, "ada@example.org", role="admin")
        session.commit()
    return site.test_cli_runner()


def titles(cli: FlaskCliRunner) -> list[str]:
    with db.database(cli.app).session() as session:
        return sorted(session.scalars(sa.select(Asset.title)))


def add(cli: FlaskCliRunner, draft: AssetDraft) -> None:
    with db.database(cli.app).session() as session:
        store.add_asset(session, draft, owner_id=None, cell_m=CELL)
        session.commit()


def test_backup_says_what_it_holds_and_how_large_it_is(cli: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nightly.backup"
    result = cli.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Backed up 2 strengths and 1 account to {path} (")
    assert result.output.endswith(" kB).\n")


def test_backup_will_not_replace_a_file_without_force(cli: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nightly.backup"
    path.write_text("yesterday")
    result = cli.invoke(args=["backup", str(path)])
    assert result.exit_code == 1
    assert f"{path} already exists. Give another name, or add --force to replace it." in (
        result.output
    )
    assert path.read_text() == "yesterday"
    assert cli.invoke(args=["backup", "--force", str(path)]).exit_code == 0
    assert path.read_bytes() != b"yesterday"


def test_restore_asks_first_and_a_no_changes_nothing(
    cli: FlaskCliRunner, make_draft: Callable[..., AssetDraft], tmp_path: Path
) -> None:
    path = tmp_path / "two.backup"
    cli.invoke(args=["backup", str(path)])
    add(cli, make_draft(title="Added since"))
    result = cli.invoke(args=["restore", str(path)], input="n\n")
    assert result.exit_code == 1
    assert result.output.startswith(QUESTION)
    assert titles(cli) == ["Added since", "Frome Wheelers", "Keyford Hall"]


@pytest.mark.parametrize(("args", "answer"), [(["--yes"], None), ([], "y\n")])
def test_restore_brings_back_what_the_backup_holds(
    cli: FlaskCliRunner,
    make_draft: Callable[..., AssetDraft],
    tmp_path: Path,
    args: list[str],
    answer: str | None,
) -> None:
    path = tmp_path / "two.backup"
    cli.invoke(args=["backup", str(path)])
    add(cli, make_draft(title="Added since"))
    result = cli.invoke(args=["restore", *args, str(path)], input=answer)
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"Restored 2 strengths and 1 account from {path}.\n")
    assert titles(cli) == ["Frome Wheelers", "Keyford Hall"]


def test_restore_refuses_a_file_that_is_not_a_backup(cli: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "assets.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Choir,music,-2.32,51.23\n")
    result = cli.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 1
    assert f"Error: {path} is not a" in result.output
    assert "backup" in result.output
    assert titles(cli) == ["Frome Wheelers", "Keyford Hall"]


def test_restore_of_a_missing_file_says_so(cli: FlaskCliRunner, tmp_path: Path) -> None:
    result = cli.invoke(args=["restore", "--yes", str(tmp_path / "gone.backup")])
    assert result.exit_code == 1
    assert f"There is no backup file at {tmp_path / 'gone.backup'}." in result.output
