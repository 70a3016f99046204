"""Security headers: a strict Content-Security-Policy, with a nonce where a page needs one.

A page that writes an inline script asks for ``csp_nonce()``, and its policy lets that nonce's
scripts run. Every other answer (JSON, files, pages with no inline script) gets a fixed policy
that runs only the app's own files: stricter, and built once rather than per answer.
"""

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


def policy(nonce: str | None, tiles: str) -> str:
    """Return the Content-Security-Policy: only the app's own files, and scripts with the
    nonce where there is one, may run."""
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self'",
            f"img-src 'self' data: {tiles}".strip(),
            "connect-src 'self'",
            "font-src 'self'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


@functools.lru_cache(maxsize=8)
def _fixed_policy(tiles_url: str) -> str:
    return policy(None, tile_origin(tiles_url))


OTHER_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "geolocation=(self), camera=(), microphone=()"),
)


def _headers(response: Response) -> Response:
    headers, tiles_url = response.headers, current_app.config["MAP_TILES_URL"]
    if "Content-Security-Policy" not in headers:
        nonce = g.get("csp_nonce")
        value = policy(nonce, tile_origin(tiles_url)) if nonce else _fixed_policy(tiles_url)
        headers["Content-Security-Policy"] = value
    for name, value in OTHER_HEADERS:
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response and offer ``csp_nonce()`` to templates."""
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
