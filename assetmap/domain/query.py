"""What a search asks for, and what it answers with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from assetmap.domain.i18n import _
from assetmap.domain.vocab import Kind, Theme

WORDS_MAX = 200
RADIUS_MAX_M = 100_000.0
LIMIT_MAX = 1000
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclasses.dataclass(frozen=True, slots=True)
class AssetFilter:
    """Which published assets a search keeps: any of ``kinds``, any of ``themes``, all ``words``."""

    kinds: frozenset[Kind] = frozenset()
    themes: frozenset[Theme] = frozenset()
    words: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        kinds: Iterable[str] = (),
        themes: Iterable[str] = (),
        words: str | None = None,
    ) -> AssetFilter:
        """Build a filter from loose strings, raising ValueError naming an unknown kind or theme."""
        return cls(
            kinds=frozenset(_members(Kind, kinds, "kind")),
            themes=frozenset(_members(Theme, themes, "theme")),
            words=split_words(words or ""),
        )


def _members(enum_cls: type[enum.StrEnum], values: Iterable[str], name: str) -> list[Any]:
    out = []
    for value in values:
        for part in str(value).split(","):
            if not part.strip():
                continue
            try:
                out.append(enum_cls(part.strip()))
            except ValueError:
                choices = ", ".join(member.value for member in enum_cls)
                message = _(
                    "%(name)s %(value)s is unknown; choose from %(choices)s",
                    name=name,
                    value=repr(part.strip()),
                    choices=choices,
                )
                raise ValueError(message) from None
    return out


def split_words(text: str) -> tuple[str, ...]:
    """Return the words of a free-text query, lowercased, with punctuation dropped."""
    if len(text) > WORDS_MAX:
        message = _(
            "q must be at most %(most)d characters, got %(got)d", most=WORDS_MAX, got=len(text)
        )
        raise ValueError(message)
    return tuple(dict.fromkeys(word.lower() for word in _WORD.findall(text)))


def check_radius(radius_m: float) -> float:
    """Return the radius as a float, or raise ValueError if it is not in 0..RADIUS_MAX_M."""
    radius = float(radius_m)
    if not 0 < radius <= RADIUS_MAX_M:
        most = format(RADIUS_MAX_M, ".0f")
        message = _(
            "radius must be more than 0 and at most %(most)s metres, got %(got)s",
            most=most,
            got=radius_m,
        )
        raise ValueError(message)
    return radius


def check_limit(limit: int) -> int:
    """Return the limit, or raise ValueError if it is not in 1..LIMIT_MAX."""
    if isinstance(limit, bool) or int(limit) != limit or not 1 <= int(limit) <= LIMIT_MAX:
        message = _(
            "limit must be a whole number from 1 to %(most)d, got %(got)s",
            most=LIMIT_MAX,
            got=limit,
        )
        raise ValueError(message)
    return int(limit)


class AssetSummary(NamedTuple):
    """An asset as a search lists it: public fields only, at its public point.

    A named tuple, not a dataclass: a search answer builds one per result, and a tuple is
    several times cheaper to build.
    """

    id: int
    kind: Kind
    title: str
    themes: tuple[Theme, ...]
    lon: float
    lat: float
    last_confirmed: dt.date
    distance_m: float | None = None


def page_window(page: int, pages: int) -> list[int | None]:
    """Return the page numbers a pager links to: the first, the last and those either side of
    ``page``, in order, with None where some are skipped."""
    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
