"""The paths of the Open Referral UK API (HSDS 3.0) under /openreferral/, for the OpenAPI
document: each route with its parameters and answers, after the specification's own OpenAPI.

Objects are described by the HSDS 3.0 schema they follow (linked, not copied); a list is the
specification's ``Page``.
"""

from __future__ import annotations

from typing import Any

from assetmap.domain.query import RADIUS_MAX_M, WORDS_MAX
from assetmap.web.api.openapi.schemas import ref, text

HSDS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PER_PAGE_MAX = 500
PAGE_MAX = 999_999_999
_UUID = {"type": "string", "format": "uuid"}
# An id the API gave out is a UUID; anything else is simply not found.
ID = {"type": "string", "minLength": 1, "maxLength": 100}
_ERROR = {"content": {"application/json": {"schema": ref("Error")}}}
BAD_PARAMETER = {"description": "A parameter is malformed; `field` names it.", **_ERROR}
NOT_FOUND = {"description": "Nothing this API publishes has this id.", **_ERROR}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _flag(name: str, description: str) -> dict[str, Any]:
    return _query(name, description, {"type": "string", "enum": ["true", "false", "1", "0"]})


SEARCH = _query(
    "search", "Words every result must contain, matched with stemming.", text(WORDS_MAX)
)
PAGE = _query("page", "The page, from 1.", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX})
PER_PAGE = _query(
    "per_page",
    "How many items a page holds (50 unless given).",
    {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX},
)
FORMAT = _query("format", "Only `json` is served.", {"type": "string", "enum": ["json"]})
TERM = _query("taxonomy_term_id", "Keep those with this theme's term.", _UUID)
TAXONOMY = _query("taxonomy_id", "Keep those with any term of this taxonomy.", _UUID)
ORGANIZATION = _query("organization_id", "Keep the services of this organization.", _UUID)
MODIFIED_AFTER = _query(
    "modified_after",
    "Keep those changed at or after this ISO 8601 date or date and time (UTC unless given).",
    {"type": "string", "minLength": 10, "maxLength": 40},
)
FULL = _flag("full", "Give each item fully nested.")
FULL_SERVICE = _flag("full_service", "Give each organization's services fully nested.")
MINIMAL = _flag("minimal", "Give each service's `id` and `last_modified` alone.")
POSTCODE = _query(
    "postcode",
    "A UK postcode, sector or district in this register's gazetteer: places come nearest its "
    "point first.",
    {"type": "string", "maxLength": 20},
)
PROXIMITY = _query(
    "proximity",
    "Keep places within this many geodesic metres of the postcode's point.",
    {"type": "number", "exclusiveMinimum": 0, "maximum": RADIUS_MAX_M},
)
LISTED = [SEARCH, PAGE, PER_PAGE, FORMAT]


def _object(name: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id"],
        "properties": {"id": _UUID},
        "description": f"{description} It follows HSDS 3.0's `{name}` schema: {HSDS}{name}.json",
    }


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page(name: str, description: str) -> dict[str, Any]:
    return _json(
        description,
        {"allOf": [ref("OpenReferralPage")], "properties": {"contents": {"items": ref(name)}}},
    )


def _list(operation: str, summary: str, item: str, *parameters: dict[str, Any]) -> Any:
    return {
        "get": {
            "operationId": operation,
            "summary": summary,
            "tags": ["Open Referral UK"],
            "parameters": [*LISTED, *parameters],
            "responses": {"200": _page(item, summary), "400": BAD_PARAMETER},
        }
    }


def _item(operation: str, summary: str, item: str, *parameters: dict[str, Any]) -> Any:
    return {
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": ID}],
        "get": {
            "operationId": operation,
            "summary": summary,
            "tags": ["Open Referral UK"],
            "parameters": list(parameters),
            "responses": {
                "200": _json(summary, ref(item)),
                **({"400": BAD_PARAMETER} if parameters else {}),
                "404": NOT_FOUND,
            },
        },
    }


ROOT_SCHEMA = ref("OpenReferralRoot")
ROOT = {
    "get": {
        "operationId": "openReferralRoot",
        "summary": "The HSDS version and Open Referral UK profile this API conforms to",
        "tags": ["Open Referral UK"],
        "responses": {
            "200": _json("The version, profile and this document.", ref("OpenReferralRoot"))
        },
    }
}
_FILTERS = (TERM, TAXONOMY, ORGANIZATION, MODIFIED_AFTER)

PATHS: dict[str, dict[str, Any]] = {
    "/openreferral/": ROOT,
    "/openreferral/services": _list(
        "listServices",
        "Groups and spaces as services, by id",
        "HsdsService",
        *_FILTERS,
        MINIMAL,
        FULL,
    ),
    "/openreferral/services/{id}": _item("getService", "A service, fully nested", "HsdsService"),
    "/openreferral/organizations": _list(
        "listOrganizations",
        "Groups as organizations, by id",
        "HsdsOrganization",
        TERM,
        TAXONOMY,
        MODIFIED_AFTER,
        FULL,
        FULL_SERVICE,
    ),
    "/openreferral/organizations/{id}": _item(
        "getOrganization", "An organization with its service", "HsdsOrganization", FULL_SERVICE
    ),
    "/openreferral/service_at_locations": _list(
        "listServiceAtLocations",
        "Each service at each place, by id or nearest a postcode first",
        "HsdsServiceAtLocation",
        *_FILTERS,
        FULL,
        POSTCODE,
        PROXIMITY,
    ),
    "/openreferral/service_at_locations/{id}": _item(
        "getServiceAtLocation",
        "A service at a place, with its location",
        "HsdsServiceAtLocation",
    ),
    "/openreferral/taxonomies": _list(
        "listTaxonomies", "The taxonomies: assetmap's themes", "HsdsTaxonomy"
    ),
    "/openreferral/taxonomies/{id}": _item("getTaxonomy", "A taxonomy", "HsdsTaxonomy"),
    "/openreferral/taxonomy_terms": _list(
        "listTaxonomyTerms",
        "The taxonomy terms: each theme",
        "HsdsTaxonomyTerm",
        TAXONOMY,
        _query("parent_id", "Keep the terms under this one (themes have none).", _UUID),
    ),
    "/openreferral/taxonomy_terms/{id}": _item(
        "getTaxonomyTerm", "A taxonomy term", "HsdsTaxonomyTerm"
    ),
}

SCHEMAS: dict[str, Any] = {
    "OpenReferralRoot": {
        "type": "object",
        "required": ["version", "profile", "openapi_url"],
        "properties": {
            "version": {"type": "string"},
            "profile": {"type": "string", "format": "uri"},
            "openapi_url": {"type": "string", "format": "uri"},
        },
    },
    "OpenReferralPage": {
        "type": "object",
        "required": [
            "total_items",
            "total_pages",
            "page_number",
            "size",
            "first_page",
            "last_page",
            "empty",
            "contents",
        ],
        "properties": {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 0},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array"},
        },
    },
    "HsdsService": _object("service", "A group or a space as a service."),
    "HsdsOrganization": _object("organization", "A group as an organization."),
    "HsdsServiceAtLocation": _object(
        "service_at_location", "A service at a place, with `service` and `location` nested."
    ),
    "HsdsTaxonomy": _object("taxonomy", "A taxonomy."),
    "HsdsTaxonomyTerm": _object("taxonomy_term", "A taxonomy term."),
}
