"""Finding a place by name: the interface every geocoder offers, and how names are compared."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from assetmap.domain.geo import check_lon_lat
from assetmap.domain.i18n import _

PLACE_QUERY_MAX = 100
PLACE_NAME_MAX = 200
# The kinds of place a gazetteer holds, in the order a lookup lists them.
PLACE_KINDS = ("postcode", "place", "street")
# The kinds a point is described by: a street or a place reads better than a postcode.
NAMED = ("street", "place")
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")
# Apostrophes and full stops join what they sit in ("St. John's" is "st johns"); every other
# mark that is not a letter or a digit parts words.
_JOINING = re.compile(r"['’‘ʼ`´.]")
_PARTING = re.compile(r"[^\w\s]|_")
# Common street-type abbreviations, understood as the last word of a query.
_ABBREVIATIONS = {
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "dr": "drive",
    "gdns": "gardens",
    "gr": "grove",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
}


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
    """Return a name as compared: no accents, case, apostrophes or full stops; other
    punctuation a space; single spaces ("St. John's Café" is "st johns cafe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_PARTING.sub(" ", _JOINING.sub("", bare)).split())


def wanted_keys(text: str) -> tuple[str, ...]:
    """Return the keys a query may mean: as typed, and with a last word such as "Rd" spelt out."""
    key = normalise(text)
    words = key.split(" ")
    spelt = _ABBREVIATIONS.get(words[-1]) if len(words) > 1 else None
    return (key, " ".join([*words[:-1], spelt])) if spelt else (key,)


def rank(key: str, wanted: str) -> int | None:
    """Return how well a name's key matches a wanted one: 0 exactly, 1 as its start, 2 at the
    start of a later word, None not at all."""
    if key == wanted:
        return 0
    if key.startswith(wanted):
        return 1
    if f" {wanted}" in f" {key}":
        return 2
    return None


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
        raise ValueError(_("enter a postcode, street or place name"))
    if len(text) > PLACE_QUERY_MAX:
        raise ValueError(
            _(
                "must be at most %(most)d characters, got %(got)d",
                most=PLACE_QUERY_MAX,
                got=len(text),
            )
        )
    if not normalise(text):
        raise ValueError(_("enter a postcode, street or place name, in letters or numbers"))
    return text


def check_place(name: str, kind: str, lon: object, lat: object) -> Place:
    """Return a place to store, or raise ValueError naming the field that is wrong."""
    name = " ".join(name.split())
    if not normalise(name):
        raise ValueError(_("name must have a letter or a number in it"))
    if len(name) > PLACE_NAME_MAX:
        raise ValueError(
            _(
                "name must be at most %(most)d characters, got %(got)d",
                most=PLACE_NAME_MAX,
                got=len(name),
            )
        )
    if kind not in PLACE_KINDS:
        raise ValueError(
            _(
                "kind must be one of %(kinds)s, got %(got)s",
                kinds=", ".join(PLACE_KINDS),
                got=repr(kind),
            )
        )
    return Place(name, kind, *check_lon_lat(lon, lat))
