"""Open Referral HSDS 3.0: groups and spaces as organizations, services and locations.

A group becomes an organization and the service it runs, with a schedule per session; the
service is at the spaces it meets at, or, where it meets at none in the document, at a physical
location of its own. A space becomes a physical location of no organization, with its opening
hours as schedules, and a service of no organization at that location, as the Open Referral UK
API lists services. Every organization, service and location carries an attribute ``kind``
("group" or "space"), so a reader tells a space's own service from a group's. Skills are people
and have no place in HSDS.

Each service is assured (``assured_date``) on the day its strength was last confirmed, and says
who assured it by their part as an attribute ``assured_by``, never by address. Its recent
changes to public fields are its ``metadata`` (``hsds_metadata``), once: a space's location
does not repeat its service's.

A schedule carries its RFC 5545 parts (``freq``, ``interval``, ``byday``, ``bymonthday``,
``wkst``, ``dtstart``, ``until``), its wall-clock ``opens_at`` and ``closes_at``, its dates of
validity, and ``timezone`` as HSDS has it: a number, the UTC offset in hours at its first
session. The timezone's own name and any cancelled dates, which HSDS has no home for, travel
as attributes, so a schedule read back is the same schedule. Its ``description`` is in words;
its ``notes`` hold the free-text note beside the schedules.

Fields HSDS has no home for (themes, tags, facilities, capacity...) travel as attributes whose
``link_type`` names the assetmap field, so a document read back gives the same strengths. Ids
are stable across exports. Those of organizations, services, locations and service_at_locations
are UUID version 8 (RFC 9562) that hold the strength's id, so ``parse_id`` gives the strength back
from one with no lookup; other objects' are UUID version 5 names under ``NAMESPACE``.
"""

from __future__ import annotations

import enum
import functools
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import orjson

from assetmap.domain.i18n import english
from assetmap.domain.provenance import FieldChange
from assetmap.domain.schedules import Frequency, Schedule
from assetmap.domain.vocab import Theme
from assetmap.exchange.hsds_metadata import metadata_objects, name_uuid

NAMESPACE = uuid.UUID("6f0f5d8e-4c1b-5b8e-9a57-2d1c3a9e7b40")
LISTS = ("organizations", "services", "locations")
# Fields carried as attributes, beside themes.
ATTRIBUTE_FIELDS = (
    "tags",
    "facilities",
    "availability",
    "capacity",
    "welcomes_new_members",
    "last_confirmed",
)
_REPEATED = frozenset({"themes", "tags", "facilities"})


_NAMESPACE_BYTES = NAMESPACE.bytes


def uid(*parts: object) -> str:
    """Return a stable UUID for an HSDS object named by ``parts``: ``uuid.uuid5`` under
    ``NAMESPACE`` of the parts joined by colons."""
    return name_uuid(_NAMESPACE_BYTES, ":".join(str(part) for part in parts))


class HsdsRole(enum.StrEnum):
    """What an HSDS object that stands for a strength is."""

    ORGANIZATION = "organization"
    SERVICE = "service"
    LOCATION = "location"
    SERVICE_AT_LOCATION = "service_at_location"


@dataclass(frozen=True)
class HsdsRef:
    """The strength an id of ours stands for, in which role; ``venue_id`` is the space a group's
    service is at (0 for none: everything but a group's service at a space it meets at)."""

    role: HsdsRole
    asset_id: int
    venue_id: int = 0

    @property
    def id(self) -> str:
        """Return the HSDS id this names."""
        return _encode(self.role, self.asset_id, self.venue_id)


# The layout of an id of ours (RFC 9562's UUID version 8): 48 bits of a tag, NAMESPACE's first
# 48, then the version, 12 bits of role, the variant, and 62 bits: the asset's id and a venue's.
_TAG = NAMESPACE.int >> 80
_VERSION, _VARIANT = 8, 0b10
_ID_BITS = 31
_ID_MAX = (1 << _ID_BITS) - 1
_CODES = {
    HsdsRole.ORGANIZATION: 0x001,
    HsdsRole.SERVICE: 0x002,
    HsdsRole.LOCATION: 0x003,
    HsdsRole.SERVICE_AT_LOCATION: 0x004,
}
_ROLES = {code: role for role, code in _CODES.items()}


def _encode(role: HsdsRole, asset_id: int, venue_id: int = 0) -> str:
    if not 0 < asset_id <= _ID_MAX or not 0 <= venue_id <= _ID_MAX:
        raise ValueError(f"ids must be from 1 to {_ID_MAX}, got {asset_id} and {venue_id}")
    value = (_TAG << 80) | (_VERSION << 76) | (_CODES[role] << 64) | (_VARIANT << 62)
    text = f"{value | (asset_id << _ID_BITS) | venue_id:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def organization_id(asset_id: int) -> str:
    """Return the id of the organization of a group."""
    return _encode(HsdsRole.ORGANIZATION, asset_id)


def service_id(asset_id: int) -> str:
    """Return the id of the service of a group or a space."""
    return _encode(HsdsRole.SERVICE, asset_id)


def location_id(asset_id: int) -> str:
    """Return the id of the physical location of a space, or of a group meeting nowhere known."""
    return _encode(HsdsRole.LOCATION, asset_id)


def service_at_location_id(asset_id: int, venue_id: int = 0) -> str:
    """Return the id of a strength's service at a place: a group's at the space ``venue_id`` it
    meets at, or (``venue_id`` 0) at its own location."""
    return _encode(HsdsRole.SERVICE_AT_LOCATION, asset_id, venue_id)


def parse_id(text: object) -> HsdsRef | None:
    """Return the strength and role an id of ours stands for; None for anything else (not a
    UUID in its usual 36-character form, another version or tag, a role or id out of range)."""
    if not isinstance(text, str) or len(text) != 36:
        return None
    try:
        found = uuid.UUID(text)
    except ValueError:
        return None
    value = found.int
    if str(found) != text.lower() or value >> 80 != _TAG:
        return None
    if (value >> 76) & 0xF != _VERSION or (value >> 62) & 0b11 != _VARIANT:
        return None
    role = _ROLES.get((value >> 64) & 0xFFF)
    asset_id, venue_id = (value >> _ID_BITS) & _ID_MAX, value & _ID_MAX
    if role is None or asset_id == 0:
        return None
    if venue_id and role is not HsdsRole.SERVICE_AT_LOCATION:
        return None
    return HsdsRef(role, asset_id, venue_id)


def objects(
    asset: Mapping[str, Any],
    schedules: Sequence[Schedule] = (),
    venues: Sequence[int] = (),
    changes: Sequence[FieldChange] = (),
) -> dict[str, list[dict[str, Any]]]:
    """Return the HSDS objects for one exported asset (none for a skill), by list name.

    ``schedules`` are the asset's sessions or opening hours; ``venues`` the ids of the spaces
    a group meets at that the same document holds; ``changes`` its recent field changes, the
    ``metadata`` of its service."""
    if asset["kind"] == "group":
        return _group(asset, schedules, venues, changes)
    if asset["kind"] == "space":
        return _space(asset, schedules, changes)
    return {}


def _group(
    asset: Mapping[str, Any],
    schedules: Sequence[Schedule],
    venues: Sequence[int],
    changes: Sequence[FieldChange],
) -> dict[str, list[dict[str, Any]]]:
    key = asset["id"]
    org_id = organization_id(key)
    organization = {
        "id": org_id,
        "name": asset["title"],
        "description": asset["description"] or asset["title"],
        "attributes": _attributes(org_id, "organization", asset),
    }
    service = _service(asset, _places(key, venues), changes)
    service["organization_id"] = org_id
    found = _schedules(key, schedules, asset["meeting_pattern"], service_id=service["id"])
    if found:
        service["schedules"] = found
    if venues:
        return {"organizations": [organization], "services": [service]}
    location = _location(asset, location_id(key))
    location["organization_id"] = org_id
    location["attributes"] = [_kind(location["id"], "location", asset)]
    return {"organizations": [organization], "services": [service], "locations": [location]}


def _places(key: int, venues: Sequence[int]) -> list[tuple[str, str]]:
    """Return the ids of a group's service at each place and of the place: the spaces it meets
    at, or its own location."""
    if not venues:
        return [(service_at_location_id(key), location_id(key))]
    return [(service_at_location_id(key, venue), location_id(venue)) for venue in venues]


def _service(
    asset: Mapping[str, Any], places: Sequence[tuple[str, str]], changes: Sequence[FieldChange]
) -> dict[str, Any]:
    """Return the service of a group or a space at ``places`` (pairs of the service's id at
    the place and the place's), assured on ``last_confirmed`` by whom ``assured_by`` says."""
    served = service_id(asset["id"])
    service: dict[str, Any] = {
        "id": served,
        "name": asset["title"],
        "description": asset["description"] or asset["title"],
        "status": "active",
    }
    if asset["last_confirmed"]:
        service["assured_date"] = _text(asset["last_confirmed"])
    service["last_modified"] = asset["updated_at"]
    service["service_at_locations"] = [
        {"id": at_id, "service_id": served, "location_id": place_id} for at_id, place_id in places
    ]
    attributes = [_kind(served, "service", asset)]
    if asset.get("assured_by"):
        attributes.append(_attribute(served, "service", "assured_by", asset["assured_by"]))
    service["attributes"] = attributes
    history = metadata_objects(served, "service", changes)
    if history:
        service["metadata"] = history
    return service


def _space(
    asset: Mapping[str, Any], schedules: Sequence[Schedule], changes: Sequence[FieldChange]
) -> dict[str, list[dict[str, Any]]]:
    key = asset["id"]
    own_id = location_id(key)
    service = _service(asset, [(service_at_location_id(key), own_id)], changes)
    location = _location(asset, own_id)
    location["description"] = asset["description"]
    location["attributes"] = _attributes(own_id, "location", asset)
    found = _schedules(key, schedules, asset["opening_times"], location_id=own_id)
    if found:
        location["schedules"] = found
    return {"services": [service], "locations": [location]}


def _kind(link_id: str, entity: str, asset: Mapping[str, Any]) -> dict[str, Any]:
    """Return the attribute that says which kind of strength an object stands for."""
    return _attribute(link_id, entity, "kind", asset["kind"])


def _schedules(
    key: int, schedules: Sequence[Schedule], note: str | None, **link: str
) -> list[dict[str, Any]]:
    """Return a schedule object per session, each with the note; with no sessions, the note
    alone as a schedule's description (as an export before schedules had)."""
    if not schedules:
        return [{"id": uid(key, "schedule"), **link, "description": note}] if note else []
    found = []
    for position, schedule in enumerate(schedules):
        schedule_id = uid(key, "schedule", position) if position else uid(key, "schedule")
        found.append({"id": schedule_id, **link, **_rule(schedule_id, schedule)})
        if note:
            found[-1]["notes"] = note
    return found


def _rule(schedule_id: str, schedule: Schedule) -> dict[str, Any]:
    """Return a schedule's RFC 5545 parts, times and dates as HSDS names them."""
    weekly = schedule.frequency in (Frequency.WEEKLY, Frequency.FORTNIGHTLY)
    parts: dict[str, Any] = {
        "freq": "WEEKLY" if weekly else "MONTHLY",
        "interval": 2 if schedule.frequency is Frequency.FORTNIGHTLY else 1,
        "wkst": "MO",
    }
    if weekly:
        parts["byday"] = ",".join(day.value for day in schedule.weekdays)
    elif schedule.frequency is Frequency.MONTHLY_BY_WEEKDAY:
        parts["byday"] = f"{schedule.week_of_month}{schedule.weekdays[0].value}"
    else:
        parts["bymonthday"] = str(schedule.day_of_month)
    first = schedule.first_session()
    starts = first.starts if first is not None else schedule.first_start()
    offset = starts.utcoffset()
    parts["opens_at"] = f"{schedule.start_time:%H:%M}"
    if schedule.end_time is not None:
        parts["closes_at"] = f"{schedule.end_time:%H:%M}"
    parts["dtstart"] = starts.date().isoformat()
    parts["valid_from"] = schedule.starts_on.isoformat()
    if schedule.ends_on is not None:
        parts["until"] = parts["valid_to"] = schedule.ends_on.isoformat()
    hours = offset.total_seconds() / 3600 if offset is not None else 0.0
    parts["timezone"] = int(hours) if hours.is_integer() else hours
    with english():
        parts["description"] = schedule.describe()
    extra = [("timezone", schedule.timezone)] + [
        ("cancelled", day.isoformat()) for day in schedule.cancelled
    ]
    parts["attributes"] = [_attribute(schedule_id, "schedule", f, v) for f, v in extra]
    return parts


def _location(asset: Mapping[str, Any], location_id: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": asset["title"],
        "latitude": asset["lat"],
        "longitude": asset["lon"],
    }
    if asset["accessibility"]:
        location["accessibility"] = [
            {
                "id": uid(asset["id"], "accessibility"),
                "location_id": location_id,
                "description": asset["accessibility"],
            }
        ]
    return location


def _attributes(link_id: str, entity: str, asset: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = [_kind(link_id, entity, asset)]
    found += [_attribute(link_id, entity, "themes", theme) for theme in asset["themes"]]
    for field in ATTRIBUTE_FIELDS:
        value = asset.get(field)
        if value is None or value == "" or value == []:
            continue
        values = value if field in _REPEATED else [value]
        found += [_attribute(link_id, entity, field, item) for item in values]
    return found


def _attribute(link_id: str, entity: str, field: str, value: Any) -> dict[str, Any]:
    text = _text(value)
    term = _term(field, text)
    return {
        "id": uid(link_id, field, text),
        "link_id": link_id,
        "link_type": field,
        "link_entity": entity,
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
        "value": text,
    }


def _term(field: str, value: str) -> dict[str, Any]:
    return _theme_term(value) if field == "themes" else _field_term(field)


# Terms are few and shared by many attributes: each is built once.
@functools.lru_cache(maxsize=64)
def _theme_term(value: str) -> dict[str, Any]:
    label = Theme(value).english
    return {
        "id": uid("term", "theme", value),
        "code": value,
        "name": label,
        "description": f"Community strengths about {label.lower()}.",
        "taxonomy": "assetmap themes",
    }


@functools.lru_cache(maxsize=64)
def _field_term(field: str) -> dict[str, Any]:
    return {
        "id": uid("term", field),
        "code": field,
        "name": field.replace("_", " ").capitalize(),
        "description": f"The assetmap field {field}.",
        "taxonomy": "assetmap fields",
    }


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class Spools:
    """Three temporary files, one per HSDS list, joined into one document at the end."""

    def __enter__(self) -> Spools:
        self.files = {name: tempfile.TemporaryFile() for name in LISTS}  # noqa: SIM115
        self.counts = dict.fromkeys(LISTS, 0)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for handle in self.files.values():
            handle.close()

    def add(self, found: Mapping[str, list[dict[str, Any]]]) -> None:
        """Append objects to their lists."""
        for name, items in found.items():
            handle = self.files[name]
            for item in items:
                handle.write(b",\n" if self.counts[name] else b"\n")
                handle.write(orjson.dumps(item))
                self.counts[name] += 1

    def chunks(self) -> Iterator[bytes]:
        """Yield ``{"organizations": [...], "services": [...], "locations": [...]}``."""
        for i, name in enumerate(LISTS):
            yield b'%s"%s":[' % (b"," if i else b"{", name.encode())
            handle = self.files[name]
            handle.seek(0)
            while chunk := handle.read(1 << 20):
                yield chunk
            yield b"\n]"
        yield b"}\n"
