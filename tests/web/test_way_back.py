"""Clear words and a way back for residents: a contact where a coach works, each hidden state
with its own words and remedy, bringing a withdrawn strength back, the mail that tells people
what happened, an information banner for signing in, and plain words on pages."""

from __future__ import annotations

import datetime as dt
import email
import json
import re
from email import policy
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.vocab import Status
from assetmap.storage import history as history_store
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.trust.world import MARKERS, World, client_as
from tests.web.helpers import add_asset, form_token, post, start, stored, text

SEARCH_AT_SKILL = "/search?where=point&at=-2.3188,51.2291"


def mails(app: Flask) -> list[email.message.Message]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    found = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default) for path in found]


def body(message: email.message.Message) -> str:
    return message.get_content()  # type: ignore[attr-defined,no-any-return]


def send(client: FlaskClient, path: str, **data: str) -> int:
    return client.post(path, data={"csrf_token": form_token(client), **data}).status_code


def hide(app: Flask, world: World, asset_id: int, reason: str = "It names a neighbour") -> None:
    assert send(
        client_as(app, world, "admin"), f"/moderation/assets/{asset_id}/hide", reason=reason
    )
    assert stored(app, asset_id).status is Status.HIDDEN


def card(page: str, asset_id: int) -> str:
    cards = page.split('<li class="govuk-summary-card" data-strength="')[1:]
    [found] = [c for c in cards if c.startswith(f'{asset_id}"')]
    return text(found.split("</ul>\n{% else")[0].split('<p class="govuk-body"><a')[0])


def mine(app: Flask, world: World) -> str:
    return client_as(app, world, "owner").get("/strengths/mine").get_data(as_text=True)


def search_features(client: FlaskClient) -> list[dict]:
    page = client.get(SEARCH_AT_SKILL).get_data(as_text=True)
    match = re.search(r'<script type="application/json" id="search-results">(.*?)</script>', page)
    assert match
    return json.loads(match.group(1))["features"]  # type: ignore[no-any-return]


def age(app: Flask, asset_ids: list[int], days: int) -> None:
    with app.app_context():
        session = db.session()
        for asset_id in asset_ids:
            session.get(Asset, asset_id).last_confirmed = dt.date.today() - dt.timedelta(days=days)  # type: ignore[union-attr]
        session.commit()


def test_a_coach_sees_a_consented_contact_on_the_strengths_own_page(
    served: Flask, world: World
) -> None:
    coach = client_as(served, world, "coach")
    page = coach.get(f"/assets/{world.ids['skill']}").get_data(as_text=True)
    assert MARKERS["contact"] in text(page)


def test_a_resident_and_a_visitor_see_no_contact_on_a_strengths_page(
    served: Flask, world: World
) -> None:
    for who in ("visitor", "resident", "planner"):
        page = client_as(served, world, who).get(f"/assets/{world.ids['skill']}")
        assert MARKERS["contact"] not in page.get_data(as_text=True), who


def test_a_coach_finds_the_consented_contact_in_the_search_maps_popup(
    served: Flask, world: World
) -> None:
    features = search_features(client_as(served, world, "coach"))
    contacts = {f["properties"]["id"]: f["properties"].get("contact") for f in features}
    assert contacts[world.ids["skill"]] == MARKERS["contact"]
    assert contacts[world.ids["group"]] is None


def test_the_search_maps_popup_carries_no_contact_for_a_resident(
    served: Flask, world: World
) -> None:
    features = search_features(client_as(served, world, "resident"))
    assert features and all("contact" not in f["properties"] for f in features)


def test_a_strength_hidden_for_being_unconfirmed_says_so_and_offers_to_confirm_it(
    served: Flask, world: World
) -> None:
    shown = card(mine(served, world), world.ids["hidden"])
    assert "Hidden until you confirm it is still current" in shown
    assert "It is still current: show it again" in shown and "Change details" in shown
    assert "Hidden by a moderator" not in shown and "Answer the moderators" not in shown


def test_a_strength_hidden_by_a_moderator_offers_an_answer_and_a_change(
    served: Flask, world: World
) -> None:
    hide(served, world, world.ids["group"])
    page = mine(served, world)
    shown = card(page, world.ids["group"])
    assert "Hidden by a moderator" in shown and "It names a neighbour" in shown
    assert "Answer the moderators" in shown and "Mark as still current" not in shown
    assert f'href="/strengths/{world.ids["group"]}/edit"' in page
    assert f'href="/strengths/{world.ids["group"]}/location"' in page


def test_an_answer_about_an_earlier_hiding_does_not_carry_over_to_a_new_one(
    served: Flask, world: World
) -> None:
    group = world.ids["group"]
    hide(served, world, group)
    owner = client_as(served, world, "owner")
    assert send(owner, f"/strengths/{group}/answer", answer="Fixed the wording") == 302
    assert send(client_as(served, world, "admin"), f"/moderation/assets/{group}/restore") == 302
    hide(served, world, group, reason="Wrong again")
    assert "Fixed the wording" not in card(mine(served, world), group)
    queue = client_as(served, world, "admin").get("/moderation").get_data(as_text=True)
    assert "Fixed the wording" not in queue


def test_an_owner_brings_back_a_withdrawn_strength_and_its_history_says_so(
    served: Flask, world: World
) -> None:
    group = world.ids["group"]
    owner = client_as(served, world, "owner")
    assert send(owner, f"/strengths/{group}/withdraw") == 302
    assert "Bring it back" in card(mine(served, world), group)
    assert send(owner, f"/strengths/{group}/bring-back") == 302
    assert stored(served, group).status is Status.PUBLISHED
    assert served.test_client().get(f"/assets/{group}").status_code == 200
    history = owner.get(f"/assets/{group}/history").get_data(as_text=True)
    assert "Withdrawn" in text(history) and "Brought back by its owner" in text(history)


def test_bringing_back_a_strength_that_is_not_withdrawn_is_refused(
    served: Flask, world: World
) -> None:
    owner = client_as(served, world, "owner")
    assert send(owner, f"/strengths/{world.ids['group']}/bring-back") == 409


def test_the_owner_is_told_when_a_moderator_shows_a_strength_again(
    served: Flask, world: World
) -> None:
    admin = client_as(served, world, "admin")
    assert send(admin, f"/moderation/assets/{world.ids['hidden']}/restore") == 302
    [message] = mails(served)
    assert message["To"] == MARKERS["email"]
    assert "“Old swap shop” is on the map again" in message["Subject"]


def test_the_moderator_who_hid_a_strength_is_told_of_the_owners_answer(
    served: Flask, world: World
) -> None:
    hide(served, world, world.ids["group"])
    owner = client_as(served, world, "owner")
    assert send(owner, f"/strengths/{world.ids['group']}/answer", answer="It meets again") == 302
    told = [m for m in mails(served) if m["To"] == "admin@example.org"]
    assert len(told) == 1 and "It meets again" in body(told[0])


def test_staff_are_told_when_a_resident_responds_to_a_check(served: Flask, world: World) -> None:
    resident = client_as(served, world, "resident")
    answer = {"missed": "The Tuesday lunch club", "take_part": "", "comment": ""}
    assert post(resident, f"/checks/{world.ids['check']}/respond", **answer).status_code == 302
    [message] = mails(served)
    assert message["To"] == "planner@example.org"
    assert "The Tuesday lunch club" in body(message)


def test_a_resident_is_told_when_their_response_is_acted_upon(served: Flask, world: World) -> None:
    planner = client_as(served, world, "planner")
    path = f"/checks/{world.ids['check']}/responses/{world.ids['response']}/acted-upon"
    assert send(planner, path, note="We asked the lunch club to join") == 302
    [message] = mails(served)
    assert message["To"] == "resident@example.org"
    assert "We asked the lunch club to join" in body(message)


def test_freshness_sends_each_owner_one_reminder_listing_their_strengths(
    served: Flask, world: World
) -> None:
    due = [world.ids[name] for name in ("group", "skill", "victim", "victim_api")]
    age(served, due, 200)
    result = served.test_cli_runner().invoke(args=["freshness"])
    assert "Reminded the owners of 4 strengths" in result.output
    [message] = mails(served)
    assert message["To"] == MARKERS["email"]
    for title in ("Frome choir", "Bike mending", "Allotment society", "Repair cafe"):
        assert f"“{title}”" in body(message)


def test_a_sign_in_prompt_is_shown_as_information_not_as_done(app: Flask) -> None:
    page = app.test_client().get("/strengths/mine", follow_redirects=True).get_data(as_text=True)
    banner = page[page.index("govuk-notification-banner") - 20 :]
    assert "You need to sign in to see that page" in banner
    assert "govuk-notification-banner--success" not in banner[:300]
    assert ">Important<" in banner and ">Done<" not in banner


def test_a_number_in_words_is_refused_in_plain_words(served: Flask, world: World) -> None:
    space = add_asset(served, world.users["owner"], kind="space", title="Scout hut")
    owner = client_as(served, world, "owner")
    values = {"title": "Scout hut", "themes": "sport", "capacity": "six"}
    page = post(owner, f"/strengths/{space}/edit", **values).get_data(as_text=True)
    assert "How many people it holds must be a whole number, like 12" in text(page)
    assert "got" not in text(page)


def test_a_bad_map_area_in_a_list_link_is_explained_in_plain_words(served: Flask) -> None:
    response = served.test_client().get("/list?bbox=1,2,3")
    assert response.status_code == 400
    assert "The map area in this link can't be used" in text(response.get_data(as_text=True))
    assert "minlon" not in response.get_data(as_text=True)


def test_the_api_keeps_its_technical_map_area_message(served: Flask) -> None:
    response = served.test_client().get("/api/map/features?bbox=1,2,3&zoom=3")
    assert response.status_code == 400
    assert "minlon,minlat,maxlon,maxlat" in response.get_json()["error"]["message"]


def test_a_restored_version_gives_its_reason_without_revision_numbers(
    served: Flask, world: World
) -> None:
    admin = client_as(served, world, "admin")
    skill = world.ids["skill"]
    with served.app_context():
        older = history_store.revisions(db.session(), skill)[1].id
    assert send(admin, f"/assets/{skill}/history/{older}/restore") == 302
    history = text(admin.get(f"/assets/{skill}/history").get_data(as_text=True))
    assert "Put back as it was on" in history
    assert "revision" not in history.lower()


def test_api_tokens_are_found_from_the_account_page_not_the_menu(
    served: Flask, world: World
) -> None:
    for role in ("resident", "coach"):
        client = client_as(served, world, role)
        assert 'href="/account/tokens"' not in client.get("/").get_data(as_text=True)
        assert 'href="/account/tokens"' in client.get("/account").get_data(as_text=True)


def test_a_redrawn_outline_is_not_explained_in_terms_of_its_winding(
    served: Flask, world: World
) -> None:
    planner = client_as(served, world, "planner")
    clockwise = {
        "type": "Polygon",
        "coordinates": [
            [[-2.33, 51.22], [-2.33, 51.24], [-2.31, 51.24], [-2.31, 51.22], [-2.33, 51.22]]
        ],
    }
    response = start(planner, polygon=json.dumps(clockwise))
    assert response.status_code == 302
    page = planner.get(response.location).get_data(as_text=True)
    assert "The check has run" in page and "clockwise" not in page
