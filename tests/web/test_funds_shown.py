from __future__ import annotations

import re

import orjson
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.funds import Consent
from assetmap.domain.privacy import generalise_point
from assetmap.storage.models import Asset
from assetmap.storage.models.funds import FundProposal, FundRound
from assetmap.web import db
from tests.storage.test_fund_grants import CELL, SKILL_AT, World, add_proposal, add_world
from tests.web.helpers import published_check, sign_in, text

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context(), db.database().session() as session:
        return add_world(session)


def _round_id(app: Flask, title: str = "Spring fund") -> int:
    with app.app_context(), db.database().session() as session:
        found = session.scalar(sa.select(FundRound.id).where(FundRound.title == title))
        assert found is not None
        return found


def _rename(app: Flask, proposal_id: int, title: str, round_title: str) -> None:
    with app.app_context(), db.database().session() as session:
        proposal = session.get(FundProposal, proposal_id)
        assert proposal is not None
        proposal.title = title
        proposal.round.title = round_title
        session.commit()


def _check_over(app: Flask, client: FlaskClient, *codes: str) -> int:
    if client.get("/checks/new").status_code != 200:
        sign_in(app, client, "planner")
    return published_check(
        app, client, catchment="neighbourhoods", neighbourhoods=list(codes), themes=["learning"]
    )


def _grants_section(page: str) -> str:
    found = re.search(r'id="grants">(.*?)</(?:ul|p)>', page, re.S)
    assert found is not None
    return text(found.group(1))


def test_a_strengths_page_says_what_it_was_funded_for(
    app: Flask, client: FlaskClient, world: World
) -> None:
    page = client.get(f"/assets/{world.group}").get_data(as_text=True)
    assert "Funded: £1,200 from Spring fund for Chess for all" in text(page)
    assert "Decided on 1 September 2026" in text(page)
    assert "Chess trophies" not in page and "Chess clocks" not in page


def test_a_strengths_page_links_each_grant_to_its_round(
    app: Flask, client: FlaskClient, world: World
) -> None:
    page = client.get(f"/assets/{world.group}").get_data(as_text=True)
    assert f'href="/funds/{_round_id(app)}"' in page


def test_a_strength_never_funded_shows_no_funds(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context(), db.database().session() as session:
        session.execute(sa.delete(FundProposal).where(FundProposal.id == world.on_skill_and_space))
        session.commit()
    page = client.get(f"/assets/{world.space}").get_data(as_text=True)
    assert 'id="funded-heading"' not in page and "Funded:" not in page


def test_a_skills_page_shows_only_what_its_owner_agreed_to(
    client: FlaskClient, world: World
) -> None:
    page = text(client.get(f"/assets/{world.skill}").get_data(as_text=True))
    assert "Funded: £800.50 from Spring fund for Repair café" in page
    assert "Bike school" not in page


def test_a_checks_page_lists_the_grants_already_made_in_its_catchment(
    app: Flask, client: FlaskClient, world: World
) -> None:
    check_id = _check_over(app, client, "east")
    page = app.test_client().get(f"/checks/{check_id}").get_data(as_text=True)
    section = _grants_section(page)
    assert section.startswith("Grants already made in this area")
    assert "Funded: £800.50 from Spring fund for Repair café" in section
    assert "Chess for all" not in section
    west = _check_over(app, client, "west")
    section = _grants_section(app.test_client().get(f"/checks/{west}").get_data(as_text=True))
    assert "Chess for all" in section and "Repair café" in section
    assert f'href="/funds/{_round_id(app)}"' in page


def test_a_checks_earlier_revision_lists_them_too(
    app: Flask, client: FlaskClient, world: World
) -> None:
    check_id = _check_over(app, client, "east")
    page = app.test_client().get(f"/checks/{check_id}/revisions/1").get_data(as_text=True)
    assert "Repair café" in _grants_section(page)


def test_a_check_where_nothing_was_granted_says_none_yet(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context(), db.database().session() as session:
        session.execute(sa.update(FundRound).values(published_at=None))
        session.commit()
    check_id = _check_over(app, client, "east")
    page = app.test_client().get(f"/checks/{check_id}").get_data(as_text=True)
    assert _grants_section(page) == "Grants already made in this area None yet."


def test_round_and_project_names_are_escaped_on_both_pages(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _rename(app, world.on_skill_and_space, HOSTILE, f"{HOSTILE} fund")
    check_id = _check_over(app, client, "east")
    pages = [
        client.get(f"/assets/{world.space}").get_data(as_text=True),
        app.test_client().get(f"/checks/{check_id}").get_data(as_text=True),
    ]
    for page in pages:
        assert HOSTILE not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_the_map_offers_funded_projects_off_unless_asked(client: FlaskClient, world: World) -> None:
    page = client.get("/map").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="funded"[^>]*>', page)
    assert 'id="funded" name="funded" type="checkbox" value="1">' in page
    assert "Chess for all" not in page and "data-funded-key" not in page
    asked = client.get("/map?funded=1").get_data(as_text=True)
    assert 'value="1" checked>' in asked and "data-funded-key" in asked


def _popups(page: str) -> list[dict]:
    return [orjson.loads(found) for found in re.findall(r"assetmapPopup\((\{.*?\})\)", page)]


def test_the_maps_funded_layer_carries_data_for_its_popups(
    app: Flask, client: FlaskClient, world: World
) -> None:
    page = client.get("/map?funded=1").get_data(as_text=True)
    popups = {popup["title"]: popup for popup in _popups(page)}
    assert popups["Chess for all"] == {
        "title": "Chess for all",
        "note": "Funded: £1,200 from Spring fund",
        "url": f"/funds/{_round_id(app)}",
    }
    assert set(popups) == {"Chess for all", "Repair café"}
    assert '"Funded projects"' in page


def test_a_funded_project_on_a_skill_stands_at_its_generalised_point(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context(), db.database().session() as session:
        session.execute(sa.update(Asset).where(Asset.id == world.space).values(status="withdrawn"))
        session.commit()
    page = client.get("/map?funded=1").get_data(as_text=True)
    lon, lat = generalise_point(*SKILL_AT, CELL)
    assert f"[{lat}, {lon}]" in page
    assert str(SKILL_AT[0]) not in page and str(SKILL_AT[1]) not in page


def test_the_maps_funded_layer_escapes_what_people_wrote(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _rename(app, world.on_group, HOSTILE, f"{HOSTILE} fund")
    page = client.get("/map?funded=1").get_data(as_text=True)
    assert HOSTILE not in page
    popups = {popup["title"]: popup for popup in _popups(page)}
    assert popups[HOSTILE]["note"] == f"Funded: £1,200 from {HOSTILE} fund"


def test_the_features_endpoint_carries_no_funded_projects(
    client: FlaskClient, world: World
) -> None:
    answer = client.get("/api/map/features?bbox=-2.4,51.2,-2.2,51.3&zoom=16&funded=1").json
    assert answer is not None
    titles = {feature["properties"].get("title") for feature in answer["features"]}
    assert "Chess for all" not in titles and "Repair café" not in titles


def test_a_skills_consent_is_needed_for_it_to_place_a_project(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context(), db.database().session() as session:
        session.execute(sa.delete(FundProposal).where(FundProposal.id == world.on_group))
        add_proposal(
            session,
            session.get(FundRound, _round_id(app)),  # type: ignore[arg-type]
            "Bike bus",
            10_000,
            [(world.skill, Consent.DECLINED)],
        )
        session.commit()
    popups = {
        popup["title"] for popup in _popups(client.get("/map?funded=1").get_data(as_text=True))
    }
    assert popups == {"Repair café"}
