"""The OpenAPI 3.1 document of assetmap's API: every /api route, its parameters and answers.

``PATHS`` describes each route; ``for_app`` keeps the descriptions of the routes the app serves,
so the document never promises a route that is not there. The tests check the reverse: that
every /api route the app serves is described.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from assetmap.domain.assets import (
    ACCESSIBILITY_MAX,
    CAPACITY_MAX,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    FACILITIES_MAX,
    FACILITY_MAX,
    SHORT_TEXT_MAX,
    TAG_MAX,
    TAGS_MAX,
    THEMES_MAX,
    TITLE_MAX,
)
from assetmap.domain.places import PLACE_QUERY_MAX
from assetmap.domain.query import RADIUS_MAX_M, WORDS_MAX
from assetmap.domain.vocab import Kind, ShareMode, Theme

GEOJSON = "application/geo+json"
EXTENSION = "assetmap.openapi"
_RULE_ARGUMENT = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
UNCONFIRMED = {
    "type": "boolean",
    "description": "True where it has not been confirmed as current for a long while "
    "(ASSETMAP_UNCONFIRMED_AFTER_DAYS).",
}
KINDS = [kind.value for kind in Kind]
THEMES = [theme.value for theme in Theme]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# Every strength feature carries these, whether found by a search or read on its own.
_STRENGTH_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "kind": {"type": "string", "enum": KINDS},
    "title": {"type": "string"},
    "themes": {"type": "array", "items": {"type": "string", "enum": THEMES}},
    "last_confirmed": {"type": "string", "format": "date"},
    "unconfirmed": UNCONFIRMED,
    "url": {"type": "string", "description": "The strength's page."},
    "contact": {"type": "string", "description": "Only where the token's holder may see it."},
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
    members["geometry"] = _ref("Point")
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


def _feature(**properties: Any) -> dict[str, Any]:
    """Return the schema of a strength as a GeoJSON feature, with more properties than the
    ones every strength feature carries."""
    return _point_feature(
        _STRENGTH_PROPERTIES | properties,
        ["id", "kind", "title", "themes", "last_confirmed", "url"],
        with_id=True,
    )


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _geojson(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {GEOJSON: {"schema": _ref(schema)}}}


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


def _text(limit: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


BAD_PARAMETER = _error("A parameter is missing or malformed; `field` names it.")
BAD_TOKEN = _error("The Authorization header is malformed, or the token is wrong or revoked.")
NOT_FOUND = _error("No published strength has this id.")
TOO_LARGE = _error("The body is larger than 64 KiB.")
TOO_MANY = _error("Too many changes from this address; try again after Retry-After seconds.")
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
    _text(WORDS_MAX),
)
TOKEN: list[dict[str, list[str]]] = [{"bearerAuth": []}]
OPTIONAL_TOKEN: list[dict[str, list[str]]] = [{}, {"bearerAuth": []}]

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
            "features": {"type": "array", "items": _ref("AssetSummary")},
            "numberReturned": {"type": "integer", "minimum": 0},
            "links": {
                "type": "array",
                "description": "A `next` link while more results follow.",
                "items": _ref("Link"),
            },
        },
    },
    "Asset": _feature(
        description={"type": "string"},
        tags={"type": "array", "items": {"type": "string"}},
        availability={"type": "string"},
        accessibility={"type": "string"},
        share_modes={"type": "array", "items": {"type": "string"}},
        meeting_pattern={"type": "string"},
        welcomes_new_members={"type": ["boolean", "null"]},
        opening_times={"type": "string"},
        capacity={"type": ["integer", "null"]},
        facilities={"type": "array", "items": {"type": "string"}},
        created_at={"type": "string", "format": "date-time"},
        updated_at={"type": "string", "format": "date-time"},
        connections={
            "type": "integer",
            "minimum": 0,
            "description": "How often coaches have connected someone with it.",
        },
        location_generalised={
            "type": "boolean",
            "description": "True where the point is a grid cell's centre, not exact.",
        },
        contact_via_coach={
            "type": "boolean",
            "description": "Only for those who may edit the strength.",
        },
    ),
    "AssetChanges": {
        "type": "object",
        "description": "Fields of a strength; a skill needs share_modes, and kind-specific "
        "fields apply only to their kind.",
        "additionalProperties": False,
        "properties": {
            "kind": {"type": "string", "enum": KINDS},
            "title": {"type": "string", "minLength": 1, "maxLength": TITLE_MAX},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "themes": {
                "type": "array",
                "items": {"type": "string", "enum": THEMES},
                "minItems": 1,
                "maxItems": THEMES_MAX,
            },
            "description": _text(DESCRIPTION_MAX),
            "tags": {"type": "array", "items": _text(TAG_MAX), "maxItems": TAGS_MAX},
            "availability": _text(SHORT_TEXT_MAX),
            "accessibility": _text(ACCESSIBILITY_MAX),
            "contact": _text(CONTACT_MAX),
            "contact_via_coach": {"type": "boolean"},
            "last_confirmed": {"type": "string", "format": "date"},
            "share_modes": {
                "type": "array",
                "items": {"type": "string", "enum": [mode.value for mode in ShareMode]},
            },
            "meeting_pattern": _text(SHORT_TEXT_MAX),
            "welcomes_new_members": {"type": ["boolean", "null"]},
            "opening_times": _text(SHORT_TEXT_MAX),
            "capacity": _nullable({"type": "integer", "minimum": 1, "maximum": CAPACITY_MAX}),
            "facilities": {
                "type": "array",
                "items": _text(FACILITY_MAX),
                "maxItems": FACILITIES_MAX,
            },
        },
    },
    "NewAsset": {
        "allOf": [_ref("AssetChanges"), {"required": ["kind", "title", "lon", "lat", "themes"]}],
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
                "items": {"oneOf": [_ref("MapPoint"), _ref("MapCluster")]},
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
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("NewAsset")}},
        },
        "responses": {
            "201": {
                **_geojson("The strength as stored.", "Asset"),
                "headers": {
                    "Location": {"description": "Its address.", "schema": {"type": "string"}}
                },
            },
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
            "content": {"application/json": {"schema": _ref("AssetChanges")}},
        },
        "responses": {
            "200": _geojson("The strength as changed.", "Asset"),
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
            "204": {"description": "Withdrawn; its history stays."},
            "401": BAD_TOKEN,
            "403": _error("Only the strength's owner or an admin may withdraw it."),
            "404": NOT_FOUND,
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
                    GEOJSON: {"schema": _ref("MapFeatureCollection")},
                    "application/json": {"schema": _ref("MapFeatureCollection")},
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

PATHS: dict[str, dict[str, Any]] = {
    "/api/assets": ASSET_LIST,
    "/api/assets/{asset_id}": ASSET_ITEM,
    "/api/places": PLACES,
    "/api/map/features": MAP_FEATURES,
    "/api/openapi.json": OPENAPI_DOCUMENT,
}


def openapi_path(rule: str) -> str:
    """Return a Flask rule (``/api/assets/<int:asset_id>``) as an OpenAPI path."""
    return _RULE_ARGUMENT.sub(r"{\1}", rule)


def document(paths: set[str] | None = None) -> dict[str, Any]:
    """Return the OpenAPI document, describing ``paths`` only where given."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "assetmap",
            "version": "1",
            "description": "A community's strengths (skills, groups and spaces) as GeoJSON. "
            "Coordinates are longitude, latitude in WGS84; distances are geodesic metres. "
            "Reads are open; writes need a personal API token, made on the account's "
            "API tokens page and sent as `Authorization: Bearer <token>`. Every error is "
            '`{"error": {"status", "message", "field"}}`.',
        },
        "paths": {path: item for path, item in PATHS.items() if paths is None or path in paths},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token.",
                }
            },
        },
    }


def for_app(app: Flask) -> dict[str, Any]:
    """Return the document for the /api routes this app serves (built once per app)."""
    if EXTENSION not in app.extensions:
        served = {
            openapi_path(rule.rule)
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/")
        }
        app.extensions[EXTENSION] = document(served)
    return app.extensions[EXTENSION]  # type: ignore[no-any-return]
