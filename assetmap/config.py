"""Configuration: defaults here, then ``instance/config.py``, then ``ASSETMAP_*`` variables.

Every option is listed, with what it does, in the README's configuration table.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import Flask

from assetmap.domain.freshness import Freshness
from assetmap.domain.geo import BBox
from assetmap.files import private_folder

DEFAULTS: dict[str, Any] = {
    # Signs session cookies and links. Empty: a random key kept in instance/secret_key.
    "SECRET_KEY": "",
    # SQLAlchemy URL; empty means the embedded SQLite file instance/assetmap.db.
    "DATABASE_URL": "",
    # A streaming replica of a PostgreSQL DATABASE_URL, as a SQLAlchemy URL: searches, maps,
    # lists and the API's reads go to it, except a person's own reads just after their write.
    # Empty: every read goes to DATABASE_URL.
    "DATABASE_READ_URL": "",
    # How long a SQLite writer waits for the lock before giving up, in milliseconds.
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    # SQLite's page cache per connection, in MiB.
    "SQLITE_CACHE_MB": 64,
    # Side of the grid cell a skill's public point is snapped to, in metres.
    "PRIVACY_CELL_M": 400.0,
    # A box strengths must lie in and maps open on, "minlon,minlat,maxlon,maxlat" (EPSG:4326).
    # Empty: the neighbourhoods' area (their union, 2 km around), or anywhere before any are held.
    "AREA_BBOX": "",
    # The folder of demo data that seed-demo loads; empty means the data/demo shipped with assetmap.
    "DEMO_DATA_DIR": "",
    # Map tiles: the one outside resource a page loads. Point these at your own tile server.
    "MAP_TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "MAP_TILES_ATTRIBUTION": "&copy; OpenStreetMap contributors",
    # Feeds of changes (OpenActive's session series) leave out what changed in the last this many
    # seconds, so a write still being committed when a reader passes its time is not skipped.
    "FEED_SETTLE_SECONDS": 5.0,
    # The largest file an import (web or command line) reads, in megabytes.
    "IMPORT_MAX_MB": 100,
    # The most rows or features an import (web or command line) reads, counted before reading.
    "IMPORT_MAX_ROWS": 1_000_000,
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
    # Where people reach the app, as scheme://host[:port][/path]. Every absolute link (in mail,
    # the feed, the API description) starts with it, whatever Host a request arrives with.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # The host names requests may arrive for; any other is refused with 400. Empty: the
    # PUBLIC_URL's host, and the local names (localhost, 127.0.0.1, ::1) where it is one of them
    # or in development and tests. A list, or names separated by commas.
    "TRUSTED_HOSTS": "",
    # How many reverse proxies stand in front of the app. With 1 or more, the scheme, host and
    # client address come from the X-Forwarded-Proto, -Host and -For headers the nearest that
    # many proxies set (so rate limits count real clients). 0: those headers are ignored.
    "PROXY_HOPS": 0,
    # The largest request body, in bytes (an import's upload may be up to IMPORT_MAX_MB).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Mark the session cookie Secure always; otherwise it is Secure whenever the request is HTTPS.
    "SESSION_COOKIE_SECURE": False,
    # Rate limits on writes (the `limits` library): on or off, where counts are kept (a `limits`
    # storage URI), and each limit.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # What this site's counts are kept under in a shared store, so two sites can share one Redis.
    "RATELIMIT_KEY_PREFIX": "assetmap",
    "RATELIMIT_SIGN_IN": "10 per minute",
    "RATELIMIT_SIGN_UP": "5 per minute",
    "RATELIMIT_PASSWORD_RESET": "5 per minute",
    "RATELIMIT_REPORT": "5 per minute",
    "RATELIMIT_WRITE": "60 per minute",
    "RATELIMIT_OPEN_DATA": "1200 per minute",
    # Freshness, in days since a strength was last confirmed: remind its owner (and again
    # each interval), show it as unconfirmed, and hide it with that reason.
    "CONFIRM_REMIND_DAYS": 180,
    "UNCONFIRMED_AFTER_DAYS": 365,
    "HIDE_UNCONFIRMED_AFTER_DAYS": 540,
    # Community fund awards in the 360Giving Data Standard: the publisher prefix 360Giving
    # registered for you (every grant id starts with it), and the funder's organisation
    # identifier and name. The defaults are made up: replace them before publishing.
    "GRANT_PREFIX": "360G-assetmap-example",
    "FUNDER_ID": "360G-assetmap-example",
    "FUNDER_NAME": "Example community fund",
}
# The key older configurations shipped with: refused outside development and tests.
KNOWN_KEYS = frozenset({"dev-only-change-me"})
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


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
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)


def instance_secret_key(folder: Path) -> str:
    """Return the random key kept in ``folder/secret_key``, making it the first time."""
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_folder(folder)
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
    settle = config["FEED_SETTLE_SECONDS"]
    if isinstance(settle, bool) or not isinstance(settle, int | float) or settle < 0:
        raise ValueError(
            f"ASSETMAP_FEED_SETTLE_SECONDS must be a number of seconds, 0 or more, got {settle!r}"
        )
    area_bbox(config)
    development = config.get("DEBUG") or config.get("TESTING")
    if config["SECRET_KEY"] in KNOWN_KEYS and not development:
        raise ValueError(
            "ASSETMAP_SECRET_KEY is the published development key; set your own, long and random"
        )
    Freshness.from_config(config)
    public_url(config)
    hops = config["PROXY_HOPS"]
    if isinstance(hops, bool) or not isinstance(hops, int) or hops < 0:
        raise ValueError(f"ASSETMAP_PROXY_HOPS must be a whole number, 0 or more, got {hops!r}")
    giving(config)
    rows = config["IMPORT_MAX_ROWS"]
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ValueError(
            f"ASSETMAP_IMPORT_MAX_ROWS must be a whole number, 1 or more, got {rows!r}"
        )


def giving(config: Mapping[str, Any]) -> None:
    """Refuse a 360Giving prefix that is not one, or a funder with no identifier or name."""
    prefix = config["GRANT_PREFIX"]
    if not isinstance(prefix, str) or not re.fullmatch(r"360G-[A-Za-z0-9_-]*[A-Za-z0-9]", prefix):
        raise ValueError(
            f"ASSETMAP_GRANT_PREFIX must be a 360Giving publisher prefix like 360G-yourfund, "
            f"got {prefix!r}"
        )
    for name in ("FUNDER_ID", "FUNDER_NAME"):
        if not isinstance(config[name], str) or not config[name].strip():
            raise ValueError(f"ASSETMAP_{name} must be set, got {config[name]!r}")


def public_url(config: dict[str, Any]) -> SplitResult:
    """Return ``PUBLIC_URL`` split into its parts, or raise ValueError saying what is wrong."""
    text = str(config.get("PUBLIC_URL") or "")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"ASSETMAP_PUBLIC_URL must be an http or https address like https://example.org, "
            f"got {text!r}"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(
            f"ASSETMAP_PUBLIC_URL must have no query, fragment or user name, got {text!r}"
        )
    return parts


def trusted_hosts(config: dict[str, Any]) -> list[str]:
    """Return the host names requests may arrive for (see ``TRUSTED_HOSTS``)."""
    chosen = config.get("TRUSTED_HOSTS") or ""
    names = chosen.split(",") if isinstance(chosen, str) else list(chosen)
    hosts = [name.strip() for name in names if name.strip()]
    if hosts:
        return hosts
    public = public_url(config).hostname or ""
    local = public in LOCAL_HOSTS or config.get("DEBUG") or config.get("TESTING")
    return [public, *(name for name in LOCAL_HOSTS if local and name != public)]


def area_bbox(config: Mapping[str, Any]) -> BBox | None:
    """Return the box ``AREA_BBOX`` sets, or None where the area is the neighbourhoods'."""
    text = config.get("AREA_BBOX") or ""
    if not text:
        return None
    try:
        return BBox.parse(str(text))
    except ValueError as exc:
        raise ValueError(f"ASSETMAP_AREA_BBOX: {exc}") from None
