"""The demo neighbourhood shipped in ``data/demo``: where it is and how its files are read.

``services.demo`` loads it into the register.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import orjson

_PACKAGE = Path(__file__).resolve().parent.parent


def default_folder() -> Path:
    """Return the demo data folder: inside the package when installed, else the checkout's."""
    installed = _PACKAGE / "data" / "demo"
    return installed if installed.is_dir() else _PACKAGE.parent / "data" / "demo"


def read_users(path: Path) -> list[dict[str, str]]:
    """Return the rows of the demo's ``users.csv``: email, role and display name."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_assets(path: Path) -> list[dict[str, Any]]:
    """Return the features of the demo's ``assets.geojson``."""
    features: list[dict[str, Any]] = orjson.loads(path.read_bytes())["features"]
    return features


def read_funds(path: Path) -> list[dict[str, Any]]:
    """Return the community fund rounds of the demo's ``funds.json``."""
    rounds: list[dict[str, Any]] = orjson.loads(path.read_bytes())["rounds"]
    return rounds
