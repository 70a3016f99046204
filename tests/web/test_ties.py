"""Ties through their pages: a group says where it meets and who it runs things with, a person
offers their skill, the group's owner answers, and either side takes a tie off."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assetmap.domain.ties import TieState
from assetmap.storage import assets as asset_store
from assetmap.storage.models import Tie
from assetmap.web import db
from tests.web.helpers import (
    add_asset,
    add_user,
    count,
    csrf,
    published_check,
    sign_in_as,
    signed_in,
    stored,
    text,
)


@pytest.fixture
def owners(app: Flask) -> dict[str, int]:
    return {name: add_user(app, f"{name}@example.org") for name in ("gail", "sam", "hana")}


@pytest.fixture
def world(app: Flask, owners: dict[str, int]) -> dict[str, int]:
    """Gail runs a choir; Hana keeps a church hall; Sam offers guitar lessons."""
    return {
        "choir": add_asset(app, owners["gail"], title="Frome community choir"),
        "band": add_asset(app, owners["hana"], title="Town band"),
        "hall": add_asset(app, owners["hana"], kind="space", title="St John's church hall"),
        "park": add_asset(app, None, kind="space", title="Victoria Park"),
        "guitar": add_asset(
            app, owners["sam"], kind="skill", title="Guitar lessons", lon=-2.3212, lat=51.2311
        ),
    }


def client_of(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    sign_in_as(client, f"{name}@example.org")
    return client


def search(client: FlaskClient, asset_id: int, kind: str, q: str) -> TestResponse:
    return client.get(f"/strengths/{asset_id}/ties/new", query_string={"kind": kind, "q": q})


def make(
    client: FlaskClient, asset_id: int, kind: str, to: int | str, q: str = "a"
) -> TestResponse:
    """Search for anything, then send the choice with the search page's CSRF token."""
    token = csrf(search(client, asset_id, kind, q).get_data(as_text=True))
    data = {"csrf_token": token, "kind": kind, "q": q, "to": to}
    return client.post(f"/strengths/{asset_id}/ties/new", data=data)


def page(client: FlaskClient, asset_id: int) -> str:
    return client.get(f"/assets/{asset_id}").get_data(as_text=True)


def ties(app: Flask) -> list[tuple[str, int, int, TieState]]:
    with app.app_context():
        rows = db.session().query(Tie).order_by(Tie.id).all()
        return [(tie.kind.value, tie.from_id, tie.to_id, tie.state) for tie in rows]


def tie_id(app: Flask) -> int:
    with app.app_context():
        return db.session().query(Tie.id).scalar()  # type: ignore[no-any-return]


def answer(client: FlaskClient, group: int, tie: int, choice: str, **more: Any) -> TestResponse:
    token = csrf(client.get("/strengths/mine").get_data(as_text=True))
    data = {"csrf_token": token, "tie": tie, "answer": choice, **more}
    return client.post(f"/strengths/{group}/ties/answer", data=data)


def test_a_search_lists_published_spaces_matching_the_name(
    app: Flask, world: dict[str, int]
) -> None:
    gone = add_asset(app, None, kind="space", title="Old church hall")
    with app.app_context():
        asset_store.withdraw_asset(db.session(), gone, by=None)
        db.session().commit()
    found = text(search(client_of(app, "gail"), world["choir"], "meets-at", "church").text)
    assert "St John's church hall" in found
    assert "Old church hall" not in found
    assert "Town band" not in found


def test_a_search_for_nothing_asks_for_a_name(app: Flask, world: dict[str, int]) -> None:
    found = text(search(client_of(app, "gail"), world["choir"], "meets-at", "   ").text)
    assert "There is a problem Enter a name to search for" in found


def test_a_search_finding_nothing_says_so(app: Flask, world: dict[str, int]) -> None:
    found = text(search(client_of(app, "gail"), world["choir"], "meets-at", "zebra").text)
    # What was typed is marked as never to translate, so it is set apart from the sentence.
    assert "No space on the map is called “ zebra ”" in found


def test_a_groups_owner_says_where_it_meets_and_both_pages_show_it(
    app: Flask, world: dict[str, int]
) -> None:
    gail = client_of(app, "gail")
    answered = make(gail, world["choir"], "meets-at", world["hall"], q="church")
    assert answered.status_code == 302
    assert answered.location == f"/assets/{world['choir']}"
    visitor = app.test_client()
    assert "Meets at St John's church hall" in text(page(visitor, world["choir"]))
    assert "Groups that meet here Frome community choir" in text(page(visitor, world["hall"]))


def test_a_group_adds_a_partner_group_shown_on_both(app: Flask, world: dict[str, int]) -> None:
    assert (
        make(client_of(app, "gail"), world["choir"], "runs-with", world["band"]).status_code == 302
    )
    visitor = app.test_client()
    assert "Runs things with Town band" in text(page(visitor, world["choir"]))
    assert "Runs things with Frome community choir" in text(page(visitor, world["band"]))


def test_choosing_nothing_says_what_to_choose(app: Flask, world: dict[str, int]) -> None:
    answered = make(client_of(app, "gail"), world["choir"], "meets-at", "", q="church")
    assert answered.status_code == 400
    assert "Choose the space it meets at" in text(answered.text)
    assert ties(app) == []


def test_a_group_cannot_meet_at_another_group(app: Flask, world: dict[str, int]) -> None:
    answered = make(client_of(app, "gail"), world["choir"], "meets-at", world["band"])
    assert answered.status_code == 400
    assert "Only a group can meet at a space." in text(answered.text)
    assert ties(app) == []


def test_a_group_cannot_be_offered_like_a_skill(app: Flask, world: dict[str, int]) -> None:
    answered = make(client_of(app, "gail"), world["choir"], "offers", world["band"])
    assert answered.status_code == 400
    assert "Only a skill can be offered to a group." in answered.text
    assert ties(app) == []


def test_a_skill_cannot_meet_at_a_space(app: Flask, world: dict[str, int]) -> None:
    answered = search(client_of(app, "sam"), world["guitar"], "meets-at", "hall")
    assert answered.status_code == 400
    assert "Only a group can meet at a space." in answered.text


def test_a_space_starts_no_ties(app: Flask, world: dict[str, int]) -> None:
    assert client_of(app, "hana").get(f"/strengths/{world['hall']}/ties/new").status_code == 404


def test_a_tie_to_a_withdrawn_space_is_refused(app: Flask, world: dict[str, int]) -> None:
    gail = client_of(app, "gail")
    token = csrf(search(gail, world["choir"], "meets-at", "church").text)
    with app.app_context():
        asset_store.withdraw_asset(db.session(), world["hall"], by=None)
        db.session().commit()
    data = {"csrf_token": token, "kind": "meets-at", "q": "church", "to": world["hall"]}
    answered = gail.post(f"/strengths/{world['choir']}/ties/new", data=data)
    assert answered.status_code == 400
    assert "Choose a strength that is on the map" in text(answered.text)
    assert ties(app) == []


def test_a_neighbour_cannot_tie_someone_elses_group(app: Flask, world: dict[str, int]) -> None:
    sam = client_of(app, "sam")
    assert search(sam, world["choir"], "meets-at", "church").status_code == 403
    token = csrf(search(sam, world["guitar"], "offers", "choir").text)
    data = {"csrf_token": token, "kind": "meets-at", "to": world["hall"]}
    assert sam.post(f"/strengths/{world['choir']}/ties/new", data=data).status_code == 403
    assert ties(app) == []


def test_a_visitor_is_sent_to_sign_in(app: Flask, world: dict[str, int]) -> None:
    answered = app.test_client().get(f"/strengths/{world['choir']}/ties/new")
    assert answered.status_code == 302
    assert "/sign-in" in answered.location


def test_a_planner_says_where_a_group_meets(app: Flask, world: dict[str, int]) -> None:
    planner = signed_in(app, "planner")
    assert make(planner, world["choir"], "meets-at", world["park"]).status_code == 302
    assert ties(app) == [("meets-at", world["choir"], world["park"], TieState.ACCEPTED)]


def test_a_planner_cannot_offer_someones_skill(app: Flask, world: dict[str, int]) -> None:
    planner = signed_in(app, "planner")
    assert search(planner, world["guitar"], "offers", "choir").status_code == 403


def test_a_tie_without_its_csrf_token_is_refused(app: Flask, world: dict[str, int]) -> None:
    gail = client_of(app, "gail")
    data = {"kind": "meets-at", "to": world["hall"]}
    assert gail.post(f"/strengths/{world['choir']}/ties/new", data=data).status_code == 400
    assert ties(app) == []


def offered(app: Flask, world: dict[str, int]) -> int:
    assert make(client_of(app, "sam"), world["guitar"], "offers", world["choir"]).status_code == 302
    return tie_id(app)


def test_an_offer_waits_for_the_groups_owner(app: Flask, world: dict[str, int]) -> None:
    offered(app, world)
    assert ties(app) == [("offers", world["guitar"], world["choir"], TieState.PROPOSED)]
    gail = text(page(client_of(app, "gail"), world["choir"]))
    assert "Offers waiting for your answer" in gail
    assert "Guitar lessons , offered on" in gail
    sam = text(page(client_of(app, "sam"), world["guitar"]))
    assert "Your offers Only you see these." in sam
    assert "Frome community choir : waiting for an answer" in sam


def test_the_groups_owner_accepts_an_offer_and_both_pages_show_it(
    app: Flask, world: dict[str, int]
) -> None:
    offer = offered(app, world)
    answered = answer(client_of(app, "gail"), world["choir"], offer, "accept")
    assert answered.status_code == 302
    assert ties(app)[0][3] is TieState.ACCEPTED
    visitor = app.test_client()
    assert "Skills offered to this group Guitar lessons" in text(page(visitor, world["choir"]))
    assert "Offered to Frome community choir" in text(page(visitor, world["guitar"]))


def test_a_declined_offer_shows_only_to_the_skills_owner(app: Flask, world: dict[str, int]) -> None:
    offer = offered(app, world)
    assert answer(client_of(app, "gail"), world["choir"], offer, "decline").status_code == 302
    assert "Guitar lessons" not in page(client_of(app, "gail"), world["choir"])
    assert "Frome community choir : declined" in text(page(client_of(app, "sam"), world["guitar"]))


@pytest.mark.parametrize("who", ["sam", "hana"])
def test_only_the_groups_owner_answers_an_offer(
    app: Flask, world: dict[str, int], who: str
) -> None:
    offer = offered(app, world)
    assert answer(client_of(app, who), world["choir"], offer, "accept").status_code == 403
    assert ties(app)[0][3] is TieState.PROPOSED


def test_an_offer_to_another_group_cannot_be_answered_through_ones_own(
    app: Flask, world: dict[str, int], owners: dict[str, int]
) -> None:
    offer = offered(app, world)
    mine = add_asset(app, owners["hana"], title="Hana's walking group")
    assert answer(client_of(app, "hana"), mine, offer, "accept").status_code == 404
    assert ties(app)[0][3] is TieState.PROPOSED


def test_an_offer_is_answered_once(app: Flask, world: dict[str, int]) -> None:
    offer = offered(app, world)
    gail = client_of(app, "gail")
    assert answer(gail, world["choir"], offer, "decline").status_code == 302
    assert answer(gail, world["choir"], offer, "accept").status_code == 404
    assert ties(app)[0][3] is TieState.DECLINED


def test_an_answer_must_be_accept_or_decline(app: Flask, world: dict[str, int]) -> None:
    offer = offered(app, world)
    assert answer(client_of(app, "gail"), world["choir"], offer, "maybe").status_code == 400


def test_offers_waiting_are_listed_and_answered_on_the_owners_strengths(
    app: Flask, world: dict[str, int]
) -> None:
    offer = offered(app, world)
    gail = client_of(app, "gail")
    mine = text(gail.get("/strengths/mine").text)
    assert "Offers waiting for your answer" in mine
    assert "Guitar lessons , offered to Frome community choir on" in mine
    answered = answer(gail, world["choir"], offer, "accept", back="/strengths/mine")
    assert answered.location == "/strengths/mine"
    assert "Offers waiting" not in gail.get("/strengths/mine").text


def test_a_space_owner_takes_off_a_group_meeting_there(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    hana = client_of(app, "hana")
    link = f"/strengths/{world['hall']}/ties/remove?tie={tie_id(app)}"
    assert link.replace("&", "&amp;") in page(hana, world["hall"])
    confirm = hana.get(link)
    assert "Take off this tie?" in confirm.text
    assert "Groups that meet here Frome community choir" in text(confirm.text)
    token = csrf(confirm.text)
    done = hana.post(link, data={"csrf_token": token, "tie": tie_id(app)})
    assert done.status_code == 302
    assert ties(app) == []
    assert "Frome community choir" not in page(app.test_client(), world["hall"])


def test_a_neighbour_cannot_take_a_tie_off(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    sam = client_of(app, "sam")
    link = f"/strengths/{world['hall']}/ties/remove?tie={tie_id(app)}"
    assert "ties/remove" not in page(sam, world["hall"])
    assert sam.get(link).status_code == 403
    token = csrf(search(sam, world["guitar"], "offers", "choir").text)
    assert sam.post(link, data={"csrf_token": token, "tie": tie_id(app)}).status_code == 403
    assert len(ties(app)) == 1


def test_taking_off_a_tie_needs_its_csrf_token(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    link = f"/strengths/{world['choir']}/ties/remove"
    answered = client_of(app, "gail").post(link, data={"tie": tie_id(app)})
    assert answered.status_code == 400
    assert len(ties(app)) == 1


def test_a_skills_owner_withdraws_an_offer_not_yet_answered(
    app: Flask, world: dict[str, int]
) -> None:
    offer = offered(app, world)
    sam = client_of(app, "sam")
    link = f"/strengths/{world['guitar']}/ties/remove?tie={offer}"
    token = csrf(sam.get(link).text)
    assert sam.post(link, data={"csrf_token": token, "tie": offer}).status_code == 302
    assert ties(app) == []


def test_a_withdrawn_groups_ties_leave_the_spaces_page(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    with app.app_context():
        asset_store.withdraw_asset(db.session(), world["choir"], by=None)
        db.session().commit()
    assert "Frome community choir" not in page(app.test_client(), world["hall"])
    assert "Groups that meet here" not in page(client_of(app, "hana"), world["hall"])
    assert count(app, Tie) == 1


def test_the_api_gives_a_strengths_public_ties(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    answered = app.test_client().get(f"/api/assets/{world['hall']}")
    assert answered.get_json()["properties"]["ties"] == [
        {
            "tie": "meets-at",
            "direction": "incoming",
            "label": "Groups that meet here",
            "id": world["choir"],
            "kind": "group",
            "title": "Frome community choir",
        }
    ]


def test_the_api_gives_the_tied_strengths_at_their_public_points(
    app: Flask, world: dict[str, int]
) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    answered = app.test_client().get(f"/api/assets/{world['choir']}/ties")
    assert answered.mimetype == "application/geo+json"
    body = answered.get_json()
    assert body["asset_id"] == world["choir"]
    [hall] = body["features"]
    assert hall["id"] == world["hall"]
    assert hall["properties"]["tie"] == "meets-at"
    assert hall["properties"]["direction"] == "outgoing"
    assert hall["properties"]["url"] == f"/assets/{world['hall']}"
    stored_hall = stored(app, world["hall"])
    assert hall["geometry"]["coordinates"] == [stored_hall.public_lon, stored_hall.public_lat]


def test_the_api_has_no_ties_of_a_withdrawn_strength(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        asset_store.withdraw_asset(db.session(), world["choir"], by=None)
        db.session().commit()
    assert app.test_client().get(f"/api/assets/{world['choir']}/ties").status_code == 404


def test_the_map_shows_a_strengths_ties_with_a_line_to_each(
    app: Flask, world: dict[str, int]
) -> None:
    gail = client_of(app, "gail")
    make(gail, world["choir"], "meets-at", world["hall"])
    make(gail, world["choir"], "runs-with", world["band"])
    shown = app.test_client().get(f"/map?ties={world['choir']}").text
    words = text(shown)
    assert "Showing the ties of Frome community choir" in words
    assert "Meets at: St John's church hall" in words
    assert "Runs things with: Town band" in words
    assert shown.count("map-tie") == 2
    assert "Ties of this strength" in shown


def test_the_map_says_when_a_strength_has_no_ties(app: Flask, world: dict[str, int]) -> None:
    words = text(app.test_client().get(f"/map?ties={world['park']}").text)
    assert "It has no ties to other strengths yet." in words


@pytest.mark.parametrize("asked", ["abc", "-1", "1" * 12])
def test_the_map_refuses_ties_of_something_not_an_id(app: Flask, asked: str) -> None:
    assert app.test_client().get("/map", query_string={"ties": asked}).status_code == 400


def test_the_map_has_no_ties_of_a_withdrawn_strength(app: Flask, world: dict[str, int]) -> None:
    with app.app_context():
        asset_store.withdraw_asset(db.session(), world["choir"], by=None)
        db.session().commit()
    assert app.test_client().get(f"/map?ties={world['choir']}").status_code == 404


def test_a_strengths_page_links_to_its_ties_on_the_map(app: Flask, world: dict[str, int]) -> None:
    make(client_of(app, "gail"), world["choir"], "meets-at", world["hall"])
    assert f'href="/map?ties={world["hall"]}"' in page(app.test_client(), world["hall"])


def test_a_checks_findings_say_which_groups_meet_in_its_spaces(
    app: Flask, world: dict[str, int], owners: dict[str, int]
) -> None:
    hall = add_asset(app, owners["hana"], kind="space", title="Food hall", themes=["food"])
    make(client_of(app, "gail"), world["choir"], "meets-at", hall)
    make(client_of(app, "hana"), world["band"], "meets-at", hall)
    planner = signed_in(app, "planner")
    check_id = published_check(app, planner)
    for path in (f"/checks/{check_id}", f"/checks/{check_id}/report"):
        words = text(app.test_client().get(path).text).replace(" ,", ",")
        assert "2 groups meet here: Frome community choir, Town band" in words
        assert "1 space where groups meet" in words
