from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from assetmap.web.security import tile_origin


def _directives(policy: str) -> dict[str, str]:
    return dict(part.split(" ", 1) for part in policy.split("; "))


def test_a_page_with_inline_script_lets_only_its_nonce_run(client: FlaskClient) -> None:
    response = client.get("/map")
    directives = _directives(response.headers["Content-Security-Policy"])
    assert directives["default-src"] == "'self'"
    nonce = re.fullmatch(r"'self' 'nonce-([\w-]+)'", directives["script-src"])
    assert nonce is not None
    assert f'<script nonce="{nonce[1]}">' in response.get_data(as_text=True)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert directives["img-src"] == "'self' data: https://tile.openstreetmap.org"


def test_each_page_with_inline_script_has_its_own_nonce(client: FlaskClient) -> None:
    first = client.get("/map").headers["Content-Security-Policy"]
    assert first != client.get("/map").headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/api/assets?near=-2.24,53.48&radius=800"])
def test_answers_with_no_inline_script_run_only_the_apps_own_files(
    client: FlaskClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "<script nonce=" not in response.get_data(as_text=True)
    policy = response.headers["Content-Security-Policy"]
    directives = _directives(policy)
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "nonce-" not in policy and "unsafe-inline" not in policy


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


def test_a_wrong_method_is_answered_405_with_the_methods_allowed(client: FlaskClient) -> None:
    page = client.delete("/sign-in")
    api = client.put("/api/assets")
    assert page.status_code == api.status_code == 405
    assert "POST" in page.headers["Allow"] and "GET" in api.headers["Allow"]
    assert api.get_json()["error"]["status"] == 405
