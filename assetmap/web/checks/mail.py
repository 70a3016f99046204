"""Telling people about responses to a published strength check.

Staff hear when a resident responds to a check's decision; the resident hears when staff mark
their response as acted upon. Mail goes once the answer has gone (``mail.send_after_response``),
written in the language the recipient chose (their account's), else British English.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from assetmap import mail
from assetmap.domain.checks import TakePart
from assetmap.domain.i18n import N_
from assetmap.runtime.links import external_url
from assetmap.storage import checks as store
from assetmap.storage.models import CheckResponse, StrengthCheck
from assetmap.storage.users import get_user
from assetmap.web import db
from assetmap.web.i18n import DEFAULT, LANGUAGES, language_code


def _send(user_id: int | None, subject: tuple[str, str], template: str, **values: object) -> None:
    """Mail the user, if they can be mailed: ``subject`` is a message and its ``name`` value,
    translated with the body into the user's language."""
    user = get_user(db.session(), user_id) if user_id else None
    if user is None or user.email.endswith("@invalid"):
        return
    code = language_code(user.language) or DEFAULT
    with force_locale(str(LANGUAGES[code].locale)):
        message, name = subject
        said = _(message, name=name)
        response = values.get("response")
        chosen = response.take_part if isinstance(response, CheckResponse) else None
        answer = TakePart(chosen).label if chosen in set(TakePart) else (chosen or "")
        body = render_template(template, take_part=answer, **values)
    mail.send_after_response(user.email, said, body)


def _link(check: StrengthCheck, response: CheckResponse) -> str:
    return external_url("check_pages.show", check_id=check.id) + f"#response-{response.id}"


def tell_of_response(check: StrengthCheck, response: CheckResponse) -> None:
    """Tell whoever published the check (or else started it) that a resident responded."""
    name = store.current(check).name
    _send(
        check.published_by or check.created_by,
        (RESPONDED, name),
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
        (ACTED, name),
        "checks/acted_email.txt",
        name=name,
        response=response,
        link=_link(check, response),
    )


# The subjects, translated when each mail is written (in its recipient's language).
RESPONDED = N_("A resident has responded to “%(name)s”")
ACTED = N_("Your response to “%(name)s” has been acted upon")
