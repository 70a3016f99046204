"""The components of the OpenAPI document: the schemas of strengths, places and errors."""

from __future__ import annotations

from typing import Any

from assetmap.domain.fields import BY_NAME, FIELDS
from assetmap.domain.limits import SHORT_TEXT_MAX
from assetmap.domain.provenance import Assurer
from assetmap.domain.schedules import (
    CANCELLED_MAX,
    SCHEDULES_MAX,
    WEEKS_OF_MONTH,
    Frequency,
    Weekday,
)
from assetmap.domain.ties import TieKind
from assetmap.domain.vocab import Kind, Theme

UNCONFIRMED = {
    "type": "boolean",
    "description": "True where it has not been confirmed as current for a long while "
    "(ASSETMAP_UNCONFIRMED_AFTER_DAYS).",
}
KINDS = [kind.value for kind in Kind]
THEMES = [theme.value for theme in Theme]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# Every strength feature carries these, whether found by a search or read on its own.
_SUMMARY_FIELDS = ("id", "kind", "title", "themes", "last_confirmed")
_STRENGTH_PROPERTIES: dict[str, Any] = {
    **{name: BY_NAME[name].schema for name in _SUMMARY_FIELDS},
    "unconfirmed": UNCONFIRMED,
    "url": {"type": "string", "description": "The strength's page."},
    "contact": BY_NAME["contact"].schema,
}
# What a strength's own answer carries besides those: the rest of its public fields.
_DETAIL_PROPERTIES = {
    field.name: field.schema
    for field in FIELDS
    if field.public and field.entered and field.type != "coordinate"
    if field.name not in _STRENGTH_PROPERTIES
}

# What a new strength must give, listed first in the changes a request sends.
_NEW_REQUIRED = ["kind", "title", "lon", "lat", "themes"]
_CHANGE_PROPERTIES = {
    name: BY_NAME[name].request
    for name in (*_NEW_REQUIRED, *(f.name for f in FIELDS if f.name not in _NEW_REQUIRED))
    if BY_NAME[name].request is not None
}


def _point_feature(
    properties: dict[str, Any],
    required: list[str],
    *,
    with_id: bool = False,
    forbidden: list[str] | None = None,
) -> dict[str, Any]:
    """Return the schema of a GeoJSON feature at a point with these properties, of which
    ``required`` must be there and ``forbidden`` (as a set) must not."""
    more = {"not": {"required": forbidden}} if forbidden else {}
    members: dict[str, Any] = {"type": {"const": "Feature"}}
    if with_id:
        members["id"] = {"type": "integer"}
    members["geometry"] = ref("Point")
    members["properties"] = {
        "type": "object",
        "required": required,
        **more,
        "properties": properties,
    }
    return {
        "type": "object",
        "required": ["type", *(["id"] if with_id else []), "geometry", "properties"],
        "properties": members,
    }


def _feature(*, required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    """Return the schema of a strength as a GeoJSON feature, with more properties than the
    ones every strength feature carries, of which ``required`` must be there."""
    return _point_feature(
        _STRENGTH_PROPERTIES | properties,
        ["id", "kind", "title", "themes", "last_confirmed", "url", *required],
        with_id=True,
    )


def text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


# When a group meets or a space is open: one repeating session (``Schedule.as_dict``).
_TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3])[:.][0-5][0-9](:00)?$"}
_DATE = {"type": "string", "format": "date"}
_SCHEDULE_FIELDS: dict[str, Any] = {
    "frequency": {"type": "string", "enum": [frequency.value for frequency in Frequency]},
    "weekdays": {
        "type": "array",
        "description": "RFC 5545 day codes: one or more every week or every other week, "
        "one for monthly by weekday, none for monthly by date.",
        "items": {"type": "string", "enum": [day.value for day in Weekday]},
        "maxItems": 7,
    },
    "week_of_month": {
        "type": ["integer", "null"],
        "enum": [*WEEKS_OF_MONTH, None],
        "description": "Monthly by weekday: 1 to 4, or -1 for the last.",
    },
    "day_of_month": {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": 31,
        "description": "Monthly by date; months without that day are skipped.",
    },
    "start_time": {**_TIME, "description": "Local time, such as 19:30."},
    "end_time": {
        "type": ["string", "null"],
        "pattern": _TIME["pattern"],
        "description": "Local time; earlier than the start means the next day.",
    },
    "starts_on": {**_DATE, "description": "The first date; today if not given."},
    "ends_on": {"type": ["string", "null"], "format": "date", "description": "The last date."},
    "cancelled": {
        "type": "array",
        "items": _DATE,
        "maxItems": CANCELLED_MAX,
        "description": "Dates it does not happen.",
    },
    "timezone": {"type": "string", "description": "An IANA timezone; Europe/London if not given."},
}
SCHEDULE = {
    "type": "object",
    "required": [*_SCHEDULE_FIELDS, "rule", "description"],
    "properties": {
        **_SCHEDULE_FIELDS,
        "rule": {"type": "string", "description": "The RFC 5545 RRULE value."},
        "description": {"type": "string", "description": "In words: 'Every Monday, 8pm'."},
    },
}
SCHEDULE_INPUT = {
    "type": "object",
    "description": "A schedule as `Schedule` carries it; `rule` and `description` are "
    "ignored if sent, so a schedule read can be sent back.",
    "required": ["frequency", "start_time"],
    "properties": {
        **_SCHEDULE_FIELDS,
        "rule": {"type": "string"},
        "description": {"type": "string"},
    },
}
SCHEDULES_PROPERTY = {
    "type": "array",
    "items": ref("Schedule"),
    "maxItems": SCHEDULES_MAX,
    "description": "A group's sessions or a space's opening hours (groups and spaces only).",
}


# Where a strength came from and who last assured it (``domain.provenance.Provenance.as_dict``):
# who by their part alone, never who the person is.
_NULLABLE_MOMENT = {"type": ["string", "null"], "format": "date-time"}
PROVENANCE = {
    "type": ["object", "null"],
    "description": "Where it came from and who last assured it (confirmed it is still right, "
    "which is not the same as editing it).",
    "required": ["source", "checked_at", "unlisted_at", "assured_date", "assured_by"],
    "additionalProperties": False,
    "properties": {
        "source": {
            "type": ["string", "null"],
            "description": "The directory, feed or file it was imported from; null where it "
            "was added on this site.",
        },
        "checked_at": {
            **_NULLABLE_MOMENT,
            "description": "When an import last found it in its source.",
        },
        "unlisted_at": {
            **_NULLABLE_MOMENT,
            "description": "Since when its source no longer lists it.",
        },
        "assured_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "When it was last confirmed as right (HSDS `assured_date`).",
        },
        "assured_by": {
            "type": ["string", "null"],
            "enum": [*(assurer.value for assurer in Assurer), None],
            "description": "Who last confirmed it, by their part: its `owner`, a `coach` "
            "(community connector), `staff` (a planner or an admin), or its `source`; null "
            "where nobody known did.",
        },
    },
}


# A public tie to another strength, as ``web/api/views.py: _tie`` names it.
_TIE_PROPERTIES: dict[str, Any] = {
    "tie": {
        "type": "string",
        "enum": [kind.value for kind in TieKind],
        "description": "What the tie says: a group meets at a space, runs things with "
        "another group, or is offered a person's skill.",
    },
    "direction": {
        "type": "string",
        "enum": ["outgoing", "incoming"],
        "description": "`outgoing` where this strength is the tie's first end: the group "
        "that meets at a space, the skill offered to a group.",
    },
    "label": {"type": "string", "description": "How its page names it, as `Meets at`."},
    "id": {"type": "integer", "description": "The other strength's id."},
    "kind": {"type": "string", "enum": KINDS, "description": "The other strength's kind."},
    "title": {"type": "string", "description": "The other strength's title."},
}
_TIE_REQUIRED = list(_TIE_PROPERTIES)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "message": {"type": "string"},
                    "field": {"type": "string", "description": "The parameter at fault."},
                },
            }
        },
    },
    "Point": {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": "Point"},
            "coordinates": {
                "type": "array",
                "description": "Longitude, then latitude (WGS84), as RFC 7946 asks.",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
            },
        },
    },
    "Link": {
        "type": "object",
        "required": ["rel", "href"],
        "properties": {
            "rel": {"type": "string", "enum": ["next"]},
            "type": {"type": "string"},
            "href": {"type": "string"},
        },
    },
    "AssetSummary": _feature(
        distance_m={
            "type": "number",
            "minimum": 0,
            "description": "Geodesic metres from `near` (near searches only).",
        },
    ),
    "AssetCollection": {
        "type": "object",
        "required": ["type", "features", "numberReturned", "links"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": ref("AssetSummary")},
            "numberReturned": {"type": "integer", "minimum": 0},
            "links": {
                "type": "array",
                "description": "A `next` link while more results follow.",
                "items": ref("Link"),
            },
        },
    },
    "Asset": _feature(
        required=("provenance",),
        **_DETAIL_PROPERTIES,
        created_at={"type": "string", "format": "date-time"},
        updated_at=BY_NAME["updated_at"].schema,
        connections={
            "type": "integer",
            "minimum": 0,
            "description": "How often coaches have connected someone with it.",
        },
        location_generalised={
            "type": "boolean",
            "description": "True where the point is a grid cell's centre, not exact.",
        },
        contact_via_coach=BY_NAME["contact_via_coach"].schema,
        provenance=PROVENANCE,
        schedules=SCHEDULES_PROPERTY,
        ties={
            "type": "array",
            "items": ref("Tie"),
            "description": "Its public ties (on a strength's own answer): a skill offered to "
            "a group shows only once the group's owner accepted it.",
        },
    ),
    "Tie": {"type": "object", "required": _TIE_REQUIRED, "properties": _TIE_PROPERTIES},
    "TieCollection": {
        "type": "object",
        "required": ["type", "asset_id", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "asset_id": {"type": "integer", "description": "The strength whose ties these are."},
            "features": {
                "type": "array",
                "items": _point_feature(
                    {**_TIE_PROPERTIES, "url": {"type": "string"}},
                    [*_TIE_REQUIRED, "url"],
                    with_id=True,
                ),
            },
        },
    },
    "AssetChanges": {
        "type": "object",
        "description": "Fields of a strength; a skill needs share_modes, and kind-specific "
        "fields apply only to their kind.",
        "additionalProperties": False,
        "properties": _CHANGE_PROPERTIES,
    },
    "NewAsset": {
        "allOf": [ref("AssetChanges"), {"required": _NEW_REQUIRED}],
    },
    "Schedule": SCHEDULE,
    "ScheduleInput": SCHEDULE_INPUT,
    "Schedules": {
        "type": "object",
        "required": ["schedules", "note"],
        "properties": {
            "schedules": SCHEDULES_PROPERTY,
            "note": {"type": "string", "description": "Anything else about times, in words."},
        },
    },
    "ScheduleChanges": {
        "type": "object",
        "required": ["schedules"],
        "additionalProperties": False,
        "properties": {
            "schedules": {
                "type": "array",
                "items": ref("ScheduleInput"),
                "maxItems": SCHEDULES_MAX,
                "description": "Every schedule it has after the change; [] takes them all off.",
            },
            "note": {
                "type": ["string", "null"],
                **text(SHORT_TEXT_MAX),
                "description": "Replaces the note when given.",
            },
        },
    },
    "PlaceCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {
                "type": "array",
                "items": _point_feature(
                    {
                        "name": {"type": "string"},
                        "kind": {"type": "string", "enum": ["postcode", "place", "street"]},
                    },
                    ["name", "kind"],
                ),
            },
        },
    },
    "MapFeatureCollection": {
        "type": "object",
        "required": ["type", "features", "clustered"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "clustered": {
                "type": "boolean",
                "description": "True when the features are clusters at this zoom.",
            },
            "features": {
                "type": "array",
                "items": {"oneOf": [ref("MapPoint"), ref("MapCluster")]},
            },
        },
    },
    "MapPoint": _point_feature(
        {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": KINDS},
            "title": {"type": "string"},
            "themes": {"type": "array", "items": {"type": "string", "enum": THEMES}},
            "url": {"type": "string"},
        },
        ["id", "kind", "title", "themes", "url"],
        forbidden=["cluster"],
    ),
    "MapCluster": _point_feature(
        {
            "cluster": {"const": True},
            "count": {"type": "integer", "minimum": 1},
            "kinds": {
                "type": "object",
                "required": KINDS,
                "properties": {kind: {"type": "integer", "minimum": 0} for kind in KINDS},
            },
        },
        ["cluster", "count", "kinds"],
    ),
}
