"""Sending mail through the backend the configuration names.

``outbox`` (the default) writes each message as an ``.eml`` file a person can open, under
``MAIL_OUTBOX_DIR`` (``instance/outbox`` unless set); ``smtp`` hands it to an SMTP server.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

EXTENSION = "assetmap.mail"
BACKENDS = ("outbox", "smtp")


class MailBackend(Protocol):
    """Anything that delivers a message."""

    def send(self, message: EmailMessage) -> None:
        """Deliver ``message`` or raise."""


@dataclass(frozen=True)
class OutboxBackend:
    """Write each message to ``folder`` as an ``.eml`` file, newest sorting last."""

    folder: Path

    def send(self, message: EmailMessage) -> None:
        """Write the message to a new file in the outbox."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(message.as_bytes())


@dataclass(frozen=True)
class SmtpBackend:
    """Hand each message to an SMTP server, over STARTTLS where configured."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = True
    timeout_s: float = 30.0

    def send(self, message: EmailMessage) -> None:
        """Connect, secure the connection, sign in if a username is set, and send."""
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as server:
            if self.starttls:
                server.starttls(context=ssl.create_default_context())
            if self.username:
                server.login(self.username, self.password)
            server.send_message(message)


def backend_from_config(config: Mapping[str, Any], instance_path: str) -> MailBackend:
    """Return the backend ``MAIL_BACKEND`` names, or raise ValueError naming the option."""
    name = config["MAIL_BACKEND"]
    if name == "outbox":
        folder = config["MAIL_OUTBOX_DIR"] or Path(instance_path) / "outbox"
        return OutboxBackend(Path(folder))
    if name == "smtp":
        return SmtpBackend(
            host=str(config["SMTP_HOST"]),
            port=int(config["SMTP_PORT"]),
            username=str(config["SMTP_USERNAME"] or ""),
            password=str(config["SMTP_PASSWORD"] or ""),
            starttls=bool(config["SMTP_STARTTLS"]),
        )
    raise ValueError(f"ASSETMAP_MAIL_BACKEND must be one of {', '.join(BACKENDS)}, got {name!r}")


def message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    """Return a plain-text message."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail.set_content(body)
    return mail


def send(to: str, subject: str, body: str) -> None:
    """Send a plain-text message from ``MAIL_FROM`` through the app's backend."""
    backend: MailBackend = current_app.extensions[EXTENSION]
    backend.send(message(to, subject, body, current_app.config["MAIL_FROM"]))


def init_app(app: Flask) -> None:
    """Choose the app's mail backend from its configuration."""
    app.extensions[EXTENSION] = backend_from_config(app.config, app.instance_path)
