from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from assetmap import create_app
from assetmap.storage import database as db
from assetmap.storage.models import Asset
from assetmap.web import db as web_db
from tests.exchange.helpers import copy_of, empty_template

RUNS = 8
ROWS = 500


def rows_file(folder: Path, run: int) -> Path:
    lines = ["kind,title,themes,lon,lat"]
    for row in range(ROWS):
        lon = -2.40 + 0.14 * row / ROWS
        lat = 51.20 + 0.06 * run / RUNS
        lines.append(f"group,Club {run}-{row},sport,{lon:.5f},{lat:.5f}")
    path = folder / f"run-{run}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_eight_imports_at_once_each_wait_their_turn_and_all_land(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy_of(empty_template(tmp_path_factory), tmp_path, "shared.db").dispose()
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {
        **os.environ,
        "ASSETMAP_DATABASE_URL": url,
        "ASSETMAP_INSTANCE_PATH": str(tmp_path / "instance"),
        "ASSETMAP_SECRET_KEY": "concurrent-imports",
    }
    command = [sys.executable, "-m", "flask", "--app", "assetmap", "import"]
    runs = [
        subprocess.Popen(
            [*command, str(rows_file(tmp_path, run))],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run in range(RUNS)
    ]
    finished = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    failed = [(code, err) for code, _, err in finished if code != 0]
    assert failed == []
    assert all(f"{ROWS} added" in out for _, out, _ in finished)
    database = db.connect(url)
    with database.session() as session:
        titles = session.scalars(sa.select(Asset.title)).all()
    database.dispose()
    assert len(titles) == len(set(titles)) == RUNS * ROWS


def test_an_import_that_cannot_get_its_turn_says_so_in_plain_words(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy_of(empty_template(tmp_path_factory), tmp_path, "busy.db").dispose()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'busy.db'}",
            "SQLITE_BUSY_TIMEOUT_MS": 200,
        }
    )
    other = sqlite3.connect(tmp_path / "busy.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        result = app.test_cli_runner().invoke(args=["import", str(rows_file(tmp_path, 0))])
    finally:
        other.execute("ROLLBACK")
        other.close()
        web_db.database(app).dispose()
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Nothing was imported: other changes kept the database busy for more than "
        "0.2 seconds. Try again when they have finished.\n"
    )
