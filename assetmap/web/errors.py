"""Error pages: HTML for people, one JSON shape for programs.

An unexpected exception becomes a 500 here, and the request's session is rolled back before
the page is drawn, so the page reads nothing a failed change left behind. Where the full page
cannot be drawn (a request for a host the app does not serve has no URLs to build), a plain one
goes out instead, still through the app, so it carries the security headers.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, SecurityError


def error_response(status: int, message: str, field: str | None = None) -> Response:
    """Return the one JSON error shape: ``{"error": {"status", "message", "field"}}``."""
    body: dict[str, object] = {"status": status, "message": message}
    if field is not None:
        body["field"] = field
    response = jsonify(error=body)
    response.status_code = status
    return response


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or best == "application/json"


def _page(status: int, title: str, message: str) -> str:
    """Return the error page, or the plain one where the full page cannot be drawn."""
    context = {"status": status, "title": title, "message": message}
    if request_ctx.url_adapter is not None:
        try:
            return render_template("error.html", **context)
        except Exception:  # noqa: BLE001 - the person must get an answer whatever failed
            current_app.logger.exception("The error page for a %s could not be drawn", status)
            _roll_back()
    return current_app.jinja_env.get_template("error_plain.html").render(**context)


def _roll_back() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, SecurityError):
        exc.description = "This site does not answer to the address the request was sent to."
    if status >= 500:
        _roll_back()
    if _wants_json():
        response = error_response(status, exc.description or exc.name)
    else:
        page = _page(status, exc.name, exc.description or "")
        response = Response(page, status=status, mimetype="text/html")
    # The exception's own headers say how to go on: Retry-After on a 429, Allow on a 405.
    for name, value in exc.get_headers():
        if name != "Content-Type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _handle_http)
