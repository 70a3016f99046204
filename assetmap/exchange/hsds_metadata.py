"""A strength's field changes as HSDS 3.0 ``metadata`` objects.

Each change to a public field becomes one object: when, what sort of change, which field, its
value before and after (as text), and who made it by their part ("owner", "coach", "staff",
"import"), never by name. A change to any other field is left out, whatever is given. Each
object's id is a UUID version 5 named under the id of the object it describes, so it is stable.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

import orjson

from assetmap.domain.provenance import PUBLIC_HISTORY_FIELDS, FieldChange

# HSDS names a change by what it did to the record.
_ACTION_TYPES = {
    "create": "create",
    "update": "update",
    "confirm": "assure",
    "withdraw": "delete",
    "hide": "delete",
    "restore": "update",
}


def metadata_objects(
    resource_id: str, resource_type: str, changes: Sequence[FieldChange]
) -> list[dict[str, Any]]:
    """Return the HSDS metadata objects of ``changes`` to the HSDS object ``resource_id`` (of
    type ``resource_type``: "service", "organization", "location"), a UUID; changes to fields
    not in ``PUBLIC_HISTORY_FIELDS`` are left out."""
    namespace = uuid.UUID(resource_id).bytes
    found = []
    for change in changes:
        if change.field not in PUBLIC_HISTORY_FIELDS:
            continue
        at = change.at.isoformat()
        found.append(
            {
                "id": name_uuid(namespace, f"{at}:{change.action}:{change.field}"),
                "resource_id": resource_id,
                "resource_type": resource_type,
                "last_action_date": at[:10],
                "last_action_type": _ACTION_TYPES.get(change.action, change.action),
                "field_name": change.field,
                "previous_value": _text(change.previous),
                "replacement_value": _text(change.replacement),
                "updated_by": change.by or "unknown",
            }
        )
    return found


def name_uuid(namespace: bytes, name: str) -> str:
    """Return ``uuid.uuid5`` of ``name`` in the namespace whose 16 bytes are ``namespace``, as
    text: the same id, made without building UUID objects (an export makes millions)."""
    digest = bytearray(hashlib.sha1(namespace + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()
