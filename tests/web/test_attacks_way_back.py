"""Attacks on the ways back: undoing a moderator's hiding by withdrawing and bringing back,
bringing back someone else's strength, reading a contact its owner did not agree to pass on,
and showing a hidden strength again by confirming it."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.vocab import Status
from assetmap.storage.accounts import delete_account
from assetmap.web import db
from tests.trust.world import MARKERS, World, client_as
from tests.web.helpers import form_token, stored


def send(client: FlaskClient, path: str, **data: str) -> int:
    return client.post(path, data={"csrf_token": form_token(client), **data}).status_code


def hide(app: Flask, world: World, asset_id: int) -> None:
    admin = client_as(app, world, "admin")
    assert send(admin, f"/moderation/assets/{asset_id}/hide", reason="Abusive words") == 302


def test_withdrawing_and_bringing_back_does_not_undo_a_moderators_hiding(
    served: Flask, world: World
) -> None:
    group = world.ids["group"]
    hide(served, world, group)
    owner = client_as(served, world, "owner")
    assert send(owner, f"/strengths/{group}/withdraw") == 302
    assert send(owner, f"/strengths/{group}/bring-back") == 302
    assert stored(served, group).status is Status.HIDDEN
    assert served.test_client().get(f"/assets/{group}").status_code == 404


def test_nobody_but_its_owner_brings_back_a_withdrawn_strength(served: Flask, world: World) -> None:
    group = world.ids["group"]
    assert send(client_as(served, world, "owner"), f"/strengths/{group}/withdraw") == 302
    for who in ("resident", "coach", "planner", "admin"):
        assert send(client_as(served, world, who), f"/strengths/{group}/bring-back") == 403, who
    visitor = served.test_client()
    assert send(visitor, f"/strengths/{group}/bring-back") == 302
    assert stored(served, group).status is Status.WITHDRAWN


def test_a_strength_withdrawn_with_its_owners_account_cannot_be_brought_back(
    served: Flask, world: World
) -> None:
    with served.app_context():
        session = db.session()
        delete_account(session, world.users["owner"])
        session.commit()
    admin = client_as(served, world, "admin")
    assert send(admin, f"/strengths/{world.ids['skill']}/bring-back") == 403
    assert stored(served, world.ids["skill"]).status is Status.WITHDRAWN


def test_a_coach_gets_no_contact_its_owner_did_not_agree_to_pass_on(
    served: Flask, world: World
) -> None:
    coach = client_as(served, world, "coach")
    page = coach.get(f"/assets/{world.ids['group']}").get_data(as_text=True)
    found = coach.get("/search?where=point&at=-2.3188,51.2291").get_data(as_text=True)
    assert MARKERS["group_contact"] not in page and MARKERS["group_contact"] not in found


def test_the_public_gets_no_contact_in_a_search_maps_features(served: Flask, world: World) -> None:
    page = served.test_client().get("/search?where=point&at=-2.3188,51.2291")
    features = re.search(r'id="search-results">(.*?)</script>', page.get_data(as_text=True))
    assert features is not None and '"contact"' not in features.group(1)


def test_confirming_does_not_show_again_what_a_moderator_hid(served: Flask, world: World) -> None:
    group = world.ids["group"]
    hide(served, world, group)
    assert send(client_as(served, world, "owner"), f"/strengths/{group}/confirm") == 302
    assert stored(served, group).status is Status.HIDDEN
