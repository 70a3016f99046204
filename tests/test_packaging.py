"""The installed package finds its templates, static files, migrations and demo data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    return next(out.glob("assetmap-*.whl"))


def test_wheel_carries_what_the_app_needs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "assetmap/templates/base.html",
        "assetmap/static/vendor/leaflet/leaflet.js",
        "assetmap/storage/migrations/versions/0001_asset_register.py",
        "assetmap/data/demo/assets.geojson",
        "assetmap/data/demo/gazetteer.csv",
    ):
        assert needed in names


def test_installed_app_serves_its_pages_and_seeds_the_demo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    script = (
        "from assetmap import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path / 'x.db'}'}})\n"
        "runner = app.test_cli_runner()\n"
        "assert runner.invoke(args=['init-db']).exit_code == 0\n"
        "result = runner.invoke(args=['seed-demo'])\n"
        "assert result.exit_code == 0, result.output\n"
        "page = app.test_client().get('/')\n"
        "assert page.status_code == 200 and b'counts__number' in page.data\n"
        "print(app.template_folder)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith(str(target))
