"""Compress scripts, stylesheets and JSON answers; pages stay uncompressed.

HTML carries the CSRF token beside text a visitor can make the page reflect, and compressing
the two together would open it to BREACH; the weight is in the scripts and styles anyway.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

COMPRESSED = [
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
    "image/svg+xml",
]


def init_app(app: Flask) -> None:
    """Compress the listed types with gzip (deflate for files sent as streams)."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip", "deflate"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["deflate"])
    Compress(app)
