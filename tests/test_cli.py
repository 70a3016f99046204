from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from assetmap import create_app
from assetmap.domain.vocab import Kind, Role
from assetmap.storage import stats
from assetmap.storage import users as user_store
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template
from tests.exchange.test_threesixtygiving import REQUIRED_COLUMNS, build_awards, validator


@pytest.fixture
def new_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    yield app
    db.database(app).dispose()


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskCliRunner]:
    copy_of(demo_template(tmp_path_factory), tmp_path, "demo.db").dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"})
    yield app.test_cli_runner()
    db.database(app).dispose()


def test_init_db_on_a_new_database_says_it_created_it(new_app: Flask) -> None:
    result = new_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert result.output == "Created the SQLite database.\n"


def test_init_db_on_a_current_database_says_it_is_already_up_to_date(
    runner: FlaskCliRunner,
) -> None:
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0
        assert result.output == "The SQLite database is already up to date.\n"


def test_neighbourhoods_lists_each_code_and_name(demo: FlaskCliRunner) -> None:
    result = demo.invoke(args=["neighbourhoods"])
    assert result.exit_code == 0
    listed = [line.split(maxsplit=1) for line in result.output.splitlines()]
    assert len(listed) == 7
    assert ["frome-berkley-down", "Berkley Down"] in listed
    assert ["frome-keyford", "Keyford"] in listed


def test_neighbourhoods_says_when_none_are_stored(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["neighbourhoods"])
    assert result.output.startswith("No neighbourhoods are stored")


@pytest.mark.parametrize(
    "given", ["Keyford", "keyford", "  KEYFORD ", "frome-keyford", "FROME-Keyford"]
)
def test_export_takes_a_neighbourhood_by_name_or_code_in_any_case(
    demo: FlaskCliRunner, given: str
) -> None:
    args = ["export", "--format", "csv", "--output", "-", "--neighbourhood", given]
    result = demo.invoke(args=args)
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()[1:]
    assert rows and all(",Keyford," in row for row in rows)


def test_an_unknown_neighbourhood_is_refused_with_every_name_and_code(
    demo: FlaskCliRunner,
) -> None:
    args = ["export", "--format", "csv", "--output", "-", "--neighbourhood", "Atlantis"]
    result = demo.invoke(args=args)
    assert result.exit_code == 1
    assert "neighbourhood 'Atlantis' is unknown; choose a name or code from: " in result.stderr
    assert "Keyford (frome-keyford); Market (frome-market);" in result.stderr


def test_an_export_says_only_what_it_wrote_when_nobody_watches_a_terminal(
    demo: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    result = demo.invoke(args=["export", "--format", "csv", "--output", str(out)])
    assert result.stderr == f"Exported 340 strengths as csv to {out}.\n"


def test_an_import_says_only_its_report_when_nobody_watches_a_terminal(
    demo: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("kind,title,themes,lon,lat\ngroup,Tuesday knitters,arts,-2.32,51.23\n")
    result = demo.invoke(args=["import", str(path), "--dry-run"])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout.startswith("groups.csv: 1 read; 1 added")


def test_seed_demo_loads_the_neighbourhood_once(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo strengths" in result.output
    with app.app_context(), db.database().session() as session:
        counts = stats.count_by_kind(session)
    assert sum(counts.values()) >= 300
    assert all(counts[kind] > 30 for kind in Kind)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "the demo was not loaded again" in again.output


def test_create_user_with_a_role(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "Planner@Example.ORG", "--role", "planner", "--name", "Pat"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user_by_email(session, "planner@example.org")
    assert user is not None and user.role is Role.PLANNER and user.display_name == "Pat"


def test_create_user_refuses_a_bad_role_or_a_taken_address(runner: FlaskCliRunner) -> None:
    bad = runner.invoke(args=["create-user", "a@example.org", "--role", "mayor"])
    assert bad.exit_code != 0
    assert "role: must be one of resident, coach, planner, admin" in bad.output
    runner.invoke(args=["create-user", "a@example.org"])
    taken = runner.invoke(args=["create-user", "a@example.org"])
    assert "email: a@example.org already has an account" in taken.output


@pytest.fixture
def awarded(app: Flask) -> dict[str, int]:
    with app.app_context(), db.database().session() as session:
        return build_awards(session)


def test_export_writes_the_fund_awards_as_360giving_json(
    runner: FlaskCliRunner, awarded: dict[str, int], tmp_path: Path
) -> None:
    out = tmp_path / "awards.json"
    result = runner.invoke(args=["export", "--format", "360giving", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Exported 3 awards as 360giving to {out}.\n"
    document = orjson.loads(out.read_bytes())
    assert list(validator().iter_errors(document)) == []
    assert len(document["grants"]) == 3


def test_export_writes_one_rounds_awards_as_360giving_csv(
    runner: FlaskCliRunner, awarded: dict[str, int]
) -> None:
    args = ["export", "--format", "360giving-csv", "--output", "-", "--round"]
    result = runner.invoke(args=[*args, str(awarded["round"])])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    assert len({row["Identifier"] for row in rows}) == 3
    unpublished = runner.invoke(args=[*args, str(awarded["unpublished"])])
    assert unpublished.exit_code == 0 and unpublished.stdout.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "360giving", "--output", "a.csv"], "for CSV use --format 360giving-csv"),
        (["--format", "360giving", "--output", "-", "--kind", "group"], "--kind: 360giving"),
        (["--format", "geojson", "--output", "-", "--round", "1"], "--round applies to"),
        (["--format", "360giving", "--output", "-", "--round", "999"], "fund round 999 doesn't"),
    ],
)
def test_export_refuses_what_a_360giving_export_cannot_do(
    runner: FlaskCliRunner, awarded: dict[str, int], args: list[str], said: str
) -> None:
    result = runner.invoke(args=["export", *args])
    assert result.exit_code != 0
    assert said in result.output
