"""Open Referral HSDS 3.0: groups and spaces as organizations, services and locations.

A group becomes an organization and the service it runs, with a schedule per session; the
service is at the spaces it meets at, or, where it meets at none in the document, at a physical
location of its own. A space becomes a physical location of no organization, with its opening
hours as schedules. Skills are people and have no place in HSDS.

A schedule carries its RFC 5545 parts (``freq``, ``interval``, ``byday``, ``bymonthday``,
``wkst``, ``dtstart``, ``until``), its wall-clock ``opens_at`` and ``closes_at``, its dates of
validity, and ``timezone`` as HSDS has it: a number, the UTC offset in hours at its first
session. The timezone's own name and any cancelled dates, which HSDS has no home for, travel
as attributes, so a schedule read back is the same schedule. Its ``description`` is in words;
its ``notes`` hold the free-text note beside the schedules.

Fields HSDS has no home for (themes, tags, facilities, capacity...) travel as attributes whose
``link_type`` names the assetmap field, so a document read back gives the same strengths. Ids
are UUIDs derived from the asset's id, stable across exports.
"""

from __future__ import annotations

import functools
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import orjson

from assetmap.domain.i18n import english
from assetmap.domain.schedules import Frequency, Schedule
from assetmap.domain.vocab import Theme

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


def uid(*parts: object) -> str:
    """Return a stable UUID for an HSDS object named by ``parts``."""
    return str(uuid.uuid5(NAMESPACE, ":".join(str(part) for part in parts)))


def objects(
    asset: Mapping[str, Any], schedules: Sequence[Schedule] = (), venues: Sequence[int] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Return the HSDS objects for one exported asset (none for a skill), by list name.

    ``schedules`` are the asset's sessions or opening hours; ``venues`` the ids of the spaces
    a group meets at that the same document holds."""
    if asset["kind"] == "group":
        return _group(asset, schedules, venues)
    if asset["kind"] == "space":
        return {"locations": [_space(asset, schedules)]}
    return {}


def location_id(asset_id: int) -> str:
    """Return the id of the physical location of a space, or of a group meeting nowhere known."""
    return uid(asset_id, "location")


def _group(
    asset: Mapping[str, Any], schedules: Sequence[Schedule], venues: Sequence[int]
) -> dict[str, list[dict[str, Any]]]:
    key = asset["id"]
    org_id, service_id, own_id = uid(key, "org"), uid(key, "service"), location_id(key)
    organization = {
        "id": org_id,
        "name": asset["title"],
        "description": asset["description"] or asset["title"],
        "attributes": _attributes(org_id, "organization", asset),
    }
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": org_id,
        "name": asset["title"],
        "description": asset["description"] or asset["title"],
        "status": "active",
        "last_modified": asset["updated_at"],
        "service_at_locations": [
            {"id": at_id, "service_id": service_id, "location_id": place_id}
            for at_id, place_id in _places(key, venues)
        ],
    }
    found = _schedules(key, schedules, asset["meeting_pattern"], service_id=service_id)
    if found:
        service["schedules"] = found
    if venues:
        return {"organizations": [organization], "services": [service]}
    location = _location(asset, own_id)
    location["organization_id"] = org_id
    return {"organizations": [organization], "services": [service], "locations": [location]}


def _places(key: int, venues: Sequence[int]) -> list[tuple[str, str]]:
    """Return the ids of a group's service at each place and of the place: the spaces it meets
    at, or its own location."""
    if not venues:
        return [(uid(key, "service_at_location"), location_id(key))]
    return [(uid(key, "service_at_location", venue), location_id(venue)) for venue in venues]


def _space(asset: Mapping[str, Any], schedules: Sequence[Schedule]) -> dict[str, Any]:
    own_id = location_id(asset["id"])
    location = _location(asset, own_id)
    location["description"] = asset["description"]
    location["attributes"] = _attributes(own_id, "location", asset)
    found = _schedules(asset["id"], schedules, asset["opening_times"], location_id=own_id)
    if found:
        location["schedules"] = found
    return location


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
    found = [_attribute(link_id, entity, "themes", theme) for theme in asset["themes"]]
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
