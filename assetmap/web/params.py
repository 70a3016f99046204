"""Reading search parameters from a query string: one parser each, one error for bad input.

Each function returns the value a parameter stands for, or raises ``BadParameter`` naming the
parameter and saying what was expected and what arrived. Each surface answers it its own way:
the API and the map's features as the JSON error, pages as a 400 page, forms beside the field.
"""

from __future__ import annotations

from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

from assetmap.domain.geo import BBox, check_lon_lat
from assetmap.domain.query import AssetFilter, check_radius, split_words
from assetmap.domain.vocab import Kind, Theme
from assetmap.storage import clusters

FILTER_ARGS = ("kind", "theme", "q")


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
