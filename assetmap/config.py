"""Configuration: defaults here, then ``instance/config.py``, then ``ASSETMAP_*`` variables.

Every option is listed, with what it does, in the README's configuration table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from assetmap.domain.geo import BBox

DEFAULTS: dict[str, Any] = {
    # Signs session cookies. The default is for development only; set your own in production.
    "SECRET_KEY": "dev-only-change-me",
    # SQLAlchemy URL; empty means the embedded SQLite file instance/assetmap.db.
    "DATABASE_URL": "",
    # How long a SQLite writer waits for the lock before giving up, in milliseconds.
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    # SQLite's page cache per connection, in MiB.
    "SQLITE_CACHE_MB": 64,
    # Side of the grid cell a skill's public point is snapped to, in metres.
    "PRIVACY_CELL_M": 400.0,
    # The area assets must lie in, "minlon,minlat,maxlon,maxlat" (EPSG:4326); empty: anywhere.
    "AREA_BBOX": "-2.42,51.19,-2.24,51.27",
    # The folder of demo data that seed-demo loads; empty means the data/demo shipped with assetmap.
    "DEMO_DATA_DIR": "",
    # The gazetteer (name,kind,lon,lat CSV) places are looked up in; empty: the demo area's.
    "GAZETTEER_FILE": "",
    # Map tiles: the one outside resource a page loads. Point these at your own tile server.
    "MAP_TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_TILES_ATTRIBUTION": "&copy; OpenStreetMap contributors",
}


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the instance folder, the environment and tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ASSETMAP")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'assetmap.db'}"
    check(app.config)


def check(config: dict[str, Any]) -> None:
    """Refuse to start with an option that cannot work, naming it."""
    cell = config["PRIVACY_CELL_M"]
    if isinstance(cell, bool) or not isinstance(cell, int | float) or cell <= 0:
        raise ValueError(
            f"ASSETMAP_PRIVACY_CELL_M must be a positive number of metres, got {cell!r}"
        )
    area_bbox(config)


def area_bbox(config: dict[str, Any]) -> BBox | None:
    """Return the configured area as a box, or None where assets may be anywhere."""
    text = config.get("AREA_BBOX") or ""
    if not text:
        return None
    try:
        return BBox.parse(str(text))
    except ValueError as exc:
        raise ValueError(f"ASSETMAP_AREA_BBOX: {exc}") from None
