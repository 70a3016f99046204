"""Error pages: HTML for people, one JSON shape for programs.

An unexpected exception becomes a 500 here, and the request's session is rolled back before
the page is drawn, so the page reads nothing a failed change left behind. Where the full page
cannot be drawn (a request for a host the app does not serve has no URLs to build), a plain one
goes out instead, still through the app, so it carries the security headers.

A page says its error in the reader's language: each status a person meets has a title and a
message of its own here, used wherever werkzeug would say its own English; a message a view
gave (``abort(404, _("..."))``) is shown as given. The JSON answer keeps werkzeug's words.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError, default_exceptions

# What a person reads for each status they may meet: a title, and what to do about it.
PAGES: dict[int, tuple[Any, Any]] = {
    400: (
        _l("Bad request"),
        _l("The page could not use what was sent. Go back and try again."),
    ),
    401: (_l("Sign in first"), _l("You need to sign in to see that page.")),
    403: (_l("You cannot see this page"), _l("Your account does not allow this.")),
    404: (
        _l("Page not found"),
        _l(
            "If you typed the web address, check it is correct. If you pasted it, check you "
            "copied the whole address."
        ),
    ),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    409: (_l("That could not be done"), _l("The page changed meanwhile. Go back and try again.")),
    413: (
        _l("Too much was sent"),
        _l("What you sent is bigger than this site accepts. Send a smaller file."),
    ),
    429: (
        _l("Too many requests"),
        _l("You have sent too many requests. Wait a little, then try again."),
    ),
    500: (
        _l("Sorry, there is a problem with the service"),
        _l("Try again later. What you sent may not have been saved."),
    ),
}
# The form's token was missing or old: said plainly rather than in CSRF's terms.
EXPIRED = _l(
    "The form has expired or did not come from this site. Go back, reload the page and try again."
)


def error_response(status: int, message: str, field: str | None = None) -> Response:
    """Return the one JSON error shape: ``{"error": {"status", "message", "field"}}``."""
    body: dict[str, object] = {"status": status, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify(error=body)
    response.status_code = status
    return response


# Where every answer is JSON, errors included: the API and the open directory.
JSON_PREFIXES = ("/api/", "/openreferral/")


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith(JSON_PREFIXES) or best == "application/json"


def _page(status: int, title: str, message: str) -> str:
    """Return the error page, or the plain one where the full page cannot be drawn."""
    context = {"status": status, "title": title, "message": message}
    if request_ctx.url_adapter is not None:
        try:
            return render_template("error.html", **context)
        except Exception:  # noqa: BLE001 - the person must get an answer whatever failed
            current_app.logger.exception("The error page for a %s could not be drawn", status)
            _roll_back()
    try:
        locale = get_locale()
    except Exception:  # noqa: BLE001 - the plain page must go out whatever failed
        locale = None
    lang = locale.language if locale is not None and locale.language != "en" else "en-GB"
    plain = {
        "lang": lang,
        "dir": "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr",
    }
    return current_app.jinja_env.get_template("error_plain.html").render(**context, **plain)


def _roll_back() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _said(exc: HTTPException, status: int) -> tuple[str, str]:
    """Return the page's title and message for ``exc`` in the reader's language."""
    title, message = PAGES.get(status, (exc.name, ""))
    if isinstance(exc, CSRFError):
        return str(title), str(EXPIRED)
    wait = getattr(exc, "retry_after", None)
    if status == 429 and isinstance(wait, int):
        # Slowed down (``limits``): say how long to wait, in the reader's words.
        return str(title), ngettext(
            "You have sent too many requests. Try again in %(num)d second.",
            "You have sent too many requests. Try again in %(num)d seconds.",
            wait,
        )
    own = exc.description
    if own and not _werkzeugs(exc, status):
        return str(title), str(own)
    return str(title), str(message or own or "")


def _werkzeugs(exc: HTTPException, status: int) -> bool:
    """Return whether ``exc`` says werkzeug's own English, which a person is never shown."""
    standard = default_exceptions.get(status)
    said = {type(exc).description, standard.description if standard else None}
    return exc.description in said


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, SecurityError):
        exc.description = _l("This site does not answer to the address the request was sent to.")
    if status >= 500:
        _roll_back()
    if _wants_json():
        response = error_response(status, str(exc.description or exc.name))
    else:
        page = _page(status, *_said(exc, status))
        response = Response(page, status=status, mimetype="text/html")
    # The exception's own headers say how to go on: Retry-After on a 429, Allow on a 405.
    for name, value in exc.get_headers():
        if name != "Content-Type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _handle_http)
