"""Attacks on a person who offers their skill to a group, carried out as an attacker would.

An offer is the person's choice and public only once the group's owner accepts it; even then
the group's page, the map and the API show the skill as its own page does: its title at its
public point, never its owner's name, contact or home.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.ties import TieKind
from assetmap.storage import ties as tie_store
from assetmap.web import db
from tests.web.helpers import (
    PRIVATE_SKILL,
    add_asset,
    add_user,
    export,
    sign_in_as,
    signed_in,
    statements,
    stored,
)

OWNER_NAME = "Samira Secretary"
OWNER_EMAIL = "samira@example.org"
# The skill's exact point, as digits that would give it away wherever they appeared.
EXACT = ("321234", "230987")
PRIVATE = (OWNER_NAME, OWNER_EMAIL, PRIVATE_SKILL["contact"], *EXACT)


@pytest.fixture
def world(app: Flask) -> dict[str, int]:
    samira = add_user(app, OWNER_EMAIL, name=OWNER_NAME)
    gail = add_user(app, "gail@example.org")
    return {
        "skill": add_asset(app, samira, **PRIVATE_SKILL),
        "group": add_asset(app, gail, title="Cycling club"),
        "other": add_asset(app, samira, kind="skill", title="Sewing", share_modes=["teach"]),
    }


def offer(app: Flask, world: dict[str, int], answer: bool | None) -> int:
    with app.app_context():
        session = db.session()
        tie = tie_store.add_tie(session, TieKind.OFFERS, world["skill"], world["group"], by=None)
        if answer is not None:
            tie_store.answer_tie(session, tie.id, answer, by=None)
        session.commit()
        return tie.id


def client_of(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in_as(client, email)
    return client


def everything_shown(app: Flask, client: FlaskClient, world: dict[str, int]) -> Iterator[str]:
    """Yield every page, map and API answer that could carry the group's or skill's ties."""
    for asset_id in (world["group"], world["skill"]):
        yield client.get(f"/assets/{asset_id}").text
        yield client.get(f"/map?ties={asset_id}").text
        yield client.get(f"/api/assets/{asset_id}").text
        yield client.get(f"/api/assets/{asset_id}/ties").text


def strangers(app: Flask) -> list[FlaskClient]:
    return [app.test_client(), signed_in(app, "resident", "nosy@example.org")]


@pytest.mark.parametrize("answer", [None, False], ids=["proposed", "declined"])
def test_an_offer_not_accepted_is_invisible_to_everyone_else(
    app: Flask, world: dict[str, int], answer: bool | None
) -> None:
    offer(app, world, answer)
    for client in strangers(app):
        for shown in everything_shown(app, client, world):
            assert "Cycling club" not in shown or "Bike repair" not in shown
            assert '"offers"' not in shown
    group_page = app.test_client().get(f"/assets/{world['group']}").text
    assert "Bike repair" not in group_page


def test_a_declined_offer_is_invisible_to_the_groups_owner(
    app: Flask, world: dict[str, int]
) -> None:
    offer(app, world, False)
    gail = client_of(app, "gail@example.org")
    for shown in everything_shown(app, gail, world):
        if "Cycling club" in shown:
            assert "Bike repair" not in shown
    assert "Bike repair" not in gail.get("/strengths/mine").text


def test_a_proposed_offer_is_in_no_export(app: Flask, world: dict[str, int]) -> None:
    offer(app, world, None)
    planner = signed_in(app, "planner")
    answered = export(planner)
    assert answered.status_code == 200
    features = answered.get_json()["features"]
    [group] = [f for f in features if f["properties"]["title"] == "Cycling club"]
    assert "Bike repair" not in str(group)


def test_the_groups_owner_sees_a_waiting_offer_as_the_skills_public_page_shows_it(
    app: Flask, world: dict[str, int]
) -> None:
    offer(app, world, None)
    gail = client_of(app, "gail@example.org")
    for shown in (gail.get(f"/assets/{world['group']}").text, gail.get("/strengths/mine").text):
        assert "Bike repair" in shown
        for secret in PRIVATE:
            assert secret not in shown
        assert "Sewing" not in shown


@pytest.mark.parametrize("who", ["visitor", "group owner", "stranger"])
def test_an_accepted_offer_shows_only_the_skills_public_fields_and_point(
    app: Flask, world: dict[str, int], who: str
) -> None:
    offer(app, world, True)
    client = {
        "visitor": app.test_client,
        "group owner": lambda: client_of(app, "gail@example.org"),
        "stranger": lambda: signed_in(app, "resident", "nosy@example.org"),
    }[who]()
    group_page = client.get(f"/assets/{world['group']}").text
    assert "Bike repair" in group_page
    for shown in everything_shown(app, client, world):
        for secret in PRIVATE:
            assert secret not in shown
        assert "Sewing" not in shown


def test_the_ties_api_puts_an_accepted_skill_at_its_public_point(
    app: Flask, world: dict[str, int]
) -> None:
    offer(app, world, True)
    [skill] = app.test_client().get(f"/api/assets/{world['group']}/ties").get_json()["features"]
    kept = stored(app, world["skill"])
    assert skill["geometry"]["coordinates"] == [kept.public_lon, kept.public_lat]
    assert set(skill["properties"]) == {"tie", "direction", "label", "id", "kind", "title", "url"}


def test_the_map_draws_an_accepted_skills_tie_to_its_public_point(
    app: Flask, world: dict[str, int]
) -> None:
    offer(app, world, True)
    kept = stored(app, world["skill"])
    shown = app.test_client().get(f"/map?ties={world['group']}").text
    assert f"[{kept.public_lat}, {kept.public_lon}]" in shown
    for secret in EXACT:
        assert secret not in shown


def reads_exact_point(statement: str) -> bool:
    return "private_point" in statement.lower()


@pytest.mark.parametrize("answer", [None, True], ids=["proposed", "accepted"])
def test_no_tie_page_reads_the_skills_exact_point(
    app: Flask, world: dict[str, int], answer: bool | None
) -> None:
    tie_id = offer(app, world, answer)
    gail = client_of(app, "gail@example.org")
    group = world["group"]
    with statements(app, reads_exact_point) as seen:
        for client in (app.test_client(), gail):
            list(everything_shown(app, client, world))
        gail.get("/strengths/mine")
        gail.get(f"/strengths/{group}/ties/remove?tie={tie_id}")
        gail.get(f"/strengths/{group}/ties/new?kind=runs-with&q=club")
    assert seen == []


def test_the_recorder_sees_the_owners_own_read_of_the_exact_point(
    app: Flask, world: dict[str, int]
) -> None:
    samira = client_of(app, OWNER_EMAIL)
    with statements(app, reads_exact_point) as seen:
        assert samira.get(f"/strengths/{world['skill']}/location").status_code == 200
    assert seen
