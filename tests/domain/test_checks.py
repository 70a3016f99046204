from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from shapely.geometry import box

from assetmap.domain.catchments import How, NamedArea
from assetmap.domain.checks import (
    Decision,
    DecisionKind,
    Proposal,
    TakePart,
    check_action_note,
    validate_decision,
    validate_proposal,
    validate_response,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.findings import finding, freshness, summarise
from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Kind, Theme

AREA = BBox(-2.42, 51.19, -2.24, 51.27)
TODAY = dt.date(2026, 11, 30)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-2.33, 51.22], [-2.31, 51.22], [-2.31, 51.24], [-2.33, 51.24]]],
}
KNOWN = {"market": NamedArea("Market", box(-2.33, 51.22, -2.31, 51.24))}


def raw(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Community cookery classes",
        "purpose": "Teach families to cook on a budget.",
        "audience": "Families with young children",
        "themes": ["food", "children-young-people"],
        "words": "cooking, budget",
        "kinds": [],
        "catchment": "polygon",
        "polygon": orjson.dumps(SQUARE).decode(),
    }
    values.update(overrides)
    return values


def errors_of(values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_proposal(values, area=AREA, neighbourhoods=KNOWN)
    return caught.value.errors


def test_a_proposal_is_read_clean_with_what_was_mended() -> None:
    proposal, notes = validate_proposal(raw(), area=AREA)
    assert proposal.themes == (Theme.FOOD, Theme.CHILDREN_YOUNG_PEOPLE)
    assert proposal.words == ("cooking", "budget")
    assert proposal.catchment.how is How.POLYGON
    assert notes == ["The outline was not closed; its last point now joins its first."]


def test_a_proposal_reads_back_as_it_was_written() -> None:
    proposal, _ = validate_proposal(raw(kinds=["group", "space"]), area=AREA)
    again = Proposal.from_json(orjson.loads(orjson.dumps(proposal.as_json())))
    assert again.kinds == (Kind.GROUP, Kind.SPACE)
    assert again.as_json() == proposal.as_json()


def test_no_themes_and_no_words_is_refused_beside_the_themes() -> None:
    assert errors_of(raw(themes=[], words="")) == {
        "themes": "choose at least one theme or give at least one key word"
    }


def test_words_alone_are_enough() -> None:
    proposal, _ = validate_proposal(raw(themes=[], words="ukulele"), area=AREA)
    assert proposal.words == ("ukulele",)


def test_each_required_field_is_named() -> None:
    errors = errors_of(raw(name=" ", purpose="", audience=""))
    assert errors == {
        "name": "give the proposed service a name",
        "purpose": "say what the service is for",
        "audience": "say who the service is for",
    }


def test_an_unknown_theme_or_kind_is_refused() -> None:
    errors = errors_of(raw(themes=["food", "pets"], kinds=["robot"]))
    assert errors["themes"].startswith("'pets' is not a theme")
    assert errors["kinds"].startswith("'robot' is not a kind")


def test_a_self_intersecting_polygon_is_refused_beside_the_polygon() -> None:
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[-2.33, 51.22], [-2.31, 51.24], [-2.31, 51.22], [-2.33, 51.24]]],
    }
    errors = errors_of(raw(polygon=orjson.dumps(bow_tie).decode()))
    assert list(errors) == ["polygon"] and "crosses itself" in errors["polygon"]


def test_an_unknown_neighbourhood_is_refused_beside_the_neighbourhoods() -> None:
    errors = errors_of(raw(catchment="neighbourhoods", neighbourhoods=["market", "atlantis"]))
    assert errors == {"neighbourhoods": "'atlantis' is not a neighbourhood; choose from the list"}


def test_neighbourhoods_are_taken_by_code() -> None:
    proposal, _ = validate_proposal(
        raw(catchment="neighbourhoods", neighbourhoods=["market"]), neighbourhoods=KNOWN
    )
    assert proposal.catchment.neighbourhoods == (("market", "Market"),)


def test_a_radius_centre_outside_the_area_is_refused_beside_the_centre() -> None:
    errors = errors_of(raw(catchment="radius", lon="0.1", lat="51.5", radius_m="800"))
    assert errors == {"centre": "is outside the area this assetmap covers"}


def test_a_bad_radius_is_refused_beside_the_radius() -> None:
    errors = errors_of(raw(catchment="radius", lon="-2.32", lat="51.23", radius_m="-5"))
    assert list(errors) == ["radius_m"]


def test_no_catchment_chosen_is_refused() -> None:
    assert list(errors_of(raw(catchment=""))) == ["catchment"]


def decision(**overrides: Any) -> dict[str, Any]:
    values = {
        "kind": "support",
        "rationale": "Two groups already run cookery sessions.",
        "decided_by": "Health and wellbeing panel",
        "strengths": ["4", "9"],
    }
    values.update(overrides)
    return values


def test_support_links_strengths_the_check_found() -> None:
    made = validate_decision(decision(), found={4, 9, 12}, today=TODAY)
    assert (made.kind, made.strengths, made.decided_on) == (DecisionKind.SUPPORT, (4, 9), TODAY)


def test_support_cannot_link_a_strength_the_check_did_not_find() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(decision(strengths=["4", "77"]), found={4, 9}, today=TODAY)
    assert caught.value.errors == {"strengths": "strength 77 is not one this check found"}


def test_support_without_a_strength_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(decision(strengths=[]), found={4}, today=TODAY)
    assert caught.value.errors == {"strengths": "choose at least one strength this check found"}


def test_co_design_names_its_groups() -> None:
    made = validate_decision(
        decision(kind="co-design", strengths=[], groups="Frome Cooks\n\nKeyford Kitchen\n"),
        found=set(),
        today=TODAY,
    )
    assert made.groups == ("Frome Cooks", "Keyford Kitchen")


def test_co_design_without_a_group_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(decision(kind="co-design", groups=" "), found={4, 9}, today=TODAY)
    assert caught.value.errors == {"groups": "name at least one group, one to a line"}


def test_commissioning_needs_the_reason_existing_strengths_fall_short() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(decision(kind="commission", reason=""), found=set(), today=TODAY)
    assert caught.value.errors == {
        "reason": "say why the strengths already there do not meet the need"
    }


def test_a_decision_needs_its_rationale_and_who_decided() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(
            decision(kind="not-proceed", rationale="", decided_by=""), found=set(), today=TODAY
        )
    assert set(caught.value.errors) == {"rationale", "decided_by"}


def test_a_decision_cannot_be_dated_in_the_future() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_decision(decision(decided_on="2027-01-01"), found={4, 9}, today=TODAY)
    assert list(caught.value.errors) == ["decided_on"]


def test_a_decision_reads_back_as_it_was_written() -> None:
    made = validate_decision(decision(), found={4, 9}, today=TODAY)
    assert Decision.from_json(orjson.loads(orjson.dumps(made.as_json()))) == made


def test_a_response_says_what_was_missed_and_whether_they_would_take_part() -> None:
    response = validate_response({"missed": "The Tuesday soup lunch", "take_part": "yes"})
    assert (response.missed, response.take_part) == ("The Tuesday soup lunch", TakePart.YES)


def test_an_empty_response_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_response({"missed": " ", "take_part": "", "comment": ""})
    assert list(caught.value.errors) == ["missed"]


def test_acting_on_a_response_says_what_was_done() -> None:
    with pytest.raises(ValueError, match="say what was done"):
        check_action_note("")


def public(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": 1,
        "kind": "group",
        "title": "Soup club",
        "description": "",
        "themes": ["food"],
        "tags": [],
        "availability": "",
        "accessibility": "",
        "share_modes": [],
        "meeting_pattern": "",
        "welcomes_new_members": None,
        "opening_times": "",
        "capacity": None,
        "facilities": [],
        "language": "en-GB",
        "last_confirmed": dt.date(2026, 10, 1),
        "lon": -2.32,
        "lat": 51.23,
    }
    values.update(overrides)
    return values


def test_a_finding_refuses_private_fields() -> None:
    with pytest.raises(ValueError, match="public fields only"):
        finding(public(contact="07700 900123"), where="inside", distance_m=None, matched=[])


def test_freshness_is_judged_on_the_day_the_check_ran() -> None:
    assert freshness("2026-10-01", TODAY) == "fresh"
    assert freshness("2026-03-01", TODAY) == "ageing"
    assert freshness("2025-06-01", TODAY) == "stale"


def test_the_summary_counts_what_is_inside_by_kind_theme_and_freshness() -> None:
    findings = [
        finding(public(id=1), where="inside", distance_m=None, matched=["food"]),
        finding(
            public(id=2, kind="skill", themes=["food", "care"], last_confirmed="2025-01-01"),
            where="inside",
            distance_m=None,
            matched=["food"],
        ),
        finding(public(id=3), where="nearby", distance_m=120.0, matched=["food"]),
    ]
    summary = summarise(findings, TODAY)
    assert (summary.inside, summary.nearby) == (2, 1)
    assert summary.by_kind == {Kind.SKILL: 1, Kind.GROUP: 1, Kind.SPACE: 0}
    assert summary.by_theme == {Theme.FOOD: 2, Theme.CARE: 1}
    assert summary.by_freshness == {"fresh": 1, "ageing": 0, "stale": 1}
