from __future__ import annotations

import pytest

from assetmap.domain.query import (
    AssetFilter,
    check_limit,
    check_radius,
    page_window,
    split_words,
)
from assetmap.domain.vocab import Kind, Theme


def test_filter_parses_repeated_and_comma_separated_values() -> None:
    filters = AssetFilter.parse(kinds=["skill,group", "space"], themes=["food"], words="Gardens!")
    assert filters.kinds == {Kind.SKILL, Kind.GROUP, Kind.SPACE}
    assert filters.themes == {Theme.FOOD}
    assert filters.words == ("gardens",)


@pytest.mark.parametrize(
    ("kinds", "themes", "message"),
    [(["robot"], [], "kind 'robot' is unknown"), ([], ["needs"], "theme 'needs' is unknown")],
)
def test_unknown_kind_or_theme_is_named(kinds: list[str], themes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AssetFilter.parse(kinds=kinds, themes=themes)


def test_words_drop_punctuation_and_query_syntax() -> None:
    assert split_words('guitar" OR NEAR(x) *') == ("guitar", "or", "near", "x")


@pytest.mark.parametrize("radius", [0, -5, 100_001])
def test_radius_out_of_range_is_refused(radius: float) -> None:
    with pytest.raises(ValueError, match="radius must be more than 0"):
        check_radius(radius)


@pytest.mark.parametrize("limit", [0, 1001, 2.5, True])
def test_limit_out_of_range_is_refused(limit: object) -> None:
    with pytest.raises(ValueError, match="limit must be a whole number"):
        check_limit(limit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("page", "pages", "window"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (2, 9, [1, 2, 3, None, 9]),
        (9, 9, [1, None, 8, 9]),
    ],
)
def test_a_pager_links_the_ends_and_either_side_of_the_page(
    page: int, pages: int, window: list[int | None]
) -> None:
    assert page_window(page, pages) == window
