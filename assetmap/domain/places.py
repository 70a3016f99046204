"""Finding a place by name: the interface every geocoder offers, and how names are compared."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

PLACE_QUERY_MAX = 100
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")


@dataclass(frozen=True, slots=True)
class Place:
    """A named point (EPSG:4326): a street, a place or a postcode."""

    name: str
    kind: str
    lon: float
    lat: float


class Geocoder(Protocol):
    """Anything that turns what a person typed into places, best match first."""

    def lookup(self, text: str, limit: int = 5) -> list[Place]:
        """Return up to ``limit`` places matching ``text``; raise ValueError for unusable text."""


def normalise(text: str) -> str:
    """Return a name as compared: lowercase, single spaces, no punctuation."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def normalise_postcode(text: str) -> str | None:
    """Return a UK postcode, sector or district in standard form, or None if it is not one."""
    compact = "".join(text.upper().split())
    if match := _FULL.match(compact):
        return f"{match[1]} {match[2]}"
    if _OUTWARD.match(compact):
        return compact
    if match := _SECTOR.match(" ".join(text.upper().split())):
        return f"{match[1]} {match[2]}"
    return None


def check_query(text: str) -> str:
    """Return a place query trimmed, or raise ValueError saying what is wrong with it."""
    text = " ".join((text or "").split())
    if not text:
        raise ValueError("enter a postcode, street or place name")
    if len(text) > PLACE_QUERY_MAX:
        raise ValueError(f"must be at most {PLACE_QUERY_MAX} characters, got {len(text)}")
    return text
