"""Open Referral HSDS 3.0 datasets in: services become groups, locations become spaces.

A document holds ``organizations``, ``services`` and ``locations`` lists, flat (as assetmap
writes them), or nested as an API's full services are (``exchange.feeds.flatten`` makes them
flat first). A service is what a group does (Open Referral UK lists services), so each service
is a group, keyed by the service's id, placed at its first location with a latitude and
longitude, or else at its organization's; one organization running three services gives three
groups. An organization that runs no service listed is a group of its own, keyed by its id.
A space is a location, keyed by its id: one assetmap marked as a space (an attribute ``kind``
valued "space"), or a physical location of no organization that no service is at (a place
listed for itself, not a venue: a directory's venues are often a postcode with no point). A
service marked as a space's own is that space, not a group.
Themes come from assetmap's own attributes, or from taxonomy terms named like a theme. A
service's ``assured_date`` says when its source last assured it (``Record.assured``).

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
# Services a directory no longer runs: not listed, as far as an import is concerned.
_CLOSED = frozenset({"inactive", "defunct"})
# Locations that are no place on a map: where a service is online, or a postal address.
_NOT_PLACES = frozenset({"virtual", "postal"})


def is_hsds(document: Any) -> bool:
    """Return whether a JSON document looks like an HSDS dataset."""
    if isinstance(document, list):
        return all(isinstance(item, dict) and "name" in item for item in document[:10])
    return isinstance(document, dict) and any(name in document for name in LISTS)


def read_hsds(document: Any) -> Iterator[Record]:
    """Yield a group record per service (or organization running none listed) and a space
    record per physical location of no organization.

    ``document`` is flat: its organizations hold no services, its services no organization
    and no locations (``exchange.feeds.flatten`` makes a nested document flat), though an
    organization's own ``locations`` are read where given.
    """
    if isinstance(document, list):
        document = {"organizations": document}
    organizations = _list(document, "organizations")
    locations = _list(document, "locations") + [
        {**loc, "organization_id": loc.get("organization_id") or org.get("id")}
        for org in organizations
        if isinstance(org, dict)
        for loc in (org.get("locations") or [])
        if isinstance(loc, dict)
    ]
    services = _list(document, "services")
    found = _Index(organizations, locations, services)
    for number, service in enumerate(services, start=1):
        if not isinstance(service, dict) or _kind_of(service) != "space":
            yield found.service_group(f"service {number}", service)
    for number, org in enumerate(organizations, start=1):
        if not isinstance(org, dict) or str(org.get("id") or "") not in found.serving:
            yield found.group(f"organization {number}", org)
    for number, location in enumerate(_list(document, "locations"), start=1):
        if _is_space(location, found.venues):
            yield _space(f"location {number}", location, found.assured.get(_id(location)))


def _list(document: dict[str, Any], name: str) -> list[Any]:
    items = document.get(name) or []
    if not isinstance(items, list):
        raise FileProblem(name, f"must be a list, got {type(items).__name__}")
    return items


def _id(item: Any) -> str:
    return str(item.get("id") or "") if isinstance(item, dict) else ""


def _has_point(location: Any) -> bool:
    return (
        isinstance(location, dict)
        and location.get("latitude") is not None
        and location.get("longitude") is not None
    )


def _kind_of(item: dict[str, Any]) -> str:
    """Return the kind assetmap marked an object with ("group", "space"), or ""."""
    for attribute in item.get("attributes") or []:
        if isinstance(attribute, dict) and attribute.get("link_type") == "kind":
            return str(attribute.get("value") or "")
    return ""


def _is_space(location: Any, venues: set[str]) -> bool:
    if not isinstance(location, dict):
        return True
    kind = _kind_of(location)
    if kind:
        return kind == "space"
    if location.get("organization_id") or _id(location) in venues:
        return False
    return str(location.get("location_type") or "physical") not in _NOT_PLACES


def assured_date(value: Any) -> dt.date | None:
    """Return an HSDS ``assured_date`` as a date, or None where it gives none a date can be
    read from."""
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class _Index:
    """A flat document's organizations, located places and services, by id."""

    def __init__(self, organizations: list[Any], locations: list[Any], services: list[Any]):
        self.organizations = {_id(org): org for org in organizations if _id(org)}
        self.places = {_id(loc): loc for loc in locations if _has_point(loc) and _id(loc)}
        # Where an organization is: its first location with a point.
        self.homes: dict[str, dict[str, Any]] = {}
        for loc in locations:
            if _has_point(loc) and loc.get("organization_id"):
                self.homes.setdefault(str(loc["organization_id"]), loc)
        self.serving: set[str] = set()
        self.venues: set[str] = set()
        # When the source last assured each space, by its location's id (its own service's).
        self.assured: dict[str, dt.date | None] = {}
        for service in services:
            if not isinstance(service, dict):
                continue
            self.venues.update(str(at.get("location_id")) for at in _at(service))
            if _kind_of(service) == "space":
                for at in _at(service):
                    self.assured[str(at.get("location_id"))] = assured_date(
                        service.get("assured_date")
                    )
            elif service.get("organization_id"):
                self.serving.add(str(service["organization_id"]))

    def service_group(self, where: str, service: Any) -> Record:
        """Return the group a service is."""
        found = Record(where, {})
        if not isinstance(service, dict):
            found.errors["service"] = _("must be an object")
            return found
        found.source_id = _id(service)
        org = self.organizations.get(str(service.get("organization_id") or "")) or {}
        found.values = {"kind": "group", "title": service.get("name"), **_about(service)}
        found.values.update(_attributes([*_attrs(org), *_attrs(service)]))
        found.assured = assured_date(service.get("assured_date"))
        if str(service.get("status") or "active").casefold() in _CLOSED:
            found.skip = _(
                "the directory says this service is %(status)s", status=service["status"]
            )
            return found
        times = _times(service.get("schedules"))
        found.values.update(times.values("meeting_pattern"))
        found.schedules = times.schedules
        place = next(
            (
                self.places[str(at.get("location_id"))]
                for at in _at(service)
                if str(at.get("location_id")) in self.places
            ),
            self.homes.get(str(service.get("organization_id") or "")),
        )
        if place is None:
            found.errors["locations"] = _(
                "the service has no location with a latitude and longitude"
            )
            return found
        found.values.update(lon=place.get("longitude"), lat=place.get("latitude"))
        found.values.update(_access(place))
        return found

    def group(self, where: str, org: Any) -> Record:
        """Return the group an organization running no service listed is."""
        found = Record(where, {})
        if not isinstance(org, dict):
            found.errors["organization"] = _("must be an object")
            return found
        found.source_id = _id(org)
        found.values = {"kind": "group", "title": org.get("name"), **_about(org)}
        found.values.update(_attributes(_attrs(org)))
        place = self.homes.get(found.source_id)
        if place is None:
            found.errors["locations"] = _(
                "the organization has no location with a latitude and longitude"
            )
            return found
        found.values.update(lon=place.get("longitude"), lat=place.get("latitude"))
        found.values.update(_access(place))
        return found


def _at(service: dict[str, Any]) -> list[dict[str, Any]]:
    at = service.get("service_at_locations") or []
    return [item for item in at if isinstance(item, dict)] if isinstance(at, list) else []


def _attrs(item: dict[str, Any]) -> list[Any]:
    attributes = item.get("attributes") or []
    return attributes if isinstance(attributes, list) else []


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


def _space(where: str, location: Any, assured: dt.date | None = None) -> Record:
    found = Record(where, {}, assured=assured)
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
            if value not in values.setdefault(field, []):
                values[field].append(value)
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
