"""The manifest, the service worker's script and what it precaches, the offline page and the
outbox's session check, without a browser (tests/browser/test_offline.py drives Chromium)."""

from __future__ import annotations

import json
import re

from flask import Flask

from tests.web.helpers import sign_in


def worker_settings(app: Flask) -> dict[str, object]:
    response = app.test_client().get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    first_line = response.get_data(as_text=True).splitlines()[0]
    match = re.fullmatch(r"self\.ASSETMAP = (\{.*\});", first_line)
    assert match
    settings: dict[str, object] = json.loads(match.group(1))
    return settings


def test_the_manifest_describes_an_installable_app(app: Flask) -> None:
    response = app.test_client().get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/",
        "/",
        "standalone",
    )
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert app.test_client().get(icon["src"]).status_code == 200


def test_every_page_links_the_manifest_and_allows_the_worker(app: Flask) -> None:
    response = app.test_client().get("/")
    page = response.get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'src="/static/js/sw-register.js"' in page
    policy = response.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_worker_precaches_the_shell_from_here_and_never_a_cdn(app: Flask) -> None:
    settings = worker_settings(app)
    assert settings["workbox"] == "/static/vendor/workbox/"
    precache = settings["precache"]
    assert isinstance(precache, list)
    urls = [entry["url"] for entry in precache]
    assert "/offline" in urls and "/static/vendor/govuk/govuk-frontend.min.css" in urls
    client = app.test_client()
    for entry in precache:
        assert client.get(entry["url"]).status_code == 200
        assert re.fullmatch(r"[0-9a-f]{16}", entry["revision"])
    for name in ("workbox-sw.js", "workbox-core.prod.js", "workbox-precaching.prod.js"):
        assert client.get(f"/static/vendor/workbox/{name}").status_code == 200
    script = client.get("/sw.js").get_data(as_text=True)
    assert "googleapis" not in script and "cdn" not in script.lower()


def test_the_offline_page_names_nobody(app: Flask) -> None:
    client = app.test_client()
    sign_in(app, client, email="robin@example.org")
    page = client.get("/offline").get_data(as_text=True)
    assert "No connection" in page and "robin" not in page
    assert '"user": "*"' in page or '"user":"*"' in page


def test_the_session_check_says_who_is_signed_in_and_is_never_kept(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/offline/session")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["user"] == "" and response.get_json()["csrf"]
    user_id = sign_in(app, client, email="robin@example.org")
    assert client.get("/offline/session").get_json()["user"] == str(user_id)
