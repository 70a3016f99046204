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
from assetmap.domain.i18n import Text, _
from assetmap.domain.query import AssetFilter, check_radius, split_words
from assetmap.domain.vocab import Kind, Theme
from assetmap.storage import clusters, listing

FILTER_ARGS = ("kind", "theme", "q")
ORDERS = ("asc", "desc")
PAGE_MAX = 999_999_999
_SORT_CHOICES = {"sorts": ", ".join(listing.SORTS[:-1]), "last": listing.SORTS[-1]}
_LIST_PAGE = re.compile(r"[1-9][0-9]{0,8}")
_RESULTS_PAGE = re.compile(r"[0-9]{1,6}")


class BadParameter(ValueError):
    """A query parameter that cannot be used: which one, and why.

    ``message`` is in the reader's language (a ``Text``, which remembers its English); the
    API, which speaks English to programs, answers with ``english``.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message

    @property
    def english(self) -> str:
        """Return the message in English."""
        return english(self.message)


def english(message: object) -> str:
    """Return a message in English: a ``Text``'s English, else the message as it is."""
    return message.english if isinstance(message, Text) else str(message)


def _reason(exc: Exception) -> str:
    """Return an exception's message, keeping a ``Text`` whole (``str()`` would lose its
    English)."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, str) else str(exc)


def words_error(message: str) -> str:
    """Return what a form says of unusable words, from ``words``' message."""
    values = message.values if isinstance(message, Text) else {}
    if "most" in values:
        return _("Words must be at most %(most)s characters", most=values["most"])
    return _("Words %(problem)s", problem=str(message).removeprefix("q "))


def _sort_error() -> str:
    return _("Sort by %(sorts)s or %(last)s, in asc or desc order.", **_SORT_CHOICES)


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
        raise BadParameter("kind", _reason(exc)) from None


def themes(values: Iterable[str]) -> frozenset[Theme]:
    """Read ``theme``: any of the themes, repeated or comma-separated."""
    try:
        return AssetFilter.parse(themes=values).themes
    except ValueError as exc:
        raise BadParameter("theme", _reason(exc)) from None


def words(text: str) -> tuple[str, ...]:
    """Read ``q``: the words a strength must hold, all of them."""
    try:
        return split_words(text)
    except ValueError as exc:
        raise BadParameter("q", _reason(exc)) from None


def bbox(text: str) -> BBox:
    """Read ``bbox``: minlon,minlat,maxlon,maxlat in EPSG:4326."""
    try:
        return BBox.parse(text)
    except ValueError as exc:
        raise BadParameter("bbox", _("bbox: %(problem)s", problem=_reason(exc))) from None


def required_bbox(text: str | None) -> BBox:
    """Read ``bbox`` where a request must give one."""
    if not text:
        raise BadParameter("bbox", _("bbox is required, as minlon,minlat,maxlon,maxlat"))
    return bbox(text)


def near(text: str) -> tuple[float, float]:
    """Read ``near``: lon,lat in EPSG:4326."""
    parts = text.split(",")
    if len(parts) != 2:
        raise BadParameter("near", _("near must be lon,lat, got %(got)s", got=repr(text[:60])))
    try:
        return check_lon_lat(parts[0].strip(), parts[1].strip())
    except ValueError as exc:
        message = _("near must be lon,lat: %(problem)s", problem=_reason(exc))
        raise BadParameter("near", message) from None


def radius(text: str) -> float:
    """Read ``radius``: metres, more than 0 and at most ``RADIUS_MAX_M``."""
    try:
        value = float(text)
    except ValueError:
        message = _("radius must be a number of metres, got %(got)s", got=repr(text[:60]))
        raise BadParameter("radius", message) from None
    try:
        return check_radius(value)
    except ValueError as exc:
        raise BadParameter("radius", _reason(exc)) from None


def limit(text: str, most: int) -> int:
    """Read ``limit``: a whole number from 1 to ``most``."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= most:
        message = _(
            "limit must be a whole number from 1 to %(most)s, got %(got)s",
            most=most,
            got=repr(text),
        )
        raise BadParameter("limit", message)
    return value


def zoom(text: str | None) -> int:
    """Read ``zoom``: a whole number from 0 to ``clusters.ZOOM_MAX``."""
    if text is None or text == "":
        raise BadParameter(
            "zoom", _("zoom is required, a whole number from 0 to %(most)s", most=clusters.ZOOM_MAX)
        )
    try:
        return clusters.check_zoom(text)
    except ValueError as exc:
        raise BadParameter("zoom", _reason(exc)) from None


def sort(text: str) -> str:
    """Read ``sort``: the column a list is sorted by, one of ``listing.SORTS``."""
    if text not in listing.SORTS:
        raise BadParameter("sort", _sort_error())
    return text


def order(text: str) -> str:
    """Read ``order``: asc or desc."""
    if text not in ORDERS:
        raise BadParameter("order", _sort_error())
    return text


def page(text: str) -> int:
    """Read a list's ``page``: a whole number from 1 to ``PAGE_MAX``, with no leading zero."""
    if not _LIST_PAGE.fullmatch(text):
        message = _(
            "page must be a whole number from 1 to %(most)s, got %(got)s",
            most=PAGE_MAX,
            got=repr(text),
        )
        raise BadParameter("page", message)
    return int(text)


def results_page(text: str | None) -> int:
    """Read a search's ``page``: the first unless it names another, in at most six digits."""
    if text is None:
        return 1
    if not _RESULTS_PAGE.fullmatch(text) or int(text) < 1:
        message = _("The page must be a whole number from 1, like 2, not ‘%(got)s’.", got=text[:20])
        raise BadParameter("page", message)
    return int(text)
