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
    from assetmap import cli, config
    from assetmap.web import auth, db, errors, geocoding, nav, pages, security

    app = Flask(
        __name__,
        instance_path=os.environ.get("ASSETMAP_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(_templates()),
    )
    config.load(app, test_config)
    db.init_app(app)
    geocoding.init_app(app)
    nav.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    pages.init_app(app)
    cli.init_app(app)
    return app
