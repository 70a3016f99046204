"""The OpenAPI 3.1 document of assetmap's APIs: every /api and /openreferral route, its
parameters and answers.

``PATHS`` describes each route; ``for_app`` keeps the descriptions of the routes the app serves,
so the document never promises a route that is not there. The tests check the reverse: that
every /api and /openreferral route the app serves is described.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from assetmap.web.api.openapi import openreferral
from assetmap.web.api.openapi.paths import PATHS as API_PATHS
from assetmap.web.api.openapi.schemas import SCHEMAS

PATHS = {**API_PATHS, **openreferral.PATHS}

__all__ = ["PATHS", "document", "for_app", "openapi_path"]

EXTENSION = "assetmap.openapi"
# The routes the document describes: the API's, and the Open Referral UK API's.
PREFIXES = ("/api/", "/openreferral/")
_RULE_ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    """Return a Flask rule (``/api/assets/<int:asset_id>``) as an OpenAPI path."""
    return _RULE_ARGUMENT.sub(r"{\1}", rule)


def document(paths: set[str] | None = None, server: str | None = None) -> dict[str, Any]:
    """Return the OpenAPI document, describing ``paths`` only where given, served at ``server``
    (the app's ``PUBLIC_URL``) where given."""
    return {
        "openapi": "3.1.0",
        **({"servers": [{"url": server}]} if server else {}),
        "info": {
            "title": "assetmap",
            "version": "1",
            "description": "A community's strengths (skills, groups and spaces) as GeoJSON. "
            "Coordinates are longitude, latitude in WGS84; distances are geodesic metres. "
            "Reads are open; writes need a personal API token, made on the account's "
            "API tokens page and sent as `Authorization: Bearer <token>`. Every error is "
            '`{"error": {"status", "message", "field"}}`. Under /openreferral/ the groups '
            "and spaces are served as the Open Referral UK API (HSDS 3.0), open to any site.",
        },
        "paths": {path: item for path, item in PATHS.items() if paths is None or path in paths},
        "components": {
            "schemas": {**SCHEMAS, **openreferral.SCHEMAS},
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token.",
                }
            },
        },
    }


def for_app(app: Flask) -> dict[str, Any]:
    """Return the document for the /api and /openreferral routes this app serves (built once
    per app)."""
    if EXTENSION not in app.extensions:
        served = {
            openapi_path(rule.rule)
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith(PREFIXES)
        }
        server = str(app.config["PUBLIC_URL"]).rstrip("/")
        app.extensions[EXTENSION] = document(served, server)
    return app.extensions[EXTENSION]  # type: ignore[no-any-return]
