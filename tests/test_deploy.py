"""The production set-up in deploy/: gunicorn serves the app with its config, and the units and
example settings name only settings assetmap has, with values it accepts."""

from __future__ import annotations

import os
import re
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from assetmap import create_app
from assetmap.config import DEFAULTS
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template

DEPLOY = Path(__file__).parent.parent / "deploy"
UNITS = sorted(DEPLOY.glob("*.service")) + sorted(DEPLOY.glob("*.timer"))
HOST = "strengths.example.org"
# Read by create_app itself, before any setting: where the instance folder is.
BEFORE_SETTINGS = {"INSTANCE_PATH"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env_example(instance: Path) -> dict[str, str]:
    """The settings in env.example, read by sh as deploy/assetmap-flask reads them."""
    shown = subprocess.run(
        ["sh", "-c", 'set -a; . "$1"; set +a; env -0', "sh", str(DEPLOY / "env.example")],
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    ).stdout.decode()
    settings = dict(
        line.split("=", 1) for line in shown.split("\0") if line.startswith("ASSETMAP_")
    )
    return settings | {
        "ASSETMAP_SECRET_KEY": "a-long-random-key-for-this-test-alone",
        "ASSETMAP_INSTANCE_PATH": str(instance),
    }


@pytest.fixture
def served(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn with deploy/gunicorn.conf.py on a free port, serving a copy of the demo."""
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("gunicorn is not installed: pip install -e '.[serve]'")
    copy_of(demo_template(tmp_path_factory), tmp_path, "demo.db").dispose()
    environment = os.environ | env_example(tmp_path / "instance")
    environment["ASSETMAP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        *("--config", str(DEPLOY / "gunicorn.conf.py")),
        *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
    ]
    server = subprocess.Popen(
        command, cwd=DEPLOY.parent, env=environment, start_new_session=True, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def wait_until_up(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            get(base + "/healthz", HOST)
            return
        except (OSError, urllib.error.HTTPError):
            if server.poll() is not None:
                raise AssertionError(
                    server.stderr.read().decode() if server.stderr else ""
                ) from None
            time.sleep(0.3)
    raise AssertionError("gunicorn did not answer within 90 s")


def get(url: str, host: str) -> tuple[int, dict[str, str], bytes]:
    """Ask as the proxy in front would: the client's host and scheme in X-Forwarded-*."""
    headers = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": host,
    }
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def test_gunicorn_serves_the_demo_with_its_config_behind_a_proxy(served: str) -> None:
    status, headers, page = get(served + "/", HOST)
    assert status == 200
    assert b"<html" in page
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    status, _, body = get(served + "/api/assets?limit=1", HOST)
    assert status == 200
    assert len(orjson.loads(body)["features"]) == 1


def test_gunicorn_refuses_a_host_the_site_does_not_answer_for(served: str) -> None:
    status, _, _ = get(served + "/", "evil.example.com")
    assert status == 400


def test_gunicorn_listens_on_this_machine_alone() -> None:
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert all(address.startswith("127.0.0.1:") for address in settings["bind"])
    assert settings["wsgi_app"] == "assetmap:create_app()"


def named_settings(path: Path) -> set[str]:
    return set(re.findall(r"\bASSETMAP_([A-Z0-9_]+)", path.read_text()))


@pytest.mark.parametrize(
    "path", [DEPLOY / "env.example", DEPLOY / "assetmap-flask", *UNITS], ids=lambda p: p.name
)
def test_deploy_files_name_only_settings_assetmap_has(path: Path) -> None:
    assert named_settings(path) - set(DEFAULTS) - BEFORE_SETTINGS == set()


def test_env_example_sets_what_a_production_site_must() -> None:
    assert {
        "SECRET_KEY",
        "PUBLIC_URL",
        "TRUSTED_HOSTS",
        "PROXY_HOPS",
        "SESSION_COOKIE_SECURE",
        "DATABASE_URL",
        "MAIL_BACKEND",
        "SMTP_HOST",
    } <= named_settings(DEPLOY / "env.example")


def test_env_example_is_accepted_as_it_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env_example(tmp_path / "instance").items():
        monkeypatch.setenv(name, value)
    app = create_app()
    try:
        assert app.config["PROXY_HOPS"] == 1
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["TRUSTED_HOSTS"] == [HOST]
        assert app.config["PUBLIC_URL"] == f"https://{HOST}"
        assert app.config["MAIL_BACKEND"] == "smtp"
        assert app.config["SMTP_STARTTLS"] is True
        assert app.instance_path == str(tmp_path / "instance")
    finally:
        db.database(app).dispose()


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_systemd_finds_nothing_wrong_in_the_units(path: Path) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    found = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(path)], capture_output=True, text=True
    )
    complaints = [
        line
        for line in (found.stdout + found.stderr).splitlines()
        if line.strip() and "/srv/assetmap/.venv/bin/" not in line
    ]
    assert complaints == []


def test_units_run_as_their_own_user_and_write_only_to_their_folders() -> None:
    for path in DEPLOY.glob("*.service"):
        unit = path.read_text()
        for line in (
            "User=assetmap",
            "EnvironmentFile=/etc/assetmap/env",
            "WorkingDirectory=/srv/assetmap",
            "ProtectSystem=strict",
            "ReadWritePaths=/var/lib/assetmap",
            "NoNewPrivileges=true",
            "PrivateTmp=true",
        ):
            assert re.search(rf"^{re.escape(line)}\b", unit, re.MULTILINE), (path.name, line)


def test_the_proxies_let_an_import_through_and_wait_for_it() -> None:
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    nginx = (DEPLOY / "nginx.conf").read_text()
    caddy = (DEPLOY / "Caddyfile").read_text()
    largest_mb = int(re.search(r"client_max_body_size (\d+)m;", nginx)[1])  # type: ignore[index]
    assert largest_mb > DEFAULTS["IMPORT_MAX_MB"]
    assert f"max_size {largest_mb}MB" in caddy
    assert f"proxy_read_timeout {gunicorn['timeout']}s;" in nginx
    assert f"read_timeout {gunicorn['timeout']}s" in caddy
    for header, value in (("For", "$remote_addr"), ("Proto", "$scheme"), ("Host", "$host")):
        assert f"proxy_set_header X-Forwarded-{header} {value};" in nginx
