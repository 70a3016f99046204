"""Open Referral HSDS 3.0 datasets in: organizations become groups, locations become spaces.

A document holds ``organizations``, ``services`` and ``locations`` lists (as assetmap writes
them), or is a list of organizations with their locations inside. An organization is placed at
its first location with a latitude and longitude, or else where its services are (the space a
group meets at); a location of no organization is a space. Themes come from assetmap's own
attributes, or from taxonomy terms named like a theme.

A schedule whose ``freq``, ``byday``, ``opens_at``... make a plain schedule
(``Schedule.from_rule``) becomes one of the strength's schedules, with its ``notes`` as the
free-text note beside them; any other schedule's ``description`` becomes that note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assetmap.domain.i18n import _
from assetmap.domain.schedules import DEFAULT_TIMEZONE, Schedule
from assetmap.domain.vocab import Theme
from assetmap.exchange.hsds import ATTRIBUTE_FIELDS, LISTS
from assetmap.exchange.importing.records import FileProblem, Record

_THEMES = {theme.value: theme.value for theme in Theme} | {
    theme.english.casefold(): theme.value for theme in Theme
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
    services = _list(document, "services")
    _meeting_places(places, services, locations + nested)
    patterns = _patterns(services)
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


def _meeting_places(
    places: dict[str, dict[str, Any]], services: list[Any], locations: list[Any]
) -> None:
    """Place each organization with no location of its own where its services are."""
    by_id = {
        str(loc.get("id")): loc
        for loc in locations
        if isinstance(loc, dict) and loc.get("latitude") is not None
        if loc.get("longitude") is not None
    }
    for service in services:
        if not isinstance(service, dict) or str(service.get("organization_id")) in places:
            continue
        for at in service.get("service_at_locations") or []:
            found = by_id.get(str(at.get("location_id"))) if isinstance(at, dict) else None
            if found is not None:
                places[str(service.get("organization_id"))] = found
                break


@dataclass
class _Times:
    """What a service's or location's schedules say: plain schedules, and a note."""

    schedules: list[Schedule] = field(default_factory=list)
    note: str = ""

    def add(self, item: dict[str, Any]) -> None:
        schedule = read_schedule(item)
        if schedule is not None:
            self.schedules.append(schedule)
            self.note = self.note or str(item.get("notes") or "")
        elif item.get("description") and not self.note:
            self.note = str(item["description"])

    def values(self, field: str) -> dict[str, Any]:
        return {field: self.note} if self.note else {}


def _times(items: Any) -> _Times:
    found = _Times()
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            found.add(item)
    return found


def _patterns(services: list[Any]) -> dict[str, _Times]:
    patterns: dict[str, _Times] = {}
    for service in services:
        if isinstance(service, dict):
            found = patterns.setdefault(str(service.get("organization_id")), _Times())
            for item in service.get("schedules") or []:
                if isinstance(item, dict):
                    found.add(item)
    return patterns


def read_schedule(item: dict[str, Any]) -> Schedule | None:
    """Return the plain schedule an HSDS schedule object says, or None where it says none
    (no ``freq``) or one a plain schedule cannot say (yearly, a count, two weekdays a month)."""
    freq = str(item.get("freq") or "").strip().upper()
    if not freq or not item.get("opens_at"):
        return None
    if any(item.get(name) for name in ("count", "byweekno", "byyearday")):
        return None
    parts = [f"FREQ={freq}", f"INTERVAL={int(item.get('interval') or 1)}"]
    for name in ("byday", "bymonthday", "wkst"):
        if item.get(name):
            parts.append(f"{name.upper()}={str(item[name]).replace(' ', '')}")
    until = item.get("until") or item.get("valid_to")
    extra = _schedule_attributes(item.get("attributes"))
    try:
        if until:
            parts.append(f"UNTIL={dt.date.fromisoformat(str(until)[:10]):%Y%m%d}")
        starts_on = item.get("valid_from") or item.get("dtstart")
        return Schedule.from_rule(
            ";".join(parts),
            start_time=_clock(item["opens_at"]),
            end_time=_clock(item["closes_at"]) if item.get("closes_at") else None,
            starts_on=dt.date.fromisoformat(str(starts_on)[:10]),
            cancelled=[dt.date.fromisoformat(day) for day in extra.get("cancelled", [])],
            timezone=(extra.get("timezone") or [DEFAULT_TIMEZONE])[0],
        )
    except (ValueError, TypeError):
        return None


def _clock(value: Any) -> dt.time:
    """Return "19:30", "19:30:00" or "19:30Z" as a wall-clock time."""
    hour, minute = str(value).strip()[:5].split(":")
    return dt.time(int(hour), int(minute))


def _schedule_attributes(attributes: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for attribute in attributes if isinstance(attributes, list) else []:
        if isinstance(attribute, dict) and attribute.get("link_type") in ("timezone", "cancelled"):
            found.setdefault(attribute["link_type"], []).append(str(attribute.get("value")))
    return found


def _group(
    where: str, org: Any, places: dict[str, dict[str, Any]], patterns: dict[str, _Times]
) -> Record:
    found = Record(where, {})
    if not isinstance(org, dict):
        found.errors["organization"] = _("must be an object")
        return found
    found.source_id = str(org.get("id") or "")
    found.values = {"kind": "group", "title": org.get("name"), **_about(org)}
    found.values.update(_attributes(org.get("attributes")))
    times = patterns.get(found.source_id) or _Times()
    found.values.update(times.values("meeting_pattern"))
    if times.schedules:
        found.schedules = times.schedules
    place = places.get(found.source_id)
    if place is None:
        found.errors["locations"] = _(
            "the organization has no location with a latitude and longitude"
        )
        return found
    found.values.update(lon=place.get("longitude"), lat=place.get("latitude"))
    found.values.update(_access(place))
    return found


def _space(where: str, location: Any) -> Record:
    found = Record(where, {})
    if not isinstance(location, dict):
        found.errors["location"] = _("must be an object")
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
    times = _times(location.get("schedules"))
    found.values.update(times.values("opening_times"))
    if times.schedules:
        found.schedules = times.schedules
    for name in ("lon", "lat"):
        if found.values[name] is None:
            found.errors["longitude" if name == "lon" else "latitude"] = _("is required")
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
