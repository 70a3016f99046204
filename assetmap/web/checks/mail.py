"""Telling people about responses to a published strength check.

Staff hear when a resident responds to a check's decision; the resident hears when staff mark
their response as acted upon. Mail goes once the answer has gone, written in the language the
recipient chose (their account's), else British English (``mail.send_to``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from assetmap import mail
from assetmap.domain.checks import TAKE_PART_LABELS, TakePart
from assetmap.domain.i18n import N_
from assetmap.runtime.links import external_url
from assetmap.storage import checks as store
from assetmap.storage.models import CheckResponse, StrengthCheck
from assetmap.storage.users import get_user
from assetmap.web import db


def _send(user_id: int | None, subject: str, template: str, **values: Any) -> None:
    """Mail the user, if they can be mailed, in their language: ``subject`` is a message with
    a ``name`` value, translated with the body."""
    user = get_user(db.session(), user_id) if user_id else None
    if user is None or user.email.endswith("@invalid"):
        return
    response = values.get("response")
    chosen = response.take_part if isinstance(response, CheckResponse) else ""
    answer = TAKE_PART_LABELS.get(TakePart(chosen)) if chosen in set(TakePart) else chosen
    name = values.get("name", "")
    mail.send_to(user, lambda: _(subject, name=name), template, take_part=answer, **values)


def _link(check: StrengthCheck, response: CheckResponse) -> str:
    return external_url("check_pages.show", check_id=check.id) + f"#response-{response.id}"


def tell_of_response(check: StrengthCheck, response: CheckResponse) -> None:
    """Tell whoever published the check (or else started it) that a resident responded."""
    name = store.current(check).name
    _send(
        check.published_by or check.created_by,
        RESPONDED,
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
        ACTED,
        "checks/acted_email.txt",
        name=name,
        response=response,
        link=_link(check, response),
    )


# The subjects, translated when each mail is written (in its recipient's language).
RESPONDED = N_("A resident has responded to “%(name)s”")
ACTED = N_("Your response to “%(name)s” has been acted upon")
