from __future__ import annotations

import pytest

from assetmap.domain.errors import ValidationError
from assetmap.domain.users import check_email, check_user
from assetmap.domain.vocab import Role


def test_email_is_trimmed_and_lowercased() -> None:
    assert check_email("  Sam.Jones@Example.ORG ") == "sam.jones@example.org"


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.org", "sp ace@example.org"])
def test_bad_email_is_refused(email: str) -> None:
    with pytest.raises(ValueError):
        check_email(email)


def test_unknown_role_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        check_user("a@example.org", "mayor")
    assert caught.value.errors == {
        "role": "must be one of resident, coach, planner, admin, got 'mayor'"
    }


def test_valid_user() -> None:
    assert check_user("a@example.org", "coach", " Ann  Lee ") == (
        "a@example.org",
        Role.COACH,
        "Ann Lee",
    )
