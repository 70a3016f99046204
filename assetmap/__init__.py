"""assetmap: map a community's strengths (skills, groups and spaces) before commissioning."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

_HERE = Path(__file__).resolve().parent


def _templates() -> Path:
    """Return the templates folder: inside the package when installed, else the checkout's."""
    installed = _HERE / "templates"
    return installed if installed.is_dir() else _HERE.parent / "templates"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the assetmap Flask app."""
    from assetmap import cli, config, files, mail
    from assetmap.runtime import links
    from assetmap.storage import database as storage_db
    from assetmap.web import (
        accounts,
        admin,
        api,
        checks,
        compression,
        db,
        errors,
        exchange,
        explore,
        funds,
        i18n,
        ids,
        limits,
        nav,
        offline,
        pages,
        proxies,
        security,
        strengths,
        wording,
    )

    app = Flask(
        __name__,
        instance_path=os.environ.get("ASSETMAP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(_templates()),
    )
    config.load(app, test_config)
    files.private_folder(Path(app.instance_path))
    storage_db.keep_private(app.config["DATABASE_URL"])
    ids.init_app(app)
    links.init_app(app)
    proxies.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    nav.init_app(app)
    wording.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    offline.init_app(app)
    mail.init_app(app)
    # Each area registers its own pages, in the order its package's ``init_app`` gives.
    for area in (accounts, explore, strengths, api, checks, funds, exchange, admin):
        area.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    return app
