"""Error pages: HTML for people, one JSON shape for programs.

An unexpected exception becomes a 500 here; the request's session is rolled back when the
request ends, so nothing of a failed change remains.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


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


def _handle_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    if _wants_json():
        response = error_response(status, exc.description or exc.name)
    else:
        page = render_template("error.html", status=status, title=exc.name, message=exc.description)
        response = Response(page, status=status, mimetype="text/html")
    # The exception's own headers say how to go on: Retry-After on a 429, Allow on a 405.
    for name, value in exc.get_headers():
        if name != "Content-Type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(HTTPException, _handle_http)
