"""Security headers: a strict Content-Security-Policy with a nonce per response, and friends."""

from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request


def csp_nonce() -> str:
    """Return this request's nonce, for the few inline scripts the app itself writes."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


@functools.lru_cache(maxsize=8)
def tile_origin(tiles_url: str) -> str:
    """Return the origin map tiles load from, as a CSP source (``{s}`` subdomains as ``*``)."""
    parts = urlsplit(tiles_url.replace("{s}", "*"))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def policy(nonce: str, tiles: str) -> str:
    """Return the Content-Security-Policy: only the app's own files and nonced scripts run."""
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _headers(response: Response) -> Response:
    tiles = tile_origin(current_app.config["MAP_TILES_URL"])
    response.headers.setdefault("Content-Security-Policy", policy(csp_nonce(), tiles))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Permissions-Policy", "geolocation=(self), camera=(), microphone=()"
    )
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and offer ``csp_nonce()`` to templates."""
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
