from __future__ import annotations

from flask.testing import FlaskClient

from assetmap.web.security import tile_origin


def test_pages_carry_a_strict_content_security_policy(client: FlaskClient) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in policy
    assert directives["img-src"] == "'self' data: https://tile.openstreetmap.org"


def test_each_response_has_its_own_nonce(client: FlaskClient) -> None:
    first = client.get("/").headers["Content-Security-Policy"]
    assert first != client.get("/").headers["Content-Security-Policy"]


def test_other_security_headers(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers


def test_tile_subdomains_become_a_wildcard() -> None:
    assert (
        tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
        == "https://*.tiles.example.org"
    )


def test_scripts_and_styles_are_compressed_but_pages_are_not(client: FlaskClient) -> None:
    headers = {"Accept-Encoding": "gzip, deflate"}
    css = client.get("/static/vendor/govuk/govuk-frontend.min.css", headers=headers)
    assert css.headers.get("Content-Encoding") in ("gzip", "deflate")
    assert len(css.data) < 40_000
    assert "Content-Encoding" not in client.get("/", headers=headers).headers
