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

Several processes share their counts through Redis (``RATELIMIT_STORAGE_URI=redis://...``, keys
under ``RATELIMIT_KEY_PREFIX``). A limit protects the site but is not the site: when the store
fails, the request goes uncounted with a warning in the log rather than failing, and the store
is left alone for ``STORE_RETRY_S`` so an outage costs each request nothing.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import StorageTypes, storage_from_string
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
# A shared store answers in a millisecond; one that takes longer than this is treated as down,
# so a request never waits on it for more than about twice this.
STORE_TIMEOUT_S = 0.25
# After the store fails, requests go uncounted this long before it is asked again.
STORE_RETRY_S = 5.0
SHARED_SCHEMES = ("redis", "rediss", "valkey", "valkeys")

log = logging.getLogger(__name__)


@dataclass
class Limiter:
    """The moving-window counter, and until when a failed store is left alone (monotonic)."""

    counter: MovingWindowRateLimiter
    paused_until: float = 0.0


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
    limiter: Limiter = current_app.extensions[EXTENSION]
    if time.monotonic() < limiter.paused_until:
        return
    address = request.remote_addr or "unknown"
    try:
        allowed = limiter.counter.hit(item, scope, address)
        stats = limiter.counter.get_window_stats(item, scope, address)
    except StorageError as error:
        limiter.paused_until = time.monotonic() + STORE_RETRY_S
        log.warning(
            "Rate limit store failed (%s); requests go uncounted for %s s.",
            error.storage_error,
            STORE_RETRY_S,
        )
        return
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
    app.extensions[EXTENSION] = Limiter(MovingWindowRateLimiter(_storage(app)))
    app.before_request(_check)
    app.after_request(_headers)


def _storage(app: Flask) -> StorageTypes:
    """Return the store ``RATELIMIT_STORAGE_URI`` names, raising ``StorageError`` on failure
    rather than the client library's own errors, and, for Redis, with short timeouts and this
    site's key prefix."""
    uri = str(app.config["RATELIMIT_STORAGE_URI"])
    if uri.partition(":")[0].partition("+")[0] not in SHARED_SCHEMES:
        return storage_from_string(uri, wrap_exceptions=True)
    return storage_from_string(
        uri,
        wrap_exceptions=True,
        key_prefix=str(app.config["RATELIMIT_KEY_PREFIX"]),
        socket_connect_timeout=STORE_TIMEOUT_S,
        socket_timeout=STORE_TIMEOUT_S,
    )
