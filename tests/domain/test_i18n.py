"""The domain's words: said in the reader's language, remembered in English, and written in
English for files whoever asked."""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterator

import pytest
from babel import Locale

from assetmap.domain import i18n
from assetmap.domain.schedules import validate_schedule
from assetmap.exchange import hsds

PLACEHOLDER = re.compile(r"(%\(\w+\)[a-z])")


class Shouting(gettext.NullTranslations):
    """A "translation" that shouts every message, so a translated word is plain to see."""

    def gettext(self, message: str) -> str:
        # Placeholders keep their names and types: %(most)d stays %(most)d.
        return "".join(
            part if PLACEHOLDER.fullmatch(part) else part.upper()
            for part in PLACEHOLDER.split(message)
        )

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


@pytest.fixture
def welsh_reader() -> Iterator[None]:
    i18n.install(Shouting, lambda: Locale.parse("cy"))
    try:
        yield
    finally:
        i18n.install(gettext.NullTranslations, lambda: None)


def test_a_message_is_said_in_the_readers_language_and_remembers_its_english(
    welsh_reader: None,
) -> None:
    said = i18n._("at most %(most)d characters", most=120)
    assert said == "AT MOST 120 CHARACTERS"
    assert said.english == "at most 120 characters"
    assert i18n.format_day(dt.date(2027, 2, 5)) == "Dydd Gwener, 5 Chwefror 2027"


def test_in_english_says_everything_in_english_whoever_reads(welsh_reader: None) -> None:
    with i18n.english():
        assert i18n._("Every Monday") == "Every Monday"
        assert i18n.format_day(dt.date(2027, 2, 5)) == "Friday 5 February 2027"
    assert i18n._("Every Monday") == "EVERY MONDAY"


def test_hsds_schedules_are_described_in_english_whoever_exports(welsh_reader: None) -> None:
    schedule = validate_schedule(
        {"frequency": "weekly", "weekdays": "MO", "start_time": "18:00"},
        today=dt.date(2026, 12, 7),
    )
    assert schedule.describe() != "Every Monday, 6pm"
    assert hsds._rule("schedule-1", schedule)["description"] == "Every Monday, 6pm"
    assert i18n._("Every Monday") == "EVERY MONDAY"
