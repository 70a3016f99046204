from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyogrio
import pytest
from flask import Flask

from assetmap import create_app
from assetmap.exchange import export
from assetmap.services import exports as service
from assetmap.web import db
from tests.exchange.helpers import FORMATS, copy_of, demo_template

# Libraries a GeoJSON, CSV or HSDS export has no use for, and which would cost it memory:
# pandas and pyogrio alone hold more than 60 MB once imported.
NOT_NEEDED = ("pandas", "geopandas", "pyogrio", "folium")
_EXPORT = """
import io, sys
from assetmap.services.exports import write_export
from assetmap.storage import database as db
from assetmap.storage.exports import ExportFilter

with db.connect(sys.argv[1]).session() as session:
    written = write_export(session, sys.argv[2], ExportFilter(), io.BytesIO())
print(written, *sorted(set(sys.modules) & set(sys.argv[3].split(","))))
"""
_COMMAND = """
import sys
from flask.cli import main

output, unwanted = sys.argv[1], set(sys.argv[2].split(","))
sys.argv = ["flask", "--app", "assetmap", "export", "--format", "geojson", "--output", output]
try:
    main()
except SystemExit:
    pass
print(*sorted(set(sys.modules) & unwanted))
"""


@pytest.fixture
def register(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    copy_of(demo_template(tmp_path_factory), tmp_path, "cli.db").dispose()
    return f"sqlite:///{tmp_path / 'cli.db'}"


@pytest.fixture
def app(register: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": register})
    yield app
    db.database(app).dispose()


def _exported(app: Flask, fmt: str, path: Path) -> Path:
    result = app.test_cli_runner().invoke(args=["export", "--format", fmt, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_export_command_writes_the_same_file_whatever_its_batches(
    app: Flask, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _exported(app, fmt, tmp_path / f"whole.{fmt}")
    monkeypatch.setattr(service, "BATCH_SIZE", 45)
    monkeypatch.setitem(export.BATCH_SIZES, "gpkg", 45)
    batched = _exported(app, fmt, tmp_path / f"batched.{fmt}")
    if fmt == "gpkg":
        first, second = pyogrio.read_dataframe(whole), pyogrio.read_dataframe(batched)
        assert len(first) == 340
        assert first.equals(second)
    elif fmt == "csv":
        assert whole.read_bytes() == batched.read_bytes()
    else:
        assert orjson.loads(whole.read_bytes()) == orjson.loads(batched.read_bytes())


@pytest.mark.parametrize("fmt", ["geojson", "csv", "hsds"])
def test_an_export_that_needs_no_dataframe_imports_none(register: str, fmt: str) -> None:
    found = subprocess.run(
        [sys.executable, "-c", _EXPORT, register, fmt, ",".join(NOT_NEEDED)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert found[0] == "340"
    assert found[1:] == []


def test_the_geojson_export_command_imports_no_dataframe_library(
    register: str, tmp_path: Path
) -> None:
    environment = {
        "PATH": "",
        "ASSETMAP_DATABASE_URL": register,
        "ASSETMAP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _COMMAND, str(tmp_path / "out.geojson"), ",".join(NOT_NEEDED)],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    assert (tmp_path / "out.geojson").exists(), done.stderr
    assert done.stdout.split() == []
