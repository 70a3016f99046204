"""The Open Referral UK API's answers, compiled from the HSDS export's own objects.

Each strength's organization, service and locations are ``hsds.objects``, so ids and shapes
agree with the HSDS file; this module only nests them as the API's endpoints answer them
(a service with its organization and each service at a location with its location), flattens
them for lists, and wraps a list in the specification's ``Page``. assetmap's themes are
published as one taxonomy, its terms those the export's attributes name. Skills are people
and have no HSDS objects, so nothing here can give one out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assetmap.domain.vocab import Theme
from assetmap.exchange import hsds
from assetmap.exchange.export import public_asset
from assetmap.storage.openreferral import Records

VERSION = "3.0"
PROFILE = "https://github.com/OpenReferralUK/uk-profile"
THEMES_TAXONOMY_ID = hsds.uid("taxonomy", "themes")
THEMES_TAXONOMY = {
    "id": THEMES_TAXONOMY_ID,
    "name": "assetmap themes",
    "description": "What a community strength is about: the themes people choose when they "
    "add a group or a space to the map.",
    "version": "1",
}
Json = dict[str, Any]


def root(openapi_url: str) -> Json:
    """Return the API's root: the HSDS version and profile it conforms to, and its OpenAPI."""
    return {"version": VERSION, "profile": PROFILE, "openapi_url": openapi_url}


def page(contents: Sequence[Json], total: int, number: int, per_page: int) -> Json:
    """Return ``contents``, the ``number``-th page (from 1) of ``total`` items ``per_page`` at
    a time, in the specification's ``Page``."""
    pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not contents,
        "contents": list(contents),
    }


def flat(item: Mapping[str, Any]) -> Json:
    """Return an object's own one-to-one fields, as a list shows it: no arrays or objects."""
    return {key: value for key, value in item.items() if not isinstance(value, list | dict)}


def minimal(service: Mapping[str, Any]) -> Json:
    """Return a service as ``minimal`` lists it: its id and when it last changed."""
    return {"id": service["id"], "last_modified": service.get("last_modified")}


def theme_terms() -> list[Json]:
    """Return each theme as a taxonomy term of the themes taxonomy, by code."""
    return [_term(theme) for theme in sorted(Theme, key=lambda theme: theme.value)]


def _term(theme: Theme) -> Json:
    return {**hsds._theme_term(theme.value), "taxonomy_id": THEMES_TAXONOMY_ID}


def themes_by_term() -> dict[str, Theme]:
    """Return each theme by the id of its taxonomy term."""
    return {hsds._theme_term(theme.value)["id"]: theme for theme in Theme}


def matching(items: Iterable[Json], words: Sequence[str]) -> list[Json]:
    """Return the items whose name or description holds every word (lowercase)."""
    found = []
    for item in items:
        text = f"{item.get('name', '')} {item.get('description', '')}".lower()
        if all(word in text for word in words):
            found.append(item)
    return found


class Directory:
    """The HSDS objects of the strengths some records hold, each made once, nested as the
    API answers them."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self._made: dict[int, dict[str, list[Json]]] = {}

    def __contains__(self, asset_id: object) -> bool:
        return asset_id in self.records.rows

    def objects(self, asset_id: int) -> dict[str, list[Json]]:
        """Return one strength's HSDS objects, by list name, as the HSDS export holds them."""
        made = self._made.get(asset_id)
        if made is None:
            found = self.records
            asset = public_asset(found.rows[asset_id])
            asset["assured_by"] = found.assured_by.get(asset_id, "")
            made = self._made[asset_id] = hsds.objects(
                asset,
                found.schedules.get(asset_id, ()),
                found.venues.get(asset_id, ()),
                found.changes.get(asset_id, ()),
            )
        return made

    def service(self, asset_id: int, *, organization: bool = True) -> Json:
        """Return a strength's service fully nested: its organization (where ``organization``
        and it has one) and each service at a location with its location."""
        found = self.objects(asset_id)
        service = dict(found["services"][0])
        service["service_at_locations"] = [
            self._located(at) for at in service.get("service_at_locations", [])
        ]
        if organization and found.get("organizations"):
            service["organization"] = found["organizations"][0]
        return service

    def organization(self, asset_id: int, *, full_service: bool = False) -> Json:
        """Return a group's organization with its service: the service's own fields, or fully
        nested where ``full_service``."""
        found = self.objects(asset_id)
        service = self.service(asset_id, organization=False)
        return {
            **found["organizations"][0],
            "services": [service if full_service else flat(service)],
        }

    def located(self, asset_id: int, venue_id: int) -> Json | None:
        """Return a strength's service at one place, nested with its location and the service's
        own fields; None where it is not at that place."""
        wanted = hsds.service_at_location_id(asset_id, venue_id)
        service = self.service(asset_id)
        for at in service["service_at_locations"]:
            if at["id"] == wanted:
                return {**at, "service": flat(service)}
        return None

    def _located(self, at: Mapping[str, Any]) -> Json:
        ref = hsds.parse_id(at.get("location_id"))
        if ref is None or ref.asset_id not in self.records.rows:
            return dict(at)
        for location in self.objects(ref.asset_id).get("locations", []):
            if location["id"] == at["location_id"]:
                return {**at, "location": location}
        return dict(at)
