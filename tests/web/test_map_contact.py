"""The explore map's popup asks for a strength's contact: given only where its owner agreed."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.helpers import add_asset, add_user, signed_in

CONTACT = "ring Sam on 07700 900456"


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


def a_skill(app: Flask, via_coach: bool) -> int:
    owner = add_user(app, f"sam-{via_coach}@example.org")
    return add_asset(
        app,
        owner,
        kind="skill",
        title="Sourdough baking",
        contact=CONTACT,
        contact_via_coach=via_coach,
    )


def test_a_coach_is_given_a_contact_its_owner_agreed_to_share(app: Flask) -> None:
    asset_id = a_skill(app, via_coach=True)
    coach = signed_in(app, "coach")
    response = coach.get(f"/assets/{asset_id}/contact.json")
    assert response.get_json() == {"contact": CONTACT}
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ["resident", "planner"])
def test_others_signed_in_are_given_nothing(app: Flask, role: str) -> None:
    asset_id = a_skill(app, via_coach=True)
    client = signed_in(app, role)
    assert client.get(f"/assets/{asset_id}/contact.json").get_json() == {"contact": None}


def test_a_coach_is_given_nothing_where_the_owner_did_not_agree(app: Flask) -> None:
    asset_id = a_skill(app, via_coach=False)
    coach = signed_in(app, "coach")
    assert coach.get(f"/assets/{asset_id}/contact.json").get_json() == {"contact": None}


def test_the_answer_for_a_missing_strength_is_the_same_as_for_a_refused_one(app: Flask) -> None:
    coach = signed_in(app, "coach")
    assert coach.get("/assets/999999/contact.json").get_json() == {"contact": None}


def test_a_visitor_is_sent_to_sign_in(app: Flask) -> None:
    asset_id = a_skill(app, via_coach=True)
    response = app.test_client().get(f"/assets/{asset_id}/contact.json")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert CONTACT not in response.get_data(as_text=True)


def test_the_maps_features_never_carry_a_contact(app: Flask) -> None:
    asset_id = a_skill(app, via_coach=True)
    coach = signed_in(app, "coach")
    features = coach.get("/api/map/features?bbox=-2.42,51.19,-2.24,51.27&zoom=18")
    assert features.status_code == 200
    assert asset_id in [f["properties"]["id"] for f in features.get_json()["features"]]
    assert CONTACT not in features.get_data(as_text=True)
