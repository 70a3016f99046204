"""What browser tests share: the live server, the problems a page met, and axe-core."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page

from assetmap.config import area_bbox
from assetmap.domain.checks import validate_decision, validate_proposal
from assetmap.storage import checks as check_store
from assetmap.storage import users as user_store
from assetmap.web import db

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "correct horse battery"


@dataclass
class LiveServer:
    """The app, serving on a free port of 127.0.0.1 in a thread."""

    app: Flask
    url: str

    def sign_in_as(self, page: Page, email: str, password: str = PASSWORD) -> None:
        """Sign in through the real form."""
        page.goto(f"{self.url}/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)

    def confirm_by_mail(self, page: Page, address: str, password: str) -> None:
        """Follow the confirmation link mailed to ``address``, then sign in as asked."""
        page.goto(self.url + self._mailed_path(address, "/confirm-email/"))
        page.get_by_label("Email address").fill(address)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/sign-in" not in url)

    def _mailed_path(self, address: str, prefix: str) -> str:
        outbox = Path(self.app.config["MAIL_OUTBOX_DIR"])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for path in sorted(outbox.glob("*.eml"), reverse=True):
                message = email.message_from_bytes(path.read_bytes())
                body = message.get_payload(decode=True).decode()
                found = re.search(rf"https?://[^/\s]+({prefix}\S+)", body)
                if message["To"] == address and found:
                    return found.group(1)
            time.sleep(0.05)
        raise AssertionError(f"no mail to {address} with a {prefix} link")

    def add_user(self, email: str, role: str = "resident", password: str = PASSWORD) -> int:
        """Create a user who can sign in."""
        with self.app.app_context(), db.database().session() as session:
            user = user_store.create_user(
                session, email, role=role, display_name=email.split("@")[0]
            )
            user_store.set_password(user, password)
            session.commit()
            return user.id


@dataclass
class Problems:
    """What went wrong while a page was open: failed requests, script errors, CSP refusals."""

    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def axe_violations(page: Page) -> list[str]:
    """Run axe-core on the page and return its violations as readable lines."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


RATIONALE = "The lunch clubs already there cover the need; we will fund them."


def a_check(live_server: LiveServer, *, themes: list[str], publish: bool) -> int:
    """Start a check of the market neighbourhood on these themes, decided not to proceed."""
    with live_server.app.app_context(), db.database().session() as session:
        proposal, _ = validate_proposal(
            {
                "name": "Community kitchen",
                "purpose": "Cook and eat together.",
                "audience": "Everyone",
                "themes": themes,
                "catchment": "neighbourhoods",
                "neighbourhoods": ["frome-market"],
            },
            area=area_bbox(live_server.app.config),
            neighbourhoods=check_store.neighbourhood_areas(session),
        )
        check = check_store.start_check(session, proposal, by=None)
        decision = validate_decision(
            {"kind": "not-proceed", "rationale": RATIONALE, "decided_by": "Panel"},
            found=set(),
            today=dt.date.today(),
        )
        check_store.record_decision(session, check.id, decision, by=None)
        if publish:
            check_store.publish_check(session, check.id, by=None)
        session.commit()
        return check.id
