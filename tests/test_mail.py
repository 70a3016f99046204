from __future__ import annotations

import email
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from assetmap import create_app, mail


def test_outbox_writes_each_message_as_a_file_a_person_can_read(
    tmp_path: Path, sqlite_url: str
) -> None:
    app = create_app({"DATABASE_URL": sqlite_url, "MAIL_OUTBOX_DIR": str(tmp_path / "outbox")})
    with app.app_context():
        mail.send("ann@example.org", "Hello", "A message for Ann.")
        mail.send("bob@example.org", "Hello", "A message for Bob.")
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    first = email.message_from_bytes(files[0].read_bytes())
    assert (first["To"], first["Subject"], first["From"]) == (
        "ann@example.org",
        "Hello",
        "assetmap <no-reply@localhost>",
    )
    assert first.get_payload(decode=True).decode().strip() == "A message for Ann."


def test_outbox_is_in_the_instance_folder_unless_configured(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": sqlite_url})
    with app.app_context():
        mail.send("ann@example.org", "Hello", "Hi")
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


class FakeSMTP:
    """Stands in for smtplib.SMTP, recording what the backend asked of the server."""

    sessions: list[FakeSMTP] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.address = (host, port)
        self.calls: list[str] = []
        self.sent: list[EmailMessage] = []
        FakeSMTP.sessions.append(self)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.calls.append("quit")

    def starttls(self, context: Any) -> None:
        self.calls.append("starttls")

    def login(self, username: str, password: str) -> None:
        self.calls.append(f"login {username} {password}")

    def send_message(self, message: EmailMessage) -> None:
        self.calls.append("send")
        self.sent.append(message)


@pytest.fixture
def fake_smtp(monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    FakeSMTP.sessions = []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def test_smtp_secures_the_connection_signs_in_and_sends(
    sqlite_url: str, fake_smtp: type[FakeSMTP]
) -> None:
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "MAIL_BACKEND": "smtp",
            "MAIL_FROM": "assetmap <hello@assetmap.example>",
            "SMTP_HOST": "mail.example.org",
            "SMTP_PORT": 2525,
            "SMTP_USERNAME": "assetmap",
            "SMTP_PASSWORD": "s3cret",
        }
    )
    with app.app_context():
        mail.send("ann@example.org", "Reset", "Your link")
    (server,) = fake_smtp.sessions
    assert server.address == ("mail.example.org", 2525)
    assert server.calls == ["starttls", "login assetmap s3cret", "send", "quit"]
    assert server.sent[0]["From"] == "assetmap <hello@assetmap.example>"
    assert server.sent[0]["To"] == "ann@example.org"


def test_smtp_without_username_or_starttls_just_sends(
    sqlite_url: str, fake_smtp: type[FakeSMTP]
) -> None:
    app = create_app({"DATABASE_URL": sqlite_url, "MAIL_BACKEND": "smtp", "SMTP_STARTTLS": False})
    with app.app_context():
        mail.send("ann@example.org", "Reset", "Your link")
    assert fake_smtp.sessions[0].calls == ["send", "quit"]


def test_unknown_mail_backend_stops_the_app_naming_the_option(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="ASSETMAP_MAIL_BACKEND must be one of outbox, smtp"):
        create_app({"DATABASE_URL": sqlite_url, "MAIL_BACKEND": "pigeon"})
