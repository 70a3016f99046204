"""Rate limits on writes: sign-in, sign-up, password reset, reporting, and every other write.

Each write is counted per address in a moving window, with the ``limits`` library, in memory
unless ``RATELIMIT_STORAGE_URI`` names a shared store. Limits are read from the configuration
when a request is counted. Over a limit the answer is 429 with ``Retry-After``, through the
app's error handlers: HTML for pages, the JSON error for ``/api``. The refusal's own words stay
technical, for the API; a page says how long to wait in the reader's language (``errors``). A
write's answer says where its address stands in ``X-RateLimit-*`` headers.

Reads carry no limit, and the check returns at its first lines for them: the API's busiest
answer pays nothing for limits it does not have. The one exception is the open directory
(``/openreferral/``), which other systems poll with no key and whose fully nested pages are the
costliest reads: every request to it counts against ``RATELIMIT_OPEN_DATA`` per address.
"""

from __future__ import annotations

import functools
import math
import time

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "assetmap.limiter"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Endpoints with a limit of their own, and the option that sets it; every other write shares
# RATELIMIT_WRITE.
OWN_LIMITS = {
    "auth.sign_in_post": "RATELIMIT_SIGN_IN",
    "accounts.sign_up": "RATELIMIT_SIGN_UP",
    "accounts.reset_request": "RATELIMIT_PASSWORD_RESET",
    "accounts.reset_password": "RATELIMIT_PASSWORD_RESET",
    "confirmation.send_again": "RATELIMIT_SIGN_UP",
    "moderation.report_post": "RATELIMIT_REPORT",
}
SHARED_SCOPE = "write"
# Blueprints whose every request (reads too) is counted, and the option that sets the limit.
OPEN_DATA = {"openreferral": "RATELIMIT_OPEN_DATA"}
# Signing out is always allowed: refusing it would keep a person signed in.
UNLIMITED = frozenset({"auth.sign_out"})


@functools.lru_cache(maxsize=32)
def _item(text: str) -> RateLimitItem:
    return parse(text)


def _limit_for(endpoint: str) -> tuple[RateLimitItem, str]:
    """Return the limit on ``endpoint`` and the scope it is counted in."""
    option = OWN_LIMITS.get(endpoint)
    if option is None:
        return _item(str(current_app.config["RATELIMIT_WRITE"])), SHARED_SCOPE
    return _item(str(current_app.config[option])), endpoint


def _check() -> None:
    """Count a write, or a request to the open directory, against its limit; refuse it with
    429 once the limit is spent."""
    endpoint = request.endpoint
    if request.method not in WRITES:
        option = OPEN_DATA.get(request.blueprint or "")
        if option is None or not current_app.config["RATELIMIT_ENABLED"]:
            return
        _count(_item(str(current_app.config[option])), option)
        return
    if endpoint is None or endpoint in UNLIMITED or not current_app.config["RATELIMIT_ENABLED"]:
        return
    _count(*_limit_for(endpoint))


def _count(item: RateLimitItem, scope: str) -> None:
    limiter: MovingWindowRateLimiter = current_app.extensions[EXTENSION]
    address = request.remote_addr or "unknown"
    allowed = limiter.hit(item, scope, address)
    stats = limiter.get_window_stats(item, scope, address)
    g.rate_limit = (item.amount, stats.remaining, math.ceil(stats.reset_time))
    if not allowed:
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequests(
            f"Too many requests: {item}. Try again in {wait} s.", retry_after=wait
        )


def _headers(response: Response) -> Response:
    state = g.pop("rate_limit", None)
    if state is not None:
        amount, remaining, reset = state
        response.headers["X-RateLimit-Limit"] = str(amount)
        response.headers["X-RateLimit-Remaining"] = str(remaining)
        response.headers["X-RateLimit-Reset"] = str(reset)
    return response


def init_app(app: Flask) -> None:
    """Count every write against its limit, after CSRF has turned away forged ones."""
    storage = storage_from_string(str(app.config["RATELIMIT_STORAGE_URI"]))
    app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)
    app.before_request(_check)
    app.after_request(_headers)
