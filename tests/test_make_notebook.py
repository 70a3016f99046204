"""`make notebook` exports the demo register and opens the planner's notebook on that export;
`make test` leaves Jupyter out."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXPORT = ROOT / "instance" / "notebook" / "assetmap.geojson"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(target: str) -> list[str]:
    """Return the commands ``make`` would run for the target, without running them."""
    done = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def index_of(lines: list[str], words: str) -> int:
    return next(i for i, line in enumerate(lines) if words in line)


def test_make_notebook_seeds_and_exports_the_demo_before_starting_jupyter() -> None:
    lines = planned("notebook")
    seeded = index_of(lines, "assetmap seed-demo")
    exported = index_of(lines, f"export --format geojson --output {EXPORT.relative_to(ROOT)}")
    started = index_of(lines, "jupyter lab")
    assert seeded < exported < started


def test_make_notebook_points_the_notebook_at_that_export_and_opens_notebooks() -> None:
    command = planned("notebook")[index_of(planned("notebook"), "jupyter lab")]
    assert f'ASSETMAP_EXPORT="{EXPORT}"' in command
    assert "--ServerApp.root_dir=notebooks" in command


def test_make_notebook_installs_the_notebook_extra() -> None:
    assert any("-e '.[dev,notebook]'" in line for line in planned("notebook"))


def test_make_test_does_not_install_jupyter() -> None:
    lines = planned("test")
    assert not any("notebook" in line or "jupyter" in line for line in lines)
