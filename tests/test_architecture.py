from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_domain_importing_storage_breaks_the_layers(tmp_path: Path):
    shutil.copytree(
        ROOT / "assetmap",
        tmp_path / "assetmap",
        ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "data"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "assetmap" / "domain" / "leak.py").write_text(
        "from assetmap.storage import database\n", encoding="utf-8"
    )
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Layers: web and cli over services" in done.stdout
    assert "assetmap.domain.leak -> assetmap.storage.database" in done.stdout
