from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Kind, Theme
from assetmap.web import params
from assetmap.web.params import BadParameter


def test_a_filter_reads_kinds_themes_and_words() -> None:
    args = MultiDict([("kind", "group,space"), ("theme", "sport"), ("q", "Chess, club")])
    found = params.asset_filter(args)
    assert found.kinds == {Kind.GROUP, Kind.SPACE} and found.themes == {Theme.SPORT}
    assert found.words == ("chess", "club")


@pytest.mark.parametrize(
    ("read", "text", "field", "starts"),
    [
        (params.kinds, ["bird"], "kind", "kind 'bird' is unknown"),
        (params.themes, ["weather"], "theme", "theme 'weather' is unknown"),
        (params.bbox, "1,2,3", "bbox", "bbox: "),
        (params.required_bbox, None, "bbox", "bbox is required"),
        (params.near, "1;2", "near", "near must be lon,lat, got '1;2'"),
        (params.near, "200,2", "near", "near must be lon,lat: lon must be between"),
        (params.radius, "far", "radius", "radius must be a number of metres, got 'far'"),
        (params.radius, "0", "radius", "radius must be more than 0"),
        (params.zoom, "", "zoom", "zoom is required"),
        (params.zoom, "40", "zoom", "zoom must be a whole number"),
        (params.sort, "owner", "sort", "Sort by title, kind or confirmed, in asc or desc order."),
        (params.order, "up", "order", "Sort by title, kind or confirmed, in asc or desc order."),
        (params.page, "0", "page", "page must be a whole number from 1 to 999999999, got '0'"),
        (params.page, "01", "page", "page must be a whole number from 1 to 999999999, got '01'"),
        (params.page, "1000000000", "page", "page must be a whole number from 1 to 999999999"),
        (params.results_page, "0", "page", "The page must be a whole number from 1, like 2, not"),
        (params.results_page, "1.5", "page", "The page must be a whole number from 1, like 2"),
        (params.results_page, "1234567", "page", "The page must be a whole number from 1"),
    ],
)
def test_a_bad_parameter_is_named_with_what_was_wrong(
    read: Callable[[Any], object], text: Any, field: str, starts: str
) -> None:
    with pytest.raises(BadParameter) as caught:
        read(text)
    assert caught.value.field == field and caught.value.message.startswith(starts)


def test_a_limit_is_a_whole_number_up_to_the_most_asked() -> None:
    assert params.limit("20", 500) == 20
    with pytest.raises(BadParameter, match="limit must be a whole number from 1 to 500, got '0'"):
        params.limit("0", 500)


def test_a_box_and_a_point_are_read_as_lon_lat() -> None:
    assert params.bbox("-2.4,51.2,-2.3,51.3") == BBox(-2.4, 51.2, -2.3, 51.3)
    assert params.near(" -2.32 , 51.23 ") == (-2.32, 51.23)


def test_a_list_reads_its_sort_order_and_page() -> None:
    assert params.sort("confirmed") == "confirmed" and params.order("desc") == "desc"
    assert params.page("2") == 2 and params.page("999999999") == 999_999_999


def test_a_search_starts_on_the_first_page_unless_it_names_another() -> None:
    assert params.results_page(None) == 1
    assert params.results_page("3") == 3 and params.results_page("02") == 2


def test_a_bad_search_page_quotes_what_arrived_cut_to_twenty_characters() -> None:
    with pytest.raises(BadParameter) as caught:
        params.results_page("x" * 30)
    assert caught.value.message.endswith(f"not ‘{'x' * 20}’.")
