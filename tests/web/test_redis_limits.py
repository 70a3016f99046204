"""Rate limits kept in Redis: several processes share one count, and Redis failing never
fails a page. Runs against the Redis at 127.0.0.1:6379; skipped when none answers there,
unless ASSETMAP_REQUIRE_REDIS=1."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask

from assetmap import create_app
from assetmap.web import db, limits
from tests.web.helpers import post

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(
    os.environ.get("ASSETMAP_REQUIRE_REDIS") != "1" and not _redis_answers(),
    reason="no Redis answers at 127.0.0.1:6379 (set ASSETMAP_REQUIRE_REDIS=1 to fail instead)",
)


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"assetmap-test-{uuid.uuid4().hex}"
    yield name
    store = redis.Redis.from_url(REDIS_URL)
    keys = list(store.scan_iter(f"{name}*"))
    if keys:
        store.delete(*keys)


def make_app(sqlite_url: str, **config: Any) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test", **config})


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_two_processes_sharing_redis_reach_one_limit_together(sqlite_url: str, prefix: str) -> None:
    shared = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "RATELIMIT_OPEN_DATA": "3 per minute",
    }
    first, second = make_app(sqlite_url, **shared), make_app(sqlite_url, **shared)
    try:
        one, two = first.test_client(), second.test_client()
        answers = [client.get("/openreferral/services") for client in (one, two, one)]
        refused = two.get("/openreferral/services")
        assert [answer.status_code for answer in answers] == [200, 200, 200]
        assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["2", "1", "0"]
        assert refused.status_code == 429
        assert one.get("/openreferral/services").status_code == 429
    finally:
        db.database(first).dispose()
        db.database(second).dispose()


def test_sites_with_different_key_prefixes_keep_separate_counts(
    sqlite_url: str, prefix: str
) -> None:
    limits = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_OPEN_DATA": "1 per minute"}
    first = make_app(sqlite_url, RATELIMIT_KEY_PREFIX=f"{prefix}-a", **limits)
    second = make_app(sqlite_url, RATELIMIT_KEY_PREFIX=f"{prefix}-b", **limits)
    try:
        assert first.test_client().get("/openreferral/services").status_code == 200
        assert second.test_client().get("/openreferral/services").status_code == 200
    finally:
        db.database(first).dispose()
        db.database(second).dispose()


def test_pages_and_writes_still_answer_when_redis_is_down(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(
        sqlite_url,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0",
        RATELIMIT_OPEN_DATA="1 per minute",
        RATELIMIT_SIGN_IN="1 per minute",
    )
    try:
        client = app.test_client()
        reads = [client.get("/openreferral/services").status_code for _ in range(3)]
        sign_ins = [
            post(client, "/sign-in", email="nobody@example.org", password="wrong").status_code
            for _ in range(2)
        ]
        assert reads == [200, 200, 200]
        assert sign_ins == [400, 400]
        assert client.get("/").status_code == 200
        assert "Rate limit store failed" in caplog.text
    finally:
        db.database(app).dispose()


@pytest.fixture
def silent_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


def test_a_redis_that_never_answers_delays_one_request_briefly_and_no_page_fails(
    sqlite_url: str, silent_port: int
) -> None:
    app = make_app(
        sqlite_url,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{silent_port}/0",
        RATELIMIT_OPEN_DATA="1 per minute",
    )
    try:
        client = app.test_client()
        started = time.monotonic()
        reads = [client.get("/openreferral/services").status_code for _ in range(3)]
        assert reads == [200, 200, 200]
        assert time.monotonic() - started < 2 * limits.STORE_TIMEOUT_S + 1.5
    finally:
        db.database(app).dispose()
