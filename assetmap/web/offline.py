"""Installable, and tolerant of poor signal: the web app manifest, the service worker and the
page it shows when a page is neither online nor kept.

The worker (``static/js/offline-worker.js``) is served from the site's root, ``/sw.js``, so that
it may look after every page (its scope is ``/``). This module puts its settings before it: where
Workbox is (vendored, never a CDN), what to keep from the start (the app's shell: styles,
scripts, icons and the offline page, each with a revision from its contents, so a change to any
of them changes the worker and the browser installs the new one), and where people sign in and
out, where the worker forgets the pages it kept.

A strength added with no connection waits on the device in IndexedDB (``offline-store.js``)
until it can be sent, with the key that lets the server add it once
(``storage/submissions.py``).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from assetmap.web.i18n import TRANSLATIONS, current_language

bp = Blueprint("offline", __name__)

# The app's shell, under static/: what the worker keeps from the start, so the offline page and
# every kept page look as they should with no connection.
SHELL = (
    "vendor/govuk/govuk-frontend.min.css",
    "vendor/govuk/govuk-frontend.min.js",
    "assetmap.css",
    "js/govuk-init.js",
    "js/offline-store.js",
    "js/offline.js",
    "js/sw-register.js",
    "icons/icon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
)
WORKER = "js/offline-worker.js"
# The templates the offline page is made from: a change to them is a new revision of it.
OFFLINE_TEMPLATES = ("offline.html", "_offline_head.html")
THEME_COLOUR = "#1d3d2f"  # The header's brand green (assetmap.css's --brand).
BACKGROUND_COLOUR = "#ffffff"
OUTBOX_SYNC_TAG = "assetmap-outbox"


def _digest(chunks: Iterable[bytes]) -> str:
    hashed = hashlib.sha256()
    for chunk in chunks:
        hashed.update(chunk)
    return hashed.hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _revisions(static: str, templates: str) -> tuple[tuple[str, str], ...]:
    """Return each shell file's revision, the offline page's, and one for all static files
    (the name of the worker's cache of them, so a new release starts that cache afresh)."""
    static_folder, template_folder = Path(static), Path(templates)
    revisions = [(name, _digest([(static_folder / name).read_bytes()])) for name in SHELL]
    # The offline page is kept in the reader's language: new translations are a new revision.
    catalogues = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.mo"))
    page_parts = [template_folder / name for name in OFFLINE_TEMPLATES] + catalogues
    revisions.append(("offline-page", _digest(path.read_bytes() for path in page_parts)))
    every = sorted(path for path in static_folder.rglob("*") if path.is_file())
    revisions.append(
        (
            "static",
            _digest(
                str(path.relative_to(static_folder)).encode() + path.read_bytes() for path in every
            ),
        )
    )
    return tuple(revisions)


def _settings() -> dict[str, Any]:
    app = current_app
    assert app.static_folder is not None and app.template_folder is not None
    revisions = dict(
        _revisions(str(app.static_folder), str(Path(app.root_path, app.template_folder)))
    )
    precache = [
        {"url": url_for("static", filename=name), "revision": revisions[name]} for name in SHELL
    ]
    offline_page = url_for("offline.page")
    precache.append({"url": offline_page, "revision": revisions["offline-page"]})
    return {
        "workbox": url_for("static", filename="vendor/workbox/"),
        "outbox": url_for("static", filename="js/offline-store.js"),
        "precache": precache,
        "staticPrefix": url_for("static", filename=""),
        "staticRevision": revisions["static"],
        "offline": offline_page,
        "check": url_for("offline.signed_in"),
        "signIn": url_for("auth.sign_in"),
        "signOut": url_for("auth.sign_out"),
        "syncTag": OUTBOX_SYNC_TAG,
    }


@bp.get("/sw.js")
def worker() -> Response:
    """Serve the service worker from the root, so its scope is the whole site."""
    assert current_app.static_folder is not None
    script = Path(current_app.static_folder, WORKER).read_text(encoding="utf-8")
    settings = orjson.dumps(_settings()).decode()
    body = f"self.ASSETMAP = {settings};\n{script}"
    response = Response(body, mimetype="text/javascript")
    # Browsers look for a new worker at least daily; say it must be checked every time.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """Describe the app for a phone to install: its name, icons, colours and where it starts."""
    language = current_language()
    # The drawing keeps to the middle 80%, so the same PNGs serve as maskable icons, which a
    # platform may crop to a circle or a rounded square.
    icons = [
        {
            "src": url_for("static", filename=f"icons/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
            "purpose": purpose,
        }
        for purpose in ("any", "maskable")
        for size in (192, 512)
    ]
    icons.append(
        {
            "src": url_for("static", filename="icons/icon.svg"),
            "sizes": "any",
            "type": "image/svg+xml",
        }
    )
    body = {
        "name": "assetmap",
        "short_name": "assetmap",
        "description": _(
            "What our community already has: the skills people share, the groups "
            "they run and the spaces they look after."
        ),
        "lang": language.tag,
        "dir": "rtl" if language.rtl else "ltr",
        "id": url_for("pages.index"),
        "start_url": url_for("pages.index"),
        "scope": url_for("pages.index"),
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    response = Response(orjson.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    return response


@bp.get("/offline")
def page() -> str:
    """Say that the page asked for is not kept on this device and there is no connection.

    The worker keeps this page from the start. It names nobody (it does not show who is signed
    in), so the copy kept is never one person's.
    """
    return render_template("offline.html")


@bp.get("/offline/session")
def signed_in() -> Response:
    """Say who is signed in now, with a fresh form token, so the outbox sends a kept form only
    for its author, with a token of the session it is sent in."""
    user = str(current_user.id) if current_user.is_authenticated else ""
    response = jsonify(user=user, csrf=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


def offline_words(*, anyone: bool = False) -> dict[str, Any]:
    """Return what the offline scripts say and need, for the page to hand them as data.

    ``user`` is whose kept strengths the page shows and sends: the person signed in, nobody
    (""), or, on the offline page, which is kept for whoever is using the device, anyone ("*"):
    it shows what waits on this device and sends nothing itself.
    """
    signed_in = current_user.is_authenticated
    user = "*" if anyone else (str(current_user.id) if signed_in else "")
    return {
        "user": user,
        "worker": url_for("offline.worker"),
        "check": url_for("offline.signed_in"),
        "signIn": url_for("auth.sign_in"),
        "syncTag": OUTBOX_SYNC_TAG,
        "words": {
            "heading": _("Waiting to send"),
            "intro": _(
                "Kept on this device. It will be sent when the connection returns: you can "
                "close this page meanwhile."
            ),
            "waiting": _("Waiting to send"),
            "refused": _(
                "Not sent: the form was refused. Open it again to check it, or discard it."
            ),
            "signedOut": _("Not sent yet: you were signed out. Sign in again and it will be sent."),
            "sentHeading": _("Sent"),
            "sent": _("Sent: %(title)s is published."),
            "open": _("Open it again"),
            "discard": _("Discard"),
            "others": _(
                "Strengths added on this device are waiting to send. They will be sent once the "
                "person who added them signs in again."
            ),
        },
    }


def init_app(app: Flask) -> None:
    """Register the manifest, the worker and the offline page, and hand the offline scripts
    their words on every page."""
    app.register_blueprint(bp)
    app.jinja_env.globals["offline_words"] = offline_words
