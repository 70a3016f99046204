from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from assetmap.domain import assets, fields, privacy
from assetmap.domain.errors import ValidationError
from assetmap.domain.geojson import FEATURE_EXPRESSION, feature
from assetmap.domain.vocab import Kind, Theme
from assetmap.storage.exports import EXPORT_FIELDS


def test_export_columns_are_the_public_fields_in_the_tables_order() -> None:
    assert tuple(f.name for f in fields.FIELDS if f.public) == fields.EXPORT_COLUMNS
    assert fields.EXPORT_COLUMNS == EXPORT_FIELDS


def test_export_column_order_is_pinned() -> None:
    assert fields.EXPORT_COLUMNS == (
        "id",
        "kind",
        "title",
        "description",
        "themes",
        "tags",
        "availability",
        "accessibility",
        "share_modes",
        "meeting_pattern",
        "welcomes_new_members",
        "opening_times",
        "capacity",
        "facilities",
        "language",
        "schedule",
        "meets_at",
        "last_confirmed",
        "updated_at",
        "neighbourhood",
        "source",
        "source_id",
        "lon",
        "lat",
    )


def test_public_fields_are_the_tables_public_ones_a_person_gives() -> None:
    entered = [f.name for f in fields.FIELDS if f.public and (f.entered or f.name == "id")]
    assert (*entered[: entered.index("lon")],) == privacy.PUBLIC_FIELDS


def test_personal_fields_are_never_public() -> None:
    personal = {f.name for f in fields.FIELDS if not f.public}
    assert personal == privacy.PRIVATE_FIELDS & set(fields.BY_NAME)
    assert not personal & set(fields.EXPORT_COLUMNS)


def test_fields_a_person_gives_are_the_drafts() -> None:
    entered = {f.name for f in fields.FIELDS if f.entered}
    assert entered == {f.name for f in dataclasses.fields(assets.AssetDraft)}


def test_fields_of_one_kind_come_from_the_table() -> None:
    assert {
        Kind.SKILL: {"share_modes"},
        Kind.GROUP: {"meeting_pattern", "welcomes_new_members"},
        Kind.SPACE: {"opening_times", "capacity", "facilities"},
    } == assets.KIND_FIELDS


def test_a_request_may_send_every_field_a_person_gives_but_the_day_confirmed() -> None:
    sendable = {f.name for f in fields.FIELDS if f.request is not None}
    assert sendable == {f.name for f in fields.FIELDS if f.entered} - {"last_confirmed"}


def limited(key: str) -> list[str]:
    return [f.name for f in fields.FIELDS if f.request and key in f.request]


def draft_with(name: str, value: Any) -> dict[str, Any]:
    kind = "group" if Kind.GROUP in fields.BY_NAME[name].kinds else "space"
    draft = {"kind": kind, "title": "Hall", "themes": ["arts"], "lon": -2.3, "lat": 51.2}
    return draft | {name: value}


def refused(name: str, value: Any) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        assets.validate_asset(draft_with(name, value))
    return set(caught.value.errors)


def items(name: str, count: int) -> list[str]:
    if name == "themes":
        return [theme.value for theme in Theme][:count]
    return [f"item {n}" for n in range(count)]


@pytest.mark.parametrize("name", limited("maxLength"))
def test_a_text_fields_request_limit_is_the_one_validation_enforces(name: str) -> None:
    limit = (fields.BY_NAME[name].request or {})["maxLength"]
    assets.validate_asset(draft_with(name, "x" * limit))
    assert refused(name, "x" * (limit + 1)) == {name}


@pytest.mark.parametrize("name", limited("maxItems"))
def test_a_list_fields_request_limit_is_the_one_validation_enforces(name: str) -> None:
    limit = (fields.BY_NAME[name].request or {})["maxItems"]
    assets.validate_asset(draft_with(name, items(name, limit)))
    assert refused(name, items(name, limit + 1)) == {name}


@pytest.mark.parametrize("name", ["tags", "facilities"])
def test_a_list_items_request_limit_is_the_one_validation_enforces(name: str) -> None:
    limit = (fields.BY_NAME[name].request or {})["items"]["maxLength"]
    assets.validate_asset(draft_with(name, ["x" * limit]))
    assert refused(name, ["x" * (limit + 1)]) == {name}


def test_capacitys_request_range_is_the_one_validation_enforces() -> None:
    request = fields.BY_NAME["capacity"].request or {}
    for accepted in (request["minimum"], request["maximum"]):
        assets.validate_asset(draft_with("capacity", accepted))
    for too_far in (request["minimum"] - 1, request["maximum"] + 1):
        assert refused("capacity", too_far) == {"capacity"}


@pytest.mark.parametrize("feature_id", [7, None])
def test_a_feature_has_one_shape(feature_id: int | None) -> None:
    properties = {"title": "Choir"}
    made = feature(properties, -2.3, 51.2, feature_id)
    assert list(made) == ["type", *(["id"] if feature_id else []), "geometry", "properties"]
    if feature_id is not None:
        source = FEATURE_EXPRESSION.format(feature_id="i", lon="x", lat="y", properties="p")
        assert eval(source, {"i": 7, "x": -2.3, "y": 51.2, "p": properties}) == made


def test_a_feature_with_no_place_has_a_null_geometry() -> None:
    assert feature({}, None, None)["geometry"] is None
