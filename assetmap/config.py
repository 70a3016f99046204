"""Configuration: defaults here, then ``instance/config.py``, then ``ASSETMAP_*`` variables.

Every option is listed, with what it does, in the README's configuration table.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from assetmap.domain.freshness import Freshness
from assetmap.domain.geo import BBox

DEFAULTS: dict[str, Any] = {
    # Signs session cookies and links. Empty: a random key kept in instance/secret_key.
    "SECRET_KEY": "",
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
    # The largest file an import (web or command line) reads, in megabytes.
    "IMPORT_MAX_MB": 100,
    # How mail is sent: "outbox" writes .eml files a person can read; "smtp" uses SMTP_* below.
    "MAIL_BACKEND": "outbox",
    # The outbox folder; empty means instance/outbox.
    "MAIL_OUTBOX_DIR": "",
    # The address mail comes from.
    "MAIL_FROM": "assetmap <no-reply@localhost>",
    # The SMTP server, and the account and STARTTLS it is reached with.
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 587,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": True,
    # Where people reach the app: the links in mail sent outside a request (reminders) use it.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # The largest request body, in bytes (an import's upload may be up to IMPORT_MAX_MB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Mark the session cookie Secure always; otherwise it is Secure whenever the request is HTTPS.
    "SESSION_COOKIE_SECURE": False,
    # Rate limits on writes (the `limits` library): on or off, where counts are kept (a `limits`
    # storage URI), and each limit.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SIGN_IN": "10 per minute",
    "RATELIMIT_SIGN_UP": "5 per minute",
    "RATELIMIT_PASSWORD_RESET": "5 per minute",
    "RATELIMIT_REPORT": "5 per minute",
    "RATELIMIT_WRITE": "60 per minute",
    # Freshness, in days since a strength was last confirmed: remind its owner (and again
    # each interval), show it as unconfirmed, and hide it with that reason.
    "CONFIRM_REMIND_DAYS": 180,
    "UNCONFIRMED_AFTER_DAYS": 365,
    "HIDE_UNCONFIRMED_AFTER_DAYS": 540,
}
# The key older configurations shipped with: refused outside development and tests.
KNOWN_KEYS = frozenset({"dev-only-change-me"})


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, the instance folder, the environment and tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ASSETMAP")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'assetmap.db'}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    check(app.config)


def instance_secret_key(folder: Path) -> str:
    """Return the random key kept in ``folder/secret_key``, making it the first time."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(key)
    return key


def check(config: dict[str, Any]) -> None:
    """Refuse to start with an option that cannot work, naming it."""
    cell = config["PRIVACY_CELL_M"]
    if isinstance(cell, bool) or not isinstance(cell, int | float) or cell <= 0:
        raise ValueError(
            f"ASSETMAP_PRIVACY_CELL_M must be a positive number of metres, got {cell!r}"
        )
    area_bbox(config)
    development = config.get("DEBUG") or config.get("TESTING")
    if config["SECRET_KEY"] in KNOWN_KEYS and not development:
        raise ValueError(
            "ASSETMAP_SECRET_KEY is the published development key; set your own, long and random"
        )
    Freshness.from_config(config)


def area_bbox(config: dict[str, Any]) -> BBox | None:
    """Return the configured area as a box, or None where assets may be anywhere."""
    text = config.get("AREA_BBOX") or ""
    if not text:
        return None
    try:
        return BBox.parse(str(text))
    except ValueError as exc:
        raise ValueError(f"ASSETMAP_AREA_BBOX: {exc}") from None
