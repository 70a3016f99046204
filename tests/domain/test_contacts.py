from __future__ import annotations

import pytest

from assetmap.domain.contacts import contact_details_in, has_email_address, has_phone_number


@pytest.mark.parametrize(
    "text",
    [
        "Mrs Jones at 12 High Street, 07700 900111",
        "ring 07700900111 after 6",
        "+44 7700 900111",
        "+44 (0)7700 900111",
        "(01373) 462 000",
        "01373-462-000",
        "020 7946 0018",
        "0117 496 0123.",
    ],
)
def test_a_phone_number_is_spotted(text: str) -> None:
    assert has_phone_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mrs Jones at 12 High Street",
        "met on 2026-11-02 at 10.30",
        "wants to sing; came 3 times in 2025",
        "a lift for 2 people, 14 miles",
        "BA11 1AA",
    ],
)
def test_numbers_that_are_not_a_phone_number_are_left_alone(text: str) -> None:
    assert not has_phone_number(text)


@pytest.mark.parametrize(
    "text", ["write to jo.jones+choir@example.org", "Jo@mail.co.uk", "(ann_b@frome-town.example)"]
)
def test_an_email_address_is_spotted(text: str) -> None:
    assert has_email_address(text)


@pytest.mark.parametrize("text", ["wants to sing @ the choir", "meet at the café", "a@b"])
def test_text_that_is_not_an_email_address_is_left_alone(text: str) -> None:
    assert not has_email_address(text)


def test_contact_details_are_named_in_words() -> None:
    found = contact_details_in("Jo, 07700 900111 or jo@example.org")
    assert found == ["a phone number", "an email address"]
    assert contact_details_in("wants to sing in a choir") == []
