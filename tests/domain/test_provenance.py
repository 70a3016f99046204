from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from markupsafe import Markup, escape

from assetmap.domain import i18n
from assetmap.domain.provenance import (
    Assurer,
    Provenance,
    assurer_of,
    fresh_share,
    local_day,
    provenance_sentences,
)
from assetmap.domain.vocab import Kind

ADDED = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
HERE = Provenance(
    kind=Kind.GROUP,
    source="",
    created_at=ADDED,
    added_by_owner=True,
    checked_at=None,
    unlisted_at=None,
    assured_on=None,
    assured_by=None,
)
FEED = dataclasses.replace(
    HERE,
    source="Leeds Community Directory",
    added_by_owner=False,
    checked_at=dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.UTC),
)


def said(found: Provenance, **more: Any) -> list[str]:
    return [str(sentence) for sentence in provenance_sentences(found, **more)]


def html_say() -> Callable[..., str]:
    return lambda msgid, **values: escape(i18n._(msgid)) % values


def untranslated(name: str) -> Markup:
    return Markup('<span translate="no">%s</span>') % name


def test_a_group_added_here_by_those_who_run_it_says_so() -> None:
    assert said(HERE) == ["Added on this site on 3 March 2026 by the person or group who runs it."]


def test_a_skill_added_here_names_no_group() -> None:
    assert said(dataclasses.replace(HERE, kind=Kind.SKILL)) == [
        "Added on this site on 3 March 2026 by the person who offers it."
    ]


def test_a_strength_added_here_by_nobody_known_says_only_when() -> None:
    assert said(dataclasses.replace(HERE, added_by_owner=False)) == [
        "Added on this site on 3 March 2026."
    ]


def test_a_strength_from_a_feed_says_where_and_when_it_was_last_found_there() -> None:
    assert said(FEED) == [
        "Added from Leeds Community Directory on 3 March 2026.",
        "Last found there on 6 December 2026.",
    ]


def test_a_strength_its_source_no_longer_lists_says_since_when() -> None:
    gone = dataclasses.replace(FEED, unlisted_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    assert said(gone)[-1] == "Leeds Community Directory no longer lists it (since 1 December 2026)."


def test_a_strength_imported_from_a_file_says_imported_from_the_file() -> None:
    imported = dataclasses.replace(FEED, source="frome-groups.csv", checked_at=None)
    assert said(imported) == ["Imported from frome-groups.csv on 3 March 2026."]


def test_a_source_known_by_a_short_name_is_named_in_full() -> None:
    assert said(dataclasses.replace(FEED, source="osm", checked_at=None)) == [
        "Imported from OpenStreetMap on 3 March 2026."
    ]


@pytest.mark.parametrize(
    ("assurer", "words"),
    [
        (Assurer.OWNER, "by the person or group who added it."),
        (Assurer.COACH, "by a community connector."),
        (Assurer.STAFF, "by council staff."),
        (Assurer.SOURCE, "by the directory it came from."),
    ],
)
def test_who_last_confirmed_it_is_said_by_their_part(assurer: Assurer, words: str) -> None:
    assured = dataclasses.replace(HERE, assured_on=dt.date(2026, 12, 1), assured_by=assurer)
    assert said(assured)[-1] == f"Last confirmed as still current on 1 December 2026 {words}"


def test_a_confirmation_by_nobody_known_says_only_when() -> None:
    assured = dataclasses.replace(HERE, assured_on=dt.date(2026, 12, 1))
    assert said(assured)[-1] == "Last confirmed as still current on 1 December 2026."


def test_a_day_is_the_day_in_the_uk_not_in_utc() -> None:
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    assert local_day(late) == dt.date(2026, 7, 1)
    assert "on 1 July 2026 by" in said(dataclasses.replace(HERE, created_at=late))[0]


def test_a_source_name_with_markup_is_escaped_and_marked_as_not_translated() -> None:
    hostile = dataclasses.replace(FEED, source='<script>alert("x")</script>')
    first = said(hostile, say=html_say(), mark=untranslated)[0]
    assert first == (
        'Added from <span translate="no">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</span>'
        " on 3 March 2026."
    )
    assert "<script>" not in "".join(said(hostile, say=html_say(), mark=untranslated))


def test_the_api_form_is_iso_dates_and_the_assurers_part() -> None:
    assured = dataclasses.replace(
        FEED,
        unlisted_at=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC),
        assured_on=dt.date(2026, 11, 2),
        assured_by=Assurer.SOURCE,
    )
    assert assured.as_dict() == {
        "source": "Leeds Community Directory",
        "checked_at": "2026-12-06T04:00:00+00:00",
        "unlisted_at": "2026-12-01T09:00:00+00:00",
        "assured_date": "2026-11-02",
        "assured_by": "source",
    }


def test_the_api_form_of_a_strength_added_here_has_nulls_for_what_is_not_known() -> None:
    assert HERE.as_dict() == {
        "source": None,
        "checked_at": None,
        "unlisted_at": None,
        "assured_date": None,
        "assured_by": None,
    }


def test_a_stored_assurer_unknown_today_reads_as_nobody() -> None:
    assert assurer_of("coach") is Assurer.COACH
    assert assurer_of("") is None
    assert assurer_of("ann@example.org") is None


@pytest.mark.parametrize(
    ("fresh", "total", "percent"),
    [(21, 50, 42), (0, 3, 0), (3, 3, 100), (1, 3, 33), (2, 3, 67), (1, 8, 13), (0, 0, None)],
)
def test_the_fresh_share_is_a_whole_percentage_half_rounded_up(
    fresh: int, total: int, percent: int | None
) -> None:
    assert fresh_share(fresh, total) == percent
