"""Telling people about responses to a published strength check.

Staff hear when a resident responds to a check's decision; the resident hears when staff mark
their response as acted upon. Mail goes once the answer has gone (``mail.send_after_response``).
"""

from __future__ import annotations

from flask import render_template

from assetmap import mail
from assetmap.runtime.links import external_url
from assetmap.storage import checks as store
from assetmap.storage.models import CheckResponse, StrengthCheck
from assetmap.storage.users import get_user
from assetmap.web import db


def _send(user_id: int | None, subject: str, template: str, **values: object) -> None:
    user = get_user(db.session(), user_id) if user_id else None
    if user is None or user.email.endswith("@invalid"):
        return
    mail.send_after_response(user.email, subject, render_template(template, **values))


def _link(check: StrengthCheck, response: CheckResponse) -> str:
    return external_url("check_pages.show", check_id=check.id) + f"#response-{response.id}"


def tell_of_response(check: StrengthCheck, response: CheckResponse) -> None:
    """Tell whoever published the check (or else started it) that a resident responded."""
    name = store.current(check).name
    _send(
        check.published_by or check.created_by,
        f"A resident has responded to “{name}”",
        "checks/response_email.txt",
        name=name,
        response=response,
        link=_link(check, response),
    )


def tell_of_action(check: StrengthCheck, response: CheckResponse) -> None:
    """Tell the resident who responded that their response was acted upon, and how."""
    name = store.current(check).name
    _send(
        response.user_id,
        f"Your response to “{name}” has been acted upon",
        "checks/acted_email.txt",
        name=name,
        response=response,
        link=_link(check, response),
    )
