"""Reading search and list parameters from a query string: one parser each, one error for bad
input.

Each function returns the value a parameter stands for, or raises ``BadParameter`` naming the
parameter and saying what was expected and what arrived. Each surface answers it its own way:
the API and the map's features as the JSON error, pages as a 400 page, forms beside the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

from assetmap.domain.geo import BBox, check_lon_lat
from assetmap.domain.query import AssetFilter, check_radius, split_words
from assetmap.domain.vocab import Kind, Theme
from assetmap.storage import clusters, listing

FILTER_ARGS = ("kind", "theme", "q")
ORDERS = ("asc", "desc")
PAGE_MAX = 999_999_999
_SORT_ERROR = (
    f"Sort by {', '.join(listing.SORTS[:-1])} or {listing.SORTS[-1]}, in asc or desc order."
)
_LIST_PAGE = re.compile(r"[1-9][0-9]{0,8}")
_RESULTS_PAGE = re.compile(r"[0-9]{1,6}")


class BadParameter(ValueError):
    """A query parameter that cannot be used: which one, and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def asset_filter(args: MultiDict[str, str]) -> AssetFilter:
    """Read ``kind``, ``theme`` and ``q``, naming the first that is wrong."""
    return AssetFilter(
        kinds=kinds(args.getlist("kind")),
        themes=themes(args.getlist("theme")),
        words=words(args.get("q", "")),
    )


def kinds(values: Iterable[str]) -> frozenset[Kind]:
    """Read ``kind``: any of skill, group and space, repeated or comma-separated."""
    try:
        return AssetFilter.parse(kinds=values).kinds
    except ValueError as exc:
        raise BadParameter("kind", str(exc)) from None


def themes(values: Iterable[str]) -> frozenset[Theme]:
    """Read ``theme``: any of the themes, repeated or comma-separated."""
    try:
        return AssetFilter.parse(themes=values).themes
    except ValueError as exc:
        raise BadParameter("theme", str(exc)) from None


def words(text: str) -> tuple[str, ...]:
    """Read ``q``: the words a strength must hold, all of them."""
    try:
        return split_words(text)
    except ValueError as exc:
        raise BadParameter("q", str(exc)) from None


def bbox(text: str) -> BBox:
    """Read ``bbox``: minlon,minlat,maxlon,maxlat in EPSG:4326."""
    try:
        return BBox.parse(text)
    except ValueError as exc:
        raise BadParameter("bbox", f"bbox: {exc}") from None


def required_bbox(text: str | None) -> BBox:
    """Read ``bbox`` where a request must give one."""
    if not text:
        raise BadParameter("bbox", "bbox is required, as minlon,minlat,maxlon,maxlat")
    return bbox(text)


def near(text: str) -> tuple[float, float]:
    """Read ``near``: lon,lat in EPSG:4326."""
    parts = text.split(",")
    if len(parts) != 2:
        raise BadParameter("near", f"near must be lon,lat, got {text[:60]!r}")
    try:
        return check_lon_lat(parts[0].strip(), parts[1].strip())
    except ValueError as exc:
        raise BadParameter("near", f"near must be lon,lat: {exc}") from None


def radius(text: str) -> float:
    """Read ``radius``: metres, more than 0 and at most ``RADIUS_MAX_M``."""
    try:
        value = float(text)
    except ValueError:
        message = f"radius must be a number of metres, got {text[:60]!r}"
        raise BadParameter("radius", message) from None
    try:
        return check_radius(value)
    except ValueError as exc:
        raise BadParameter("radius", str(exc)) from None


def limit(text: str, most: int) -> int:
    """Read ``limit``: a whole number from 1 to ``most``."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {most}, got {text!r}")
    return value


def zoom(text: str | None) -> int:
    """Read ``zoom``: a whole number from 0 to ``clusters.ZOOM_MAX``."""
    if text is None or text == "":
        raise BadParameter(
            "zoom", f"zoom is required, a whole number from 0 to {clusters.ZOOM_MAX}"
        )
    try:
        return clusters.check_zoom(text)
    except ValueError as exc:
        raise BadParameter("zoom", str(exc)) from None


def sort(text: str) -> str:
    """Read ``sort``: the column a list is sorted by, one of ``listing.SORTS``."""
    if text not in listing.SORTS:
        raise BadParameter("sort", _SORT_ERROR)
    return text


def order(text: str) -> str:
    """Read ``order``: asc or desc."""
    if text not in ORDERS:
        raise BadParameter("order", _SORT_ERROR)
    return text


def page(text: str) -> int:
    """Read a list's ``page``: a whole number from 1 to ``PAGE_MAX``, with no leading zero."""
    if not _LIST_PAGE.fullmatch(text):
        message = f"page must be a whole number from 1 to {PAGE_MAX}, got {text!r}"
        raise BadParameter("page", message)
    return int(text)


def results_page(text: str | None) -> int:
    """Read a search's ``page``: the first unless it names another, in at most six digits."""
    if text is None:
        return 1
    if not _RESULTS_PAGE.fullmatch(text) or int(text) < 1:
        message = f"The page must be a whole number from 1, like 2, not ‘{text[:20]}’."
        raise BadParameter("page", message)
    return int(text)
