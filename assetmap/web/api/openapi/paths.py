"""The paths of the OpenAPI document: each /api route with its parameters and answers."""

from __future__ import annotations

from typing import Any

from assetmap.domain.places import PLACE_QUERY_MAX
from assetmap.domain.query import RADIUS_MAX_M, WORDS_MAX
from assetmap.web.api.openapi.schemas import KINDS, THEMES, ref, text

GEOJSON = "application/geo+json"


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


def _geojson(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {GEOJSON: {"schema": ref(schema)}}}


def _query(name: str, description: str, schema: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **more}


def _repeatable(name: str, values: list[str], what: str) -> dict[str, Any]:
    return _query(
        name,
        f"Keep only strengths of any of these {what}; repeat the parameter for more than one.",
        {"type": "array", "items": {"type": "string", "enum": values}},
        style="form",
        explode=True,
    )


BAD_PARAMETER = _error("A parameter is missing or malformed; `field` names it.")
BAD_TOKEN = _error("The Authorization header is malformed, or the token is wrong or revoked.")
NOT_FOUND = _error("No published strength has this id.")
TOO_LARGE = _error("The body is larger than 64 KiB.")
_SECONDS = {"type": "string", "pattern": "^[0-9]+$"}
# What a write's answer says of its address's rate limit.
RATE_HEADERS = {
    "X-RateLimit-Limit": {
        "description": "Writes an address may make in the window.",
        "schema": _SECONDS,
    },
    "X-RateLimit-Remaining": {"description": "Writes left to this address.", "schema": _SECONDS},
    "X-RateLimit-Reset": {
        "description": "When the window next frees a write, in seconds since 1970 (UTC).",
        "schema": _SECONDS,
    },
}
TOO_MANY = {
    **_error("Too many changes from this address; try again after Retry-After seconds."),
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before the next write.",
            "schema": _SECONDS,
        },
        **RATE_HEADERS,
    },
}
BBOX_PATTERN = r"^-?[0-9]{1,3}(\.[0-9]+)?(,-?[0-9]{1,3}(\.[0-9]+)?){3}$"
ASSET_ID = {
    "name": "asset_id",
    "in": "path",
    "required": True,
    "description": "The strength's id.",
    "schema": {"type": "integer", "minimum": 1},
}
KIND_FILTER = _repeatable("kind", KINDS, "kinds")
THEME_FILTER = _repeatable("theme", THEMES, "themes")
WORDS = _query(
    "q",
    "Words every result must contain (title, description or tags), matched with stemming: "
    "'gardening' finds 'garden' and 'gardens'.",
    text(WORDS_MAX),
)
TOKEN: list[dict[str, list[str]]] = [{"bearerAuth": []}]
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]

ASSET_LIST = {
    "get": {
        "operationId": "listAssets",
        "summary": "Find published strengths near a point or in a box",
        "description": "With `near`, results come nearest first with `distance_m`, and page "
        "through at most the 1,000 nearest. With `bbox`, or neither, they come by id and page "
        "to the end. Follow the `next` link to page on; its cursor is signed, and a changed or "
        "foreign cursor is refused.",
        "security": OPTIONAL_TOKEN,
        "parameters": [
            _query(
                "near",
                "The point to search from, `lon,lat` in WGS84.",
                {"type": "string", "pattern": r"^-?[0-9]{1,3}(\.[0-9]+)?,-?[0-9]{1,2}(\.[0-9]+)?$"},
                example="-2.3213,51.2296",
            ),
            _query(
                "radius",
                "How far from `near` to look, in metres (1,000 unless given).",
                {"type": "number", "exclusiveMinimum": 0, "maximum": RADIUS_MAX_M},
                example=800,
            ),
            _query(
                "bbox",
                "A box `minlon,minlat,maxlon,maxlat` in WGS84; not with `near`.",
                {"type": "string", "pattern": BBOX_PATTERN},
                example="-2.34,51.22,-2.30,51.24",
            ),
            KIND_FILTER,
            THEME_FILTER,
            WORDS,
            _query(
                "limit",
                "Results per page (50 unless given).",
                {"type": "integer", "minimum": 1, "maximum": 500},
            ),
            _query("cursor", "Where the page starts: from a `next` link.", {"type": "string"}),
        ],
        "responses": {
            "200": _geojson("A page of strengths.", "AssetCollection"),
            "400": BAD_PARAMETER,
            "401": BAD_TOKEN,
        },
    },
    "post": {
        "operationId": "createAsset",
        "summary": "Add a strength, owned by the token's holder",
        "security": TOKEN,
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": (
                    "A key the client makes for this strength (a UUID, say), so that sending "
                    "it again (after a lost connection) adds it once: the same key from the "
                    "same token holder answers 200 with the strength the first send added."
                ),
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:~-]{1,64}$"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("NewAsset")}},
        },
        "responses": {
            "201": {
                **_geojson("The strength as stored.", "Asset"),
                "headers": {
                    "Location": {"description": "Its address.", "schema": {"type": "string"}},
                    **RATE_HEADERS,
                },
            },
            "200": {
                **_geojson(
                    "The strength an earlier request with the same Idempotency-Key added.",
                    "Asset",
                ),
                "headers": {
                    "Location": {"description": "Its address.", "schema": {"type": "string"}},
                    **RATE_HEADERS,
                },
            },
            "409": _error("The Idempotency-Key added a strength that has since been erased."),
            "400": _error("A field is refused; `field` names the first, `message` says why."),
            "401": BAD_TOKEN,
            "403": _error("The token's holder may not add strengths."),
            "413": TOO_LARGE,
            "429": TOO_MANY,
        },
    },
}

ASSET_ITEM = {
    "parameters": [ASSET_ID],
    "get": {
        "operationId": "getAsset",
        "summary": "One published strength, with what the token's holder may see",
        "security": OPTIONAL_TOKEN,
        "responses": {
            "200": _geojson("The strength.", "Asset"),
            "401": BAD_TOKEN,
            "404": NOT_FOUND,
        },
    },
    "patch": {
        "operationId": "updateAsset",
        "summary": "Change some fields of a strength (its owner or an admin)",
        "security": TOKEN,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("AssetChanges")}},
        },
        "responses": {
            "200": {**_geojson("The strength as changed.", "Asset"), "headers": RATE_HEADERS},
            "400": _error("A field is refused; `field` names the first, `message` says why."),
            "401": BAD_TOKEN,
            "403": _error("Only the strength's owner or an admin may change it."),
            "404": NOT_FOUND,
            "409": _error("The strength was withdrawn and can't be changed."),
            "413": TOO_LARGE,
            "429": TOO_MANY,
        },
    },
    "delete": {
        "operationId": "withdrawAsset",
        "summary": "Withdraw a strength from every public view (its owner or an admin)",
        "security": TOKEN,
        "responses": {
            "204": {"description": "Withdrawn; its history stays.", "headers": RATE_HEADERS},
            "401": BAD_TOKEN,
            "403": _error("Only the strength's owner or an admin may withdraw it."),
            "404": NOT_FOUND,
            "429": TOO_MANY,
        },
    },
}

ASSET_CONFIRM = {
    "parameters": [ASSET_ID],
    "post": {
        "operationId": "confirmAsset",
        "summary": "Record that a strength is still current today (its owner or an admin)",
        "description": "Sets `last_confirmed` to today's date on the server, the only way it "
        "changes; a strength hidden because nobody confirmed it is shown again.",
        "security": TOKEN,
        "responses": {
            "200": {**_geojson("The strength as confirmed.", "Asset"), "headers": RATE_HEADERS},
            "401": BAD_TOKEN,
            "403": _error("Only the strength's owner or an admin may confirm it."),
            "404": NOT_FOUND,
            "409": _error("The strength was withdrawn and can't be confirmed."),
            "429": TOO_MANY,
        },
    },
}

ASSET_SCHEDULES = {
    "parameters": [ASSET_ID],
    "get": {
        "operationId": "getSchedules",
        "summary": "When a published group meets or a space is open, and the note beside it",
        "security": OPTIONAL_TOKEN,
        "responses": {
            "200": {
                "description": "Its schedules (maybe none) and its note on times.",
                "content": {"application/json": {"schema": ref("Schedules")}},
            },
            "401": BAD_TOKEN,
            "404": _error("No published group or space has this id."),
        },
    },
    "put": {
        "operationId": "putSchedules",
        "summary": "Replace when a group meets or a space is open (its owner, or staff for "
        "its neighbourhood)",
        "description": "All or nothing: a refused schedule changes nothing. A refusal's "
        "`field` names the first field at fault, as `schedules[1].start_time`; its `message` "
        "gives every reason.",
        "security": TOKEN,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ref("ScheduleChanges")}},
        },
        "responses": {
            "200": {
                "description": "Its schedules and note as saved.",
                "content": {"application/json": {"schema": ref("Schedules")}},
                "headers": RATE_HEADERS,
            },
            "400": _error("A field is refused; `field` names the first, `message` says why."),
            "401": BAD_TOKEN,
            "403": _error("Only its owner, or staff for its neighbourhood, may change it."),
            "404": _error("No group or space has this id."),
            "409": _error("The strength was withdrawn and can't be changed."),
            "413": TOO_LARGE,
            "429": TOO_MANY,
        },
    },
}

PLACES = {
    "get": {
        "operationId": "findPlaces",
        "summary": "Look up a postcode, street or place in the gazetteer",
        "parameters": [
            _query(
                "q",
                "What the person typed.",
                {"type": "string", "minLength": 1, "maxLength": PLACE_QUERY_MAX},
                required=True,
            )
        ],
        "responses": {
            "200": _geojson("Matching places, best first (at most 10).", "PlaceCollection"),
            "400": BAD_PARAMETER,
        },
    }
}

MAP_FEATURES = {
    "get": {
        "operationId": "mapFeatures",
        "summary": "What a map shows in a box at a zoom: strengths, or clusters of them",
        "parameters": [
            _query(
                "bbox",
                "The map's box, `minlon,minlat,maxlon,maxlat` in WGS84.",
                {"type": "string", "pattern": BBOX_PATTERN},
                required=True,
            ),
            _query(
                "zoom",
                "The map's zoom level.",
                {"type": "integer", "minimum": 0, "maximum": 22},
                required=True,
            ),
            KIND_FILTER,
            THEME_FILTER,
            WORDS,
        ],
        "responses": {
            "200": {
                "description": "Points, or clusters with counts by kind (`clustered` says which).",
                "content": {
                    GEOJSON: {"schema": ref("MapFeatureCollection")},
                    "application/json": {"schema": ref("MapFeatureCollection")},
                },
            },
            "400": BAD_PARAMETER,
        },
    }
}

OPENAPI_DOCUMENT = {
    "get": {
        "operationId": "openapi",
        "summary": "This document",
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }
}

ASSET_TIES = {
    "parameters": [ASSET_ID],
    "get": {
        "operationId": "getTies",
        "summary": "The strengths a published strength is tied to, at their public points",
        "description": "Public ties only, the same for everyone: a group meeting at a space, "
        "partner groups, and a skill offered to a group once the group's owner accepted it. "
        "A skill is at its public point, as everywhere.",
        "responses": {
            "200": _geojson("The tied strengths (maybe none).", "TieCollection"),
            "404": NOT_FOUND,
        },
    },
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/assets": ASSET_LIST,
    "/api/assets/{asset_id}": ASSET_ITEM,
    "/api/assets/{asset_id}/confirm": ASSET_CONFIRM,
    "/api/assets/{asset_id}/schedules": ASSET_SCHEDULES,
    "/api/assets/{asset_id}/ties": ASSET_TIES,
    "/api/places": PLACES,
    "/api/map/features": MAP_FEATURES,
    "/api/openapi.json": OPENAPI_DOCUMENT,
}
