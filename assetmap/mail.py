"""Sending mail through the backend the configuration names.

``outbox`` (the default) writes each message as an ``.eml`` file only the app's user can open,
under ``MAIL_OUTBOX_DIR`` (``instance/outbox`` unless set); ``smtp`` hands it to an SMTP server.

A page sends mail with ``send_after_response``: the message goes once the answer has gone, from
a thread of its own, and a failure is logged, never shown. So the answer is the same, and as
quick, whether or not there was mail to send or the mail server was up: a page that mails only
people with an account cannot tell anyone who has one. Tests wait for the thread, so the mail
is there when the answer is.

Mail is written in the language of the person it goes to (``language_of``): the language kept
in their account, else, when they are the person acting (signing up, asking for a reset), the
language of the page they acted on, else British English. ``send_to`` renders the subject and
body in that language (``in_language``) and sends them once the answer has gone.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from babel import Locale, UnknownLocaleError
from flask import Flask, Response, after_this_request, current_app, g, render_template
from flask_babel import force_locale, get_locale

from assetmap.files import private_folder, write_private

EXTENSION = "assetmap.mail"
BACKENDS = ("outbox", "smtp")
# The language of mail to someone who never chose one and is not the person acting.
ENGLISH = "en_GB"


class Recipient(Protocol):
    """Anyone mail goes to: an address, and the language they chose ("" when never chosen)."""

    email: str
    language: str


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
        private_folder(self.folder)
        name = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        write_private(self.folder / name, message.as_bytes())


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


def send_after_response(to: str, subject: str, body: str) -> None:
    """Send a plain-text message once this request's answer has gone; log a failure."""
    pending: list[EmailMessage] | None = g.get("mail_pending")
    if pending is None:
        pending = g.mail_pending = []
        after_this_request(_send_when_closed)
    pending.append(message(to, subject, body, current_app.config["MAIL_FROM"]))


def _send_when_closed(response: Response) -> Response:
    pending: list[EmailMessage] = g.pop("mail_pending", [])
    if response.status_code >= 500 or not pending:
        return response  # the change the mail would tell of was rolled back
    backend: MailBackend = current_app.extensions[EXTENSION]
    g.mail_delivery = delivery = Delivery(backend, pending, current_app.logger)
    response.call_on_close(delivery.start)
    return response


class Delivery:
    """Messages sent from a thread of their own, started once."""

    def __init__(
        self, backend: MailBackend, messages: list[EmailMessage], logger: logging.Logger
    ) -> None:
        self._thread = threading.Thread(
            target=deliver, args=(backend, messages, logger), daemon=True
        )
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start sending, unless already started."""
        with self._lock:
            if not self._started:
                self._started = True
                self._thread.start()

    def finish(self) -> None:
        """Start sending if not yet started, and wait until every message is sent or logged."""
        self.start()
        self._thread.join()


def _deliver_at_teardown(_exc: BaseException | None) -> None:
    """Make sure the request's mail goes, once its answer is final.

    Closing the answer starts the delivery; but an answer replaced by a later hook, or one a
    server never closes, would leave it unsent, so the request's teardown starts it too (it
    starts once). In tests, which read the outbox as soon as they have the answer, the request
    waits until it is sent.
    """
    delivery: Delivery | None = g.pop("mail_delivery", None)
    if delivery is None:
        return
    if current_app.testing:
        delivery.finish()
    else:
        delivery.start()


def deliver(backend: MailBackend, messages: list[EmailMessage], logger: logging.Logger) -> None:
    """Send each message, logging (never raising) any that cannot be sent."""
    for mail in messages:
        try:
            backend.send(mail)
        except Exception:  # noqa: BLE001 - a person has had their answer; tell the operator
            logger.exception("Could not send the mail %r to %s", mail["Subject"], mail["To"])


def language_of(recipient: Recipient | None, acting: bool = False) -> str:
    """Return the locale mail to ``recipient`` is written in: the language kept in their
    account; else, where they are the person acting (``acting``), the current page's; else
    British English."""
    chosen = (getattr(recipient, "language", "") or "").strip()
    if chosen:
        return _locale_name(chosen)
    if acting:
        page = get_locale()
        if page is not None:
            return str(page)
    return ENGLISH


def _locale_name(tag: str) -> str:
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return ENGLISH
    return ENGLISH if locale.language == "en" else str(locale)


@contextmanager
def in_language(locale: str) -> Iterator[None]:
    """Translate and format everything said inside the block in ``locale`` ("cy", "en_GB")."""
    with force_locale(locale):
        yield


def render(
    recipient: Recipient | None, subject: object, template: str, acting: bool = False, **values: Any
) -> tuple[str, str]:
    """Return the subject and body of a mail to ``recipient``, in their language.

    ``subject`` is read as text inside that language, so pass it lazily translated
    (``lazy_gettext("Reset your password", ...)``) or as a callable returning it.
    """
    with in_language(language_of(recipient, acting)):
        said = subject() if callable(subject) else subject
        return str(said), render_template(template, **values)


def send_to(
    recipient: Recipient, subject: object, template: str, acting: bool = False, **values: Any
) -> None:
    """Send ``recipient`` the mail ``template`` makes, in their language, once this answer has
    gone (see ``render`` for the subject)."""
    said, body = render(recipient, subject, template, acting, **values)
    send_after_response(recipient.email, said, body)


def init_app(app: Flask) -> None:
    """Choose the app's mail backend from its configuration."""
    app.extensions[EXTENSION] = backend_from_config(app.config, app.instance_path)
    app.teardown_request(_deliver_at_teardown)
