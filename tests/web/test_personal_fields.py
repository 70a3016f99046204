"""No page or API answer shows personal fields to someone who may not see them.

Strengths carry unique markers in their contacts, their owner's email and name, and a skill's
exact point; every GET route of the app and API is asked, with real ids, as a visitor and as
another resident (with their API token), and no marker may appear.
"""

from __future__ import annotations

from flask import Flask

from tests.trust.world import MARKERS, World, client_as
from tests.web.test_authorization_matrix import RULES

GETS = sorted(key for key in RULES if key[1] == "GET")


def leaks(body: str) -> list[str]:
    return [name for name, marker in MARKERS.items() if marker.lower() in body.lower()]


def test_the_markers_are_there_for_their_owner(served: Flask, world: World) -> None:
    client = client_as(served, world, "owner")
    body = client.get("/account/my-data").get_data(as_text=True)
    assert {"contact", "group_contact", "email"} <= set(leaks(body))


def test_a_visitor_sees_no_personal_field_anywhere(served: Flask, world: World) -> None:
    client = served.test_client()
    found = {}
    for key in GETS:
        response = client.get(RULES[key].path(world))
        if names := leaks(response.get_data(as_text=True)):
            found[key] = names
    assert found == {}


def test_another_resident_sees_no_personal_field_anywhere(served: Flask, world: World) -> None:
    client = client_as(served, world, "resident")
    bearer = {"Authorization": f"Bearer {world.tokens['resident']}"}
    found = {}
    for key in GETS:
        headers = bearer if RULES[key].api else {}
        response = client.get(RULES[key].path(world), headers=headers)
        if names := leaks(response.get_data(as_text=True)):
            found[key] = names
    assert found == {}


def test_the_public_history_leaves_out_the_changed_contact(served: Flask, world: World) -> None:
    page = served.test_client().get(f"/assets/{world.ids['skill']}/history")
    assert page.status_code == 200
    assert "Personal details changed too." in page.get_data(as_text=True)
    assert leaks(page.get_data(as_text=True)) == []


def test_the_owner_sees_the_changed_contact_in_the_history(served: Flask, world: World) -> None:
    client = client_as(served, world, "owner")
    page = client.get(f"/assets/{world.ids['skill']}/history").get_data(as_text=True)
    assert MARKERS["contact"] + ".old" in page
