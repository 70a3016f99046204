"""Spotting contact details in free text, where a person's phone number or email address has
no place (a coach's note on a connection, for one)."""

from __future__ import annotations

import re

from assetmap.domain.i18n import _

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with the separators people type inside phone numbers: spaces, dots, hyphens,
# brackets and a leading plus. It counts as a phone number when it holds 10 to 13 digits, as
# UK numbers do with or without +44; dates, years and house numbers hold fewer.
_DIGITS = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s.()-]{0,2}\d){6,16}(?!\w)")
PHONE_DIGITS = range(10, 14)


def has_phone_number(text: str) -> bool:
    """Return whether ``text`` holds something written like a phone number."""
    for match in _DIGITS.finditer(text):
        if sum(char.isdigit() for char in match.group()) in PHONE_DIGITS:
            return True
    return False


def has_email_address(text: str) -> bool:
    """Return whether ``text`` holds something written like an email address."""
    return EMAIL.search(text) is not None


def contact_details_in(text: str) -> list[str]:
    """Return what kinds of contact detail ``text`` holds, as words: "a phone number",
    "an email address", or none."""
    found: list[str] = []
    if has_phone_number(text):
        found.append(_("a phone number"))
    if has_email_address(text):
        found.append(_("an email address"))
    return found
