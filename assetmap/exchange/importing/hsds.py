"""Open Referral HSDS 3.0 datasets in: organizations become groups, locations become spaces.

A document holds ``organizations``, ``services`` and ``locations`` lists (as assetmap writes
them), or is a list of organizations with their locations inside. An organization is placed at
its first location with a latitude and longitude; a location of no organization is a space.
Themes come from assetmap's own attributes, or from taxonomy terms named like a theme.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assetmap.domain.vocab import Theme
from assetmap.exchange.hsds import ATTRIBUTE_FIELDS, LISTS
from assetmap.exchange.importing.records import FileProblem, Record

_THEMES = {theme.value: theme.value for theme in Theme} | {
    theme.label.casefold(): theme.value for theme in Theme
}
_REPEATED = frozenset({"tags", "facilities"})


def is_hsds(document: Any) -> bool:
    """Return whether a JSON document looks like an HSDS dataset."""
    if isinstance(document, list):
        return all(isinstance(item, dict) and "name" in item for item in document[:10])
    return isinstance(document, dict) and any(name in document for name in LISTS)


def read_hsds(document: Any) -> Iterator[Record]:
    """Yield a group record per organization and a space record per location of none."""
    if isinstance(document, list):
        document = {"organizations": document}
    organizations = _list(document, "organizations")
    locations = _list(document, "locations")
    nested = [
        loc
        for org in organizations
        if isinstance(org, dict)
        for loc in (org.get("locations") or [])
        if isinstance(loc, dict)
    ]
    places = _places(locations + nested, organizations)
    patterns = _patterns(_list(document, "services"))
    for number, org in enumerate(organizations, start=1):
        yield _group(f"organization {number}", org, places, patterns)
    for number, location in enumerate(locations, start=1):
        if not isinstance(location, dict) or not location.get("organization_id"):
            yield _space(f"location {number}", location)


def _list(document: dict[str, Any], name: str) -> list[Any]:
    items = document.get(name) or []
    if not isinstance(items, list):
        raise FileProblem(name, f"must be a list, got {type(items).__name__}")
    return items


def _places(locations: list[Any], organizations: list[Any]) -> dict[str, dict[str, Any]]:
    places: dict[str, dict[str, Any]] = {}
    for org in organizations:
        for location in (org.get("locations") or []) if isinstance(org, dict) else []:
            if isinstance(location, dict) and org.get("id"):
                location.setdefault("organization_id", org["id"])
    for location in locations:
        if not isinstance(location, dict) or not location.get("organization_id"):
            continue
        has_point = location.get("latitude") is not None and location.get("longitude") is not None
        if has_point:
            places.setdefault(str(location["organization_id"]), location)
    return places


def _patterns(services: list[Any]) -> dict[str, str]:
    patterns: dict[str, str] = {}
    for service in services:
        if not isinstance(service, dict):
            continue
        for schedule in service.get("schedules") or []:
            if isinstance(schedule, dict) and schedule.get("description"):
                patterns.setdefault(str(service.get("organization_id")), schedule["description"])
    return patterns


def _group(
    where: str, org: Any, places: dict[str, dict[str, Any]], patterns: dict[str, str]
) -> Record:
    found = Record(where, {})
    if not isinstance(org, dict):
        found.errors["organization"] = "must be an object"
        return found
    found.source_id = str(org.get("id") or "")
    found.values = {"kind": "group", "title": org.get("name"), **_about(org)}
    found.values.update(_attributes(org.get("attributes")))
    if patterns.get(found.source_id):
        found.values["meeting_pattern"] = patterns[found.source_id]
    place = places.get(found.source_id)
    if place is None:
        found.errors["locations"] = "the organization has no location with a latitude and longitude"
        return found
    found.values.update(lon=place.get("longitude"), lat=place.get("latitude"))
    found.values.update(_access(place))
    return found


def _space(where: str, location: Any) -> Record:
    found = Record(where, {})
    if not isinstance(location, dict):
        found.errors["location"] = "must be an object"
        return found
    found.source_id = str(location.get("id") or "")
    found.values = {
        "kind": "space",
        "title": location.get("name"),
        "lon": location.get("longitude"),
        "lat": location.get("latitude"),
        **_about(location),
        **_access(location),
        **_attributes(location.get("attributes")),
    }
    for schedule in location.get("schedules") or []:
        if isinstance(schedule, dict) and schedule.get("description"):
            found.values["opening_times"] = schedule["description"]
            break
    for name in ("lon", "lat"):
        if found.values[name] is None:
            found.errors["longitude" if name == "lon" else "latitude"] = "is required"
    return found


def _about(item: dict[str, Any]) -> dict[str, Any]:
    description = item.get("description") or ""
    # assetmap writes the name where a group has no description, as HSDS requires one.
    return {"description": "" if description == item.get("name") else description}


def _access(location: dict[str, Any]) -> dict[str, Any]:
    for access in location.get("accessibility") or []:
        if isinstance(access, dict) and access.get("description"):
            return {"accessibility": access["description"]}
    return {}


def _attributes(attributes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"themes": []}
    for attribute in attributes if isinstance(attributes, list) else []:
        if not isinstance(attribute, dict):
            continue
        field, value = attribute.get("link_type"), attribute.get("value")
        term = attribute.get("taxonomy_term") or {}
        if field in _REPEATED:
            values.setdefault(field, []).append(value)
        elif field in ATTRIBUTE_FIELDS:
            values[field] = value
        else:
            theme = _theme(term, value)
            if theme and theme not in values["themes"]:
                values["themes"].append(theme)
    if not values["themes"]:
        del values["themes"]
    return values


def _theme(term: Any, value: Any) -> str | None:
    names = [value] + ([term.get("code"), term.get("name")] if isinstance(term, dict) else [])
    for name in names:
        if isinstance(name, str) and name.strip().casefold() in _THEMES:
            return _THEMES[name.strip().casefold()]
    return None
