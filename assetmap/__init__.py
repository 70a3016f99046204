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
        compression,
        db,
        errors,
        ids,
        limits,
        nav,
        pages,
        proxies,
        security,
        wording,
    )
    from assetmap.web.accounts import auth, confirmation, tokens
    from assetmap.web.accounts import views as accounts
    from assetmap.web.admin import moderation, roles
    from assetmap.web.api import views as api
    from assetmap.web.checks import public as checks_public
    from assetmap.web.checks import said_did
    from assetmap.web.checks import views as checks
    from assetmap.web.exchange import init_app as exchange_pages
    from assetmap.web.exchange import views as exchange
    from assetmap.web.explore import init_app as explore_pages
    from assetmap.web.explore import search
    from assetmap.web.explore import views as explore
    from assetmap.web.strengths import adding, connections, freshness, history
    from assetmap.web.strengths import init_app as strengths_pages
    from assetmap.web.strengths import views as strengths

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
    nav.init_app(app)
    wording.init_app(app)
    security.init_app(app)
    compression.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    explore.init_app(app)
    mail.init_app(app)
    accounts.init_app(app)
    confirmation.init_app(app)
    adding.init_app(app)
    strengths.init_app(app)
    strengths_pages(app)
    search.init_app(app)
    explore_pages(app)
    connections.init_app(app)
    tokens.init_app(app)
    api.init_app(app)
    checks_public.init_app(app)
    said_did.init_app(app)
    checks.init_app(app)
    exchange.init_app(app)
    exchange_pages(app)
    freshness.init_app(app)
    moderation.init_app(app)
    history.init_app(app)
    roles.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    return app
