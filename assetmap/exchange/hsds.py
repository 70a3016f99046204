"""Open Referral HSDS 3.0: groups and spaces as organizations, services and locations.

A group becomes an organization, the service it runs (with its meeting pattern as a schedule)
and a physical location; a space becomes a physical location of no organization. Skills are
people and have no place in HSDS. Fields HSDS has no home for (themes, tags, facilities,
capacity...) travel as attributes whose ``link_type`` names the assetmap field, so a document
read back gives the same strengths. Ids are UUIDs derived from the asset's id, stable across
exports.
"""

from __future__ import annotations

import functools
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any

import orjson

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


def objects(asset: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return the HSDS objects for one exported asset (none for a skill), by list name."""
    if asset["kind"] == "group":
        return _group(asset)
    if asset["kind"] == "space":
        return {"locations": [_space(asset)]}
    return {}


def _group(asset: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    key = asset["id"]
    org_id, service_id, location_id = uid(key, "org"), uid(key, "service"), uid(key, "location")
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
            {
                "id": uid(key, "service_at_location"),
                "service_id": service_id,
                "location_id": location_id,
            }
        ],
    }
    if asset["meeting_pattern"]:
        service["schedules"] = [
            {
                "id": uid(key, "schedule"),
                "service_id": service_id,
                "description": asset["meeting_pattern"],
            }
        ]
    location = _location(asset, location_id)
    location["organization_id"] = org_id
    return {"organizations": [organization], "services": [service], "locations": [location]}


def _space(asset: Mapping[str, Any]) -> dict[str, Any]:
    location_id = uid(asset["id"], "location")
    location = _location(asset, location_id)
    location["description"] = asset["description"]
    location["attributes"] = _attributes(location_id, "location", asset)
    if asset["opening_times"]:
        location["schedules"] = [
            {
                "id": uid(asset["id"], "schedule"),
                "location_id": location_id,
                "description": asset["opening_times"],
            }
        ]
    return location


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
    label = Theme(value).label
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
