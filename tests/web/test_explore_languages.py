"""The front page, search, what's on and a strength's page in the reader's language.

Each page says its words through the catalogue of the language the reader asks for: a tiny
catalogue made here stands in for the shipped ones, so these tests say nothing of how good a
translation is, only that the words marked are the words shown. Days, dates and numbers are
Babel's, in the reader's locale. What an owner wrote keeps its own language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import get_day_names, get_month_names
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain.i18n import _
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.whatson import day_heading
from assetmap.storage.schedules import set_schedules
from assetmap.web import db
from assetmap.web.explore import whatson
from assetmap.web.params import BadParameter, bbox
from assetmap.web.wording import plain
from tests.web.helpers import add_asset, add_at_market, text, write_catalogue

LONDON = ZoneInfo("Europe/London")
# Wednesday 9 December 2026, 10am: a Saturday group meets on the 12th, three days on.
NOW = dt.datetime(2026, 12, 9, 10, 0, tzinfo=LONDON)
SATURDAY = dt.date(2026, 12, 12)
WELSH = {"Accept-Language": "cy"}
AT_MARKET = "where=place&place=Market+Place"
POLISH = {"Accept-Language": "pl"}
# Welsh has six plural forms; each says the count the same way here.
WELSH_FORMS = 6


def welsh(message: str) -> str:
    """Return the stand-in translation of a message: marked, so a test can tell it apart."""
    return f"[cy] {message}"


# Messages of these pages, from templates, the views' Python and the domain's vocabulary.
MESSAGES = (
    "Our community's strengths",
    "On today",
    "Find strengths nearby",
    "Search from",
    "What's on",
    "Show what's on",
    "Food",
    "Today",
    "Where",
    # A refusal the domain says, and the plain form a page shows of one of them.
    "must be a whole number, got %(value)r",
    "must be a whole number, like 12",
    "choose at most %(most)d themes, got %(got)d",
    "The map area in this link can't be used. Open the map and move it to the area you want.",
)
PLURALS = (
    (
        '<span class="counts__number">%(num)s</span> group',
        '<span class="counts__number">%(num)s</span> groups',
    ),
)


def welsh_catalogue(folder: Path) -> Path:
    """Write a Welsh catalogue of ``MESSAGES`` and ``PLURALS`` under ``folder``."""
    messages: dict[str | tuple[str, str], str | tuple[str, ...]] = {
        message: welsh(message) for message in MESSAGES
    }
    for singular, plural in PLURALS:
        messages[singular, plural] = tuple([welsh(plural)] * WELSH_FORMS)
    return write_catalogue(folder, "cy", messages)


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setattr(whatson, "now", lambda: NOW)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "test",
            "BABEL_TRANSLATION_DIRECTORIES": str(welsh_catalogue(tmp_path / "translations")),
        }
    )
    yield app
    db.database(app).dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def meets_on_saturdays(app: Flask, **values: Any) -> int:
    asset_id = add_asset(app, **values)
    rule = {"frequency": "weekly", "weekdays": "SA", "start_time": "09:00", "end_time": None}
    schedule = validate_schedule({"starts_on": "2026-11-02", **rule}, today=NOW.date())
    with app.app_context(), db.database().session() as session:
        set_schedules(session, asset_id, [schedule], by=None)
        session.commit()
    return asset_id


def test_the_front_page_speaks_welsh_once_a_translation_exists(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, title="Cor y dref", themes=["arts"])
    english = client.get("/").get_data(as_text=True)
    assert "Our community's strengths" in english
    assert welsh("Our community") not in english
    page = client.get("/", headers=WELSH).get_data(as_text=True)
    assert '<html lang="cy"' in page
    heading = welsh("Our community's strengths")
    assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in page
    assert welsh("On today") in page
    # A plural message, with its markup, from the Welsh forms.
    assert welsh('<span class="counts__number">1</span> groups') in page


def test_the_front_page_writes_its_counts_in_the_readers_numbers(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, title="Choir")
    page = client.get("/", headers=POLISH).get_data(as_text=True)
    assert '<span class="counts__number">1</span>' in page


def test_search_speaks_welsh_and_keeps_place_names_as_they_are(
    app: Flask, client: FlaskClient
) -> None:
    add_at_market(app)
    page = client.get("/search", headers=WELSH).get_data(as_text=True)
    assert f'<h1 class="govuk-heading-xl">{welsh("Find strengths nearby")}</h1>' in page
    assert welsh("Search from") in page
    found = client.get(f"/search?{AT_MARKET}", headers=WELSH).get_data(as_text=True)
    heading = re.search(r'<h2[^>]*id="results-heading"[^>]*>(.*?)</h2>', found, re.S)
    assert heading, "the search found nothing to head"
    assert '<span translate="no">Market Place</span>' in heading.group(1)


def test_whats_on_speaks_welsh_down_to_its_themes_and_windows(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/whats-on", headers=WELSH).get_data(as_text=True)
    heading = welsh("What's on")
    assert f'<h1 class="govuk-heading-xl">{heading}</h1>' in page
    assert welsh("Show what's on") in page
    # The vocabulary is the domain's, translated when the page reads it.
    assert f'for="theme">{welsh("Food")}</label>' in page
    assert f'for="when">{welsh("Today")}</label>' in page


def test_a_whats_on_day_is_headed_with_polish_day_and_month_names(
    app: Flask, client: FlaskClient
) -> None:
    meets_on_saturdays(app, title="Parkrun", themes=["sport"])
    page = client.get("/whats-on?when=week", headers=POLISH).get_data(as_text=True)
    found = re.findall(r'<h3 class="[^"]*whatson-day__heading[^"]*"[^>]*>(.*?)</h3>', page, re.S)
    headings = [text(heading) for heading in found]
    saturday = get_day_names("wide", locale="pl")[SATURDAY.weekday()]
    december = get_month_names("wide", context="format", locale="pl")[SATURDAY.month]
    assert any(saturday in heading and december in heading for heading in headings), headings
    assert not any("Saturday" in heading or "December" in heading for heading in headings)


def test_a_day_heading_is_in_english_outside_a_request() -> None:
    assert day_heading(SATURDAY, NOW.date()) == "Saturday 12 December"


def test_a_strengths_title_carries_the_language_it_was_written_in(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, title="Côr Meibion", description="Dewch i ganu.", language="cy")
    page = client.get(f"/assets/{asset_id}", headers=POLISH).get_data(as_text=True)
    assert re.search(r'<h1 class="govuk-heading-xl" lang="cy">Côr Meibion</h1>', page)
    assert re.search(r'<p class="govuk-body-l" lang="cy">Dewch i ganu.</p>', page)
    # The page itself is in the reader's language.
    assert '<html lang="pl"' in page


def test_a_strengths_page_shows_the_date_it_was_confirmed_in_the_readers_words(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app, title="Choir", last_confirmed="2026-12-01")
    english = text(client.get(f"/assets/{asset_id}").get_data(as_text=True))
    assert "Last confirmed 1 December 2026" in english
    polish = text(client.get(f"/assets/{asset_id}", headers=POLISH).get_data(as_text=True))
    assert "1 grudnia 2026" in polish


def test_plain_words_are_found_by_the_english_and_said_in_the_readers_language(
    app: Flask,
) -> None:
    with app.test_request_context(headers=WELSH):
        number = _("must be a whole number, got %(value)r", value="six")
        assert number == welsh("must be a whole number, got 'six'")
        assert number.english == "must be a whole number, got 'six'"
        assert plain(number) == welsh("must be a whole number, like 12")
        # With no translation of its plain form, a message is shown as it was said, in Welsh.
        themes = _("choose at most %(most)d themes, got %(got)d", most=3, got=5)
        assert plain(themes) == welsh("choose at most 3 themes, got 5")
        with pytest.raises(BadParameter) as refused:
            bbox("1,2,3")
        assert plain(refused.value.message) == welsh(
            "The map area in this link can't be used. Open the map and move it to the area "
            "you want."
        )
        # The API speaks English to programs, whatever the language of the request.
        assert refused.value.english.startswith("bbox: ")
    with app.test_request_context():
        number = _("must be a whole number, got %(value)r", value="six")
        assert plain(number) == "must be a whole number, like 12"
        assert plain("Capacity must be a whole number, got 'six'") == (
            "Capacity must be a whole number, like 12"
        )
