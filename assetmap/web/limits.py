"""Rate limits: sign-in, sign-up, password reset, reporting, and every other write.

Each app has its own limiter (counts in memory unless ``RATELIMIT_STORAGE_URI`` names a shared
store). Limits are read from the configuration when a request is counted. Over a limit the
answer is 429, through the app's error handlers: HTML for pages, the JSON error for ``/api``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

EXTENSION = "assetmap.limiter"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints with a limit of their own, and the option that sets it; every other write shares
# RATELIMIT_WRITE.
OWN_LIMITS = {
    "auth.sign_in_post": "RATELIMIT_SIGN_IN",
    "accounts.sign_up": "RATELIMIT_SIGN_UP",
    "accounts.reset_request": "RATELIMIT_PASSWORD_RESET",
    "accounts.reset_password": "RATELIMIT_PASSWORD_RESET",
    "moderation.report_post": "RATELIMIT_REPORT",
}
# Signing out is always allowed: refusing it would keep a person signed in.
UNLIMITED = frozenset({"auth.sign_out"})


def _option(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def init_app(app: Flask) -> None:
    """Limit every write endpoint registered so far; call after all blueprints."""
    limiter = Limiter(get_remote_address, app=app, headers_enabled=True)
    app.extensions[EXTENSION] = limiter
    # Reads carry no limit: let them skip the limiter's per-request search for one.
    limiter.request_filter(lambda: request.method not in WRITES)
    writes = limiter.shared_limit(_option("RATELIMIT_WRITE"), scope="write", methods=sorted(WRITES))
    done: set[str] = set()
    for rule in list(app.url_map.iter_rules()):
        methods = sorted((rule.methods or set()) & WRITES)
        if not methods or rule.endpoint in UNLIMITED or rule.endpoint in done:
            continue
        done.add(rule.endpoint)
        view = app.view_functions[rule.endpoint]
        option = OWN_LIMITS.get(rule.endpoint)
        limit = limiter.limit(_option(option), methods=methods) if option else writes
        app.view_functions[rule.endpoint] = limit(view)  # type: ignore[assignment]
