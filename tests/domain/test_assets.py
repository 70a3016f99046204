from __future__ import annotations

import datetime as dt

import pytest

from assetmap.domain.assets import (
    TITLE_MAX,
    AssetDraft,
    apply_changes,
    diff,
    validate_asset,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Kind, ShareMode, Theme

GROUP = {
    "kind": "group",
    "title": "Allotment society",
    "themes": ["environment"],
    "lon": -2.32,
    "lat": 51.23,
}


def errors_of(raw: dict, **kwargs: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_asset(raw, **kwargs)
    return caught.value.errors


def test_valid_group_is_cleaned() -> None:
    draft = validate_asset(
        {**GROUP, "title": "  Allotment   society ", "lon": "-2.32", "tags": "Veg, veg ,Fruit"}
    )
    assert draft.title == "Allotment society"
    assert draft.lon == -2.32
    assert draft.tags == ("veg", "fruit")
    assert draft.themes == (Theme.ENVIRONMENT,)


def test_skill_needs_a_way_to_share() -> None:
    assert errors_of({**GROUP, "kind": "skill"}) == {
        "share_modes": "choose at least one way to share the skill"
    }


def test_skill_with_share_modes_is_valid() -> None:
    draft = validate_asset({**GROUP, "kind": "skill", "share_modes": ["teach", "lend", "teach"]})
    assert draft.share_modes == (ShareMode.TEACH, ShareMode.LEND)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("kind", "robot", "must be one of skill, group, space"),
        ("title", "   ", "must not be empty"),
        (
            "title",
            "x" * (TITLE_MAX + 1),
            f"must be at most {TITLE_MAX} characters, got {TITLE_MAX + 1}",
        ),
        ("lon", 180.5, "must be between -180 and 180, got 180.5"),
        ("lat", -91, "must be between -90 and 90, got -91.0"),
        ("lat", "north", "must be a number, got 'north'"),
        ("lon", float("nan"), "must be a finite number, got nan"),
        ("themes", [], "choose at least one theme"),
        ("description", "bad\x00byte", "must not contain control characters"),
        ("contact_via_coach", "maybe", "must be yes or no, got 'maybe'"),
        ("last_confirmed", "yesterday", "must be a date like 2026-05-31, got 'yesterday'"),
        ("colour", "red", "is not a field of an asset"),
    ],
)
def test_bad_field_is_refused_with_its_reason(field: str, value: object, reason: str) -> None:
    assert errors_of({**GROUP, field: value})[field] == reason


def test_unknown_theme_is_named() -> None:
    assert errors_of({**GROUP, "themes": ["food", "needs"]})["themes"].startswith(
        "'needs' is not a theme"
    )


def test_every_bad_field_is_reported_at_once() -> None:
    errors = errors_of(
        {"kind": "space", "title": "", "lon": 999, "lat": 51, "themes": ["x"], "capacity": -3}
    )
    assert set(errors) == {"title", "lon", "themes", "capacity"}


def test_fields_of_another_kind_are_refused() -> None:
    errors = errors_of({**GROUP, "capacity": 40, "share_modes": ["teach"]})
    assert errors == {
        "capacity": "does not apply to a group",
        "share_modes": "does not apply to a group",
    }


def test_space_details_are_checked() -> None:
    draft = validate_asset(
        {**GROUP, "kind": "space", "capacity": "120", "facilities": ["kitchen", "wifi"]}
    )
    assert (draft.capacity, draft.facilities) == (120, ("kitchen", "wifi"))
    assert (
        errors_of({**GROUP, "kind": "space", "capacity": 2.5})["capacity"]
        == "must be a whole number, got 2.5"
    )


def test_location_outside_the_area_is_refused() -> None:
    area = BBox(-2.42, 51.19, -2.24, 51.27)
    assert errors_of({**GROUP, "lon": -0.12, "lat": 51.5}, area=area) == {
        "location": "is outside the area this assetmap covers"
    }


def test_html_is_kept_as_typed() -> None:
    draft = validate_asset({**GROUP, "title": "Fish & chips <b>quiz</b>"})
    assert draft.title == "Fish & chips <b>quiz</b>"


def test_as_dict_is_plain_json_values() -> None:
    draft = validate_asset({**GROUP, "last_confirmed": dt.date(2026, 5, 1)})
    values = draft.as_dict()
    assert values["kind"] == "group"
    assert values["themes"] == ["environment"]
    assert values["last_confirmed"] == "2026-05-01"


def test_changes_are_applied_and_checked() -> None:
    draft = validate_asset(GROUP)
    changed = apply_changes(draft, {"title": "Allotments on Welshmill"})
    assert diff(draft, changed) == {"title": ["Allotment society", "Allotments on Welshmill"]}
    with pytest.raises(ValidationError) as caught:
        apply_changes(draft, {"title": ""})
    assert caught.value.errors == {"title": "must not be empty"}


def test_kind_cannot_change() -> None:
    with pytest.raises(ValidationError) as caught:
        apply_changes(validate_asset(GROUP), {"kind": "space"})
    assert "kind" in caught.value.errors


def test_creation_records_only_fields_that_are_set() -> None:
    changes = diff(None, validate_asset(GROUP))
    assert changes["title"] == [None, "Allotment society"]
    assert "description" not in changes
    assert "capacity" not in changes


def test_draft_kind_is_an_enum() -> None:
    assert isinstance(validate_asset(GROUP), AssetDraft)
    assert validate_asset(GROUP).kind is Kind.GROUP


def test_a_wrong_way_to_share_lists_the_ways_in_the_same_order_every_time() -> None:
    skill = {**GROUP, "kind": "skill", "share_modes": ["juggle"]}
    assert errors_of(skill)["share_modes"] == (
        "'juggle' is not a way to share; choose from teach, lend, do, talk"
    )
