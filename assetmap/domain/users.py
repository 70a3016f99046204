"""Rules about people who sign in."""

from __future__ import annotations

import re

from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Role

EMAIL_MAX = 254
DISPLAY_NAME_MAX = 100
# Deliberately loose: the only real check of an address is a mail that arrives.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str) -> str:
    """Return the address trimmed and lowercased, or raise ValueError.

    Mail systems in practice ignore case, so one person cannot hold two accounts by it.
    """
    email = (email or "").strip()
    if not email:
        raise ValueError("must not be empty")
    if len(email) > EMAIL_MAX:
        raise ValueError(f"must be at most {EMAIL_MAX} characters, got {len(email)}")
    if not _EMAIL.match(email):
        raise ValueError(f"is not an email address: {email!r}")
    return email.lower()


def check_user(email: str, role: str, display_name: str = "") -> tuple[str, Role, str]:
    """Return a clean ``(email, role, display_name)``, or raise ValidationError per field."""
    errors: dict[str, str] = {}
    clean_email, clean_role = "", Role.RESIDENT
    try:
        clean_email = check_email(email)
    except ValueError as exc:
        errors["email"] = str(exc)
    try:
        clean_role = Role(role)
    except ValueError:
        errors["role"] = f"must be one of {', '.join(r.value for r in Role)}, got {role!r}"
    name = " ".join((display_name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        errors["display_name"] = f"must be at most {DISPLAY_NAME_MAX} characters, got {len(name)}"
    if errors:
        raise ValidationError(errors)
    return clean_email, clean_role, name
