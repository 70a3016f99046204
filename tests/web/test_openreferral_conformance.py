"""A walk over the Open Referral UK API as its validator walks one, on the demo register: the
root, every list to its last page, each listed id at its item endpoint, every object against
the HSDS 3.0 schemas, the CORS header on every answer, and no skill anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from assetmap.domain.vocab import Kind, Status
from assetmap.exchange import hsds
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.storage.moderation import hide_asset
from assetmap.web import db

SCHEMAS = Path(__file__).parents[1] / "exchange" / "hsds_schema"
BASE = "/openreferral"
PER_PAGE = 25
# Each list endpoint, the schema its items follow, and whether an item's id resolves.
LISTS = {
    "services": "service",
    "organizations": "organization",
    "service_at_locations": "service_at_location",
    "taxonomies": "taxonomy",
    "taxonomy_terms": "taxonomy_term",
}
PAGE_FIELDS = {
    "total_items": int,
    "total_pages": int,
    "page_number": int,
    "size": int,
    "first_page": bool,
    "last_page": bool,
    "empty": bool,
    "contents": list,
}


def _registry() -> Registry:
    resources = [
        (path.name, Resource.from_contents(orjson.loads(path.read_bytes()), DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = orjson.loads((SCHEMAS / f"{name}.json").read_bytes())
    return jsonschema.Draft202012Validator(
        schema, registry=REGISTRY, format_checker=jsonschema.FormatChecker()
    )


@dataclass
class Walk:
    """What a walk saw: every answer's text, and each problem found on the way."""

    client: FlaskClient
    answers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checks: dict[str, jsonschema.Draft202012Validator] = field(default_factory=dict)

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        self.answers.append(response.get_data(as_text=True))
        if response.headers.get("Access-Control-Allow-Origin") != "*":
            self.problems.append(f"{path}: no Access-Control-Allow-Origin: *")
        if response.status_code != 200:
            self.problems.append(f"{path}: {response.status_code}")
            return None
        return response.get_json(force=True)

    def validate(self, where: str, name: str, item: Any) -> None:
        check = self.checks.setdefault(name, validator(name))
        for error in check.iter_errors(item):
            self.problems.append(f"{where} {error.json_path}: {error.message}")

    def pages(self, endpoint: str) -> list[dict[str, Any]]:
        """Follow a list from its first page to its last, checking each page's envelope."""
        items: list[dict[str, Any]] = []
        number, total = 1, None
        while True:
            page = self.get(f"{BASE}/{endpoint}?per_page={PER_PAGE}&page={number}")
            if page is None:
                return items
            self.envelope(f"{endpoint} page {number}", page, number)
            total = page["total_items"] if total is None else total
            items += page["contents"]
            if page["last_page"] or number > 1000:
                break
            number += 1
        if len(items) != total or number != max(1, page["total_pages"]):
            self.problems.append(f"{endpoint}: {len(items)} of {total} over {number} pages")
        if len({item["id"] for item in items}) != len(items):
            self.problems.append(f"{endpoint}: an id is listed twice")
        return items

    def envelope(self, where: str, page: dict[str, Any], number: int) -> None:
        wrong = [k for k, kind in PAGE_FIELDS.items() if not isinstance(page.get(k), kind)]
        if wrong:
            self.problems.append(f"{where}: Page fields {wrong} missing or mistyped")
            return
        if page["page_number"] != number or page["size"] != len(page["contents"]):
            self.problems.append(f"{where}: page_number or size is wrong")
        if page["first_page"] != (number == 1) or page["empty"] != (not page["contents"]):
            self.problems.append(f"{where}: first_page or empty is wrong")


@pytest.fixture
def register(demo_register: Flask) -> Flask:
    """The demo register with a group hidden and a space withdrawn, as moderators and owners
    leave a register."""
    with demo_register.app_context():
        session = db.session()
        for kind, take_out in ((Kind.GROUP, "hide"), (Kind.SPACE, "withdraw")):
            key = session.scalar(
                sa.select(Asset.id)
                .where(Asset.kind == kind, Asset.status == Status.PUBLISHED)
                .order_by(Asset.id.desc())
                .limit(1)
            )
            assert key is not None
            if take_out == "hide":
                hide_asset(session, key, by=None, reason="Spam")
            else:
                store.withdraw_asset(session, key, by=None)
        session.commit()
    return demo_register


def _unlisted(app: Flask) -> list[tuple[int, str]]:
    """Return every strength the API must never give out: skills, hidden and withdrawn."""
    with app.app_context():
        query = sa.select(Asset.id, Asset.title).where(
            sa.or_(Asset.kind == Kind.SKILL, Asset.status != Status.PUBLISHED)
        )
        return [(row.id, row.title) for row in db.session().execute(query)]


def _would_be_ids(key: int) -> list[str]:
    return [
        hsds.organization_id(key),
        hsds.service_id(key),
        hsds.location_id(key),
        hsds.service_at_location_id(key),
    ]


def test_the_api_walks_as_the_open_referral_uk_validator_walks_it(register: Flask) -> None:
    walk = Walk(register.test_client())
    root = walk.get(f"{BASE}/")
    assert root is not None and root["version"] == "3.0" and root["profile"]
    document = walk.get(root["openapi_url"].removeprefix("http://127.0.0.1:5000"))
    assert f"{BASE}/services" in document["paths"]
    listed = {endpoint: walk.pages(endpoint) for endpoint in LISTS}
    for endpoint, schema in LISTS.items():
        assert listed[endpoint], f"{endpoint} lists nothing"
        for item in listed[endpoint]:
            walk.validate(f"{endpoint} list {item['id']}", schema, item)
            found = walk.get(f"{BASE}/{endpoint}/{item['id']}")
            if found is None:
                continue
            walk.validate(f"{endpoint}/{item['id']}", schema, found)
            for service in found.get("services", []):
                walk.validate(f"{endpoint}/{item['id']} services", "service", service)
            if found.get("service"):
                walk.validate(f"{endpoint}/{item['id']} service", "service", found["service"])
    assert walk.problems == []


def test_full_lists_validate_and_hold_what_their_items_hold(register: Flask) -> None:
    walk = Walk(register.test_client())
    for endpoint, schema in (
        ("services", "service"),
        ("service_at_locations", "service_at_location"),
    ):
        page = walk.get(f"{BASE}/{endpoint}?full=true&per_page=40")
        for item in page["contents"]:
            walk.validate(f"{endpoint} full {item['id']}", schema, item)
            assert item == walk.get(f"{BASE}/{endpoint}/{item['id']}")
    assert walk.problems == []


def test_no_skill_hidden_or_withdrawn_strength_is_anywhere_in_the_walk(register: Flask) -> None:
    walk = Walk(register.test_client())
    for endpoint in LISTS:
        for item in walk.pages(endpoint):
            walk.get(f"{BASE}/{endpoint}/{item['id']}")
    for path in ("services?full=true", "service_at_locations?full=true", "organizations?full=true"):
        walk.get(f"{BASE}/{path}&per_page=500")
    text = "\n".join(walk.answers)
    unlisted = _unlisted(register)
    assert any(title for _, title in unlisted)
    leaks = [
        (key, title)
        for key, title in unlisted
        if orjson.dumps(title).decode() in text or any(i in text for i in _would_be_ids(key))
    ]
    assert leaks == []
    for key, _ in unlisted:
        for listed, item_id in zip(
            ("organizations", "services", None, "service_at_locations"),
            _would_be_ids(key),
            strict=True,
        ):
            if listed is not None:
                assert register.test_client().get(f"{BASE}/{listed}/{item_id}").status_code == 404
    assert walk.problems == []
