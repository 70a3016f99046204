from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from assetmap import create_app
from assetmap.domain.privacy import public_point
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset
from assetmap.storage.models.private import PrivatePoint
from assetmap.web import db
from tests.web.helpers import add_asset, add_user, count, csrf, form_token, signed_in, stored

EXACT = (-2.321234, 51.230987)
CONTACT = "07700 900123"
SKILL = {"title": "Bike repair", "themes": ["sport"], "share_modes": ["do"], "contact": CONTACT}


@pytest.fixture
def app(sqlite_url: str) -> Iterator[Flask]:
    """An app whose area is a box set around the town."""
    config = {"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test"}
    app = create_app({**config, "AREA_BBOX": "-2.42,51.19,-2.24,51.27"})
    yield app
    db.database(app).dispose()


def draft_from(page: str) -> str:
    match = re.search(r'name="draft" value="([^"]+)"', page)
    assert match, "the page carries no draft"
    return match.group(1)


class Steps:
    """Walks the add-a-strength steps as a browser would, carrying the CSRF token and draft."""

    def __init__(self, client: FlaskClient, kind: str = "skill") -> None:
        self.client = client
        self.kind = kind
        self.token = form_token(client, f"/strengths/new/{kind}")
        self.draft = ""

    def post(self, path: str, **data: Any) -> TestResponse:
        if self.draft:
            data.setdefault("draft", self.draft)
        response = self.client.post(path, data={"csrf_token": self.token, **data})
        page = response.get_data(as_text=True)
        if 'name="draft"' in page:
            self.draft = draft_from(page)
        return response

    def details(self, **fields: Any) -> TestResponse:
        return self.post(f"/strengths/new/{self.kind}", **(SKILL | fields))

    def pin(self, lon: Any = EXACT[0], lat: Any = EXACT[1]) -> TestResponse:
        return self.post(f"/strengths/new/{self.kind}/place", action="pin", lon=lon, lat=lat)

    def find(self, place: str) -> TestResponse:
        return self.post(f"/strengths/new/{self.kind}/place", action="find", place=place)

    def publish(self) -> TestResponse:
        return self.post(f"/strengths/new/{self.kind}/publish")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return signed_in(app, email="ann@example.org")


def test_adding_a_skill_in_steps_publishes_it_owned_by_the_person(
    app: Flask, client: FlaskClient
) -> None:
    steps = Steps(client)
    assert "Where is your skill?" in steps.details().get_data(as_text=True)
    assert "Check it before you publish" in steps.pin().get_data(as_text=True)
    response = steps.publish()
    assert response.headers["Location"] == "/strengths/mine"
    with app.app_context(), db.database().session() as session:
        [asset] = session.scalars(sa.select(Asset)).all()
        owner = user_store.get_user_by_email(session, "ann@example.org")
        assert owner is not None
        assert (asset.title, asset.owner_id, asset.contact) == ("Bike repair", owner.id, CONTACT)
        kept = session.get(PrivatePoint, asset.id)
        assert kept is not None and (kept.lon, kept.lat) == EXACT
        assert (asset.public_lon, asset.public_lat) != EXACT
    mine = client.get("/strengths/mine").get_data(as_text=True)
    published = '“<span lang="en-GB">Bike repair</span>” is published'
    assert published in mine and f"/assets/{asset.id}" in mine


def test_the_first_step_leads_to_the_form_for_the_kind_chosen(client: FlaskClient) -> None:
    token = form_token(client, "/strengths/new")
    response = client.post("/strengths/new", data={"csrf_token": token, "kind": "space"})
    assert response.headers["Location"] == "/strengths/new/space"
    page = client.get("/strengths/new/space").get_data(as_text=True)
    assert "What is the space called?" in page and "Opening times" in page


def test_nothing_is_saved_before_publish(app: Flask, client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.pin()
    steps.post("/strengths/new/skill", action="change")
    assert count(app, Asset) == 0


def test_preview_shows_a_skill_at_its_generalised_point_without_contact(
    client: FlaskClient,
) -> None:
    steps = Steps(client)
    steps.details()
    page = steps.pin().get_data(as_text=True)
    lon, lat = public_point("skill", *EXACT, 400.0)
    assert f"Within a few hundred metres of {lat:.4f}, {lon:.4f}" in page
    assert f"[{lat}, {lon}]" in page
    assert "51.230987" not in page and "-2.321234" not in page
    assert CONTACT not in page
    assert "the exact point you chose" in page and "how to get in touch" in page


def test_preview_shows_a_group_at_its_exact_point(client: FlaskClient) -> None:
    steps = Steps(client, "group")
    steps.details(title="Chess club", share_modes=[], meeting_pattern="Tuesdays")
    page = steps.pin().get_data(as_text=True)
    assert f"{EXACT[1]:.5f}, {EXACT[0]:.5f}" in page
    assert f"[{EXACT[1]}, {EXACT[0]}]" in page
    assert CONTACT not in page


@pytest.mark.parametrize(
    ("kind", "message"),
    [("boat", "What you are adding must be one of skill, group, space"), ("", "Choose a skill")],
)
def test_an_unknown_or_missing_kind_is_refused_beside_the_field(
    app: Flask, client: FlaskClient, kind: str, message: str
) -> None:
    token = form_token(client, "/strengths/new")
    response = client.post("/strengths/new", data={"csrf_token": token, "kind": kind})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and 'class="govuk-error-message"' in page
    assert '<a href="#kind">' in page


def test_an_unknown_kind_in_the_address_is_not_found(client: FlaskClient) -> None:
    assert client.get("/strengths/new/boat").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "The name must not be empty"),
        ({"title": "x" * 121}, "title", "The name must be at most 120 characters: you wrote 121"),
        ({"themes": ["boats"]}, "themes", "&#39;boats&#39; is not a theme"),
        ({"themes": []}, "themes", "Choose at least one theme"),
        ({"share_modes": []}, "share_modes", "Choose at least one way to share the skill"),
        ({"share_modes": ["juggle"]}, "share_modes", "&#39;juggle&#39; is not a way to share"),
        ({"description": "x" * 4001}, "description", "The description must be at most 4000"),
        ({"contact": "x" * 201}, "contact", "How to get in touch must be at most 200"),
        ({"tags": ",".join(f"t{i}" for i in range(11))}, "tags", "At most 10 tags: you gave 11"),
    ],
)
def test_each_bad_detail_is_refused_beside_its_field(
    app: Flask, client: FlaskClient, fields: dict[str, Any], field: str, message: str
) -> None:
    response = Steps(client).details(**fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert f'<a href="#{field}">' in page
    assert f'id="{field}-error"' in page
    assert count(app, Asset) == 0


def test_a_bad_capacity_is_refused_for_a_space(client: FlaskClient) -> None:
    steps = Steps(client, "space")
    response = steps.details(title="Town hall", share_modes=[], capacity="lots")
    assert response.status_code == 400
    assert "How many people it holds must be a whole number" in response.get_data(as_text=True)


def test_a_rejected_form_keeps_every_value_typed(client: FlaskClient) -> None:
    response = Steps(client).details(
        title="",
        description="Fixing punctures\nand brakes",
        themes=["sport", "environment"],
        tags="bikes, repair",
        availability="Saturdays",
        accessibility="Step-free workshop",
        contact_via_coach="y",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Fixing punctures\nand brakes</textarea>" in page
    assert re.search(r'value="sport" checked', page) and re.search(
        r'value="environment" checked', page
    )
    assert re.search(r'value="do" checked', page)
    for typed in ("bikes, repair", "Saturdays", CONTACT):
        assert f'value="{typed}"' in page
    assert "Step-free workshop</textarea>" in page
    assert re.search(
        r'id="contact_via_coach" name="contact_via_coach" type="checkbox" value="y" checked', page
    )


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (-2.5, 51.23, "The place is outside the area this assetmap covers"),
        (200, 51.23, "Longitude must be between -180 and 180<"),
        (-2.32, -91, "Latitude must be between -90 and 90<"),
        ("west", 51.23, "Longitude must be a number<"),
        ("", "", "Put the pin on the map, or type a postcode, street or place name below"),
    ],
)
def test_a_bad_pin_is_refused_beside_the_field(
    app: Flask, client: FlaskClient, lon: Any, lat: Any, message: str
) -> None:
    steps = Steps(client)
    steps.details()
    response = steps.pin(lon, lat)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'class="govuk-error-message"' in page and "govuk-error-summary" in page
    assert count(app, Asset) == 0


def test_an_unknown_place_name_is_refused_beside_the_field(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    response = steps.find("Atlantis")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "We could not find “Atlantis”" in page
    assert 'id="place-error"' in page and 'value="Atlantis"' in page


def test_an_empty_place_name_is_refused_beside_the_field(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    response = steps.find("  ")
    assert response.status_code == 400
    assert "Enter a postcode, street or place name" in response.get_data(as_text=True)


def test_a_place_found_outside_the_area_is_refused(sqlite_url: str) -> None:
    app = create_app(
        {"TESTING": True, "DATABASE_URL": sqlite_url, "AREA_BBOX": "-2.30,51.19,-2.24,51.27"}
    )
    steps = Steps(signed_in(app, email="ann@example.org"))
    steps.details()
    response = steps.find("Market Place")
    assert response.status_code == 400
    assert "The place is outside the area this assetmap covers" in response.get_data(as_text=True)
    app.extensions["assetmap.db"].dispose()


def test_a_place_name_with_one_match_goes_to_the_preview(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    page = steps.find("market place").get_data(as_text=True)
    assert "Check it before you publish" in page
    assert 'You placed it at <span translate="no">Market Place</span>.' in page


def test_a_place_name_with_several_matches_offers_a_choice(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    response = steps.find("Catherine")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Which place do you mean?" in page
    assert "Catherine Hill (street)" in page and "Catherine Street (street)" in page
    response = steps.post(
        "/strengths/new/skill/place", action="choose", looked_up="Catherine", choice="1"
    )
    placed = 'You placed it at <span translate="no">Catherine Street</span>.'
    assert placed in response.get_data(as_text=True)


def test_choosing_no_place_among_several_is_refused(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.find("Catherine")
    response = steps.post("/strengths/new/skill/place", action="choose", looked_up="Catherine")
    assert response.status_code == 400
    assert "Choose the place you mean" in response.get_data(as_text=True)


def test_changing_the_details_from_the_preview_keeps_the_place(client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.pin()
    page = steps.post("/strengths/new/skill", action="change").get_data(as_text=True)
    assert 'value="Bike repair"' in page
    page = steps.details(title="Bike and trailer repair").get_data(as_text=True)
    assert "Check it before you publish" in page and "Bike and trailer repair" in page


def test_a_changed_draft_is_refused(app: Flask, client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.draft = steps.draft[:-3] + "xyz"
    response = steps.pin()
    assert response.status_code == 400
    assert steps.publish().status_code == 400
    assert count(app, Asset) == 0


def test_a_draft_cannot_be_published_by_someone_else(app: Flask, client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.pin()
    other = Steps(signed_in(app, email="bob@example.org"))
    other.draft = steps.draft
    assert other.publish().status_code == 400
    assert count(app, Asset) == 0


def test_a_draft_for_one_kind_cannot_publish_another(app: Flask, client: FlaskClient) -> None:
    steps = Steps(client)
    steps.details()
    steps.pin()
    steps.kind = "group"
    assert steps.publish().status_code == 400


def test_text_with_html_is_stored_as_typed_and_shown_as_text(
    app: Flask, client: FlaskClient
) -> None:
    title = '<script>alert("x")</script> & <b>bikes</b>'
    steps = Steps(client)
    steps.details(title=title, description="<img src=x onerror=alert(1)>")
    preview = steps.pin().get_data(as_text=True)
    steps.publish()
    with app.app_context(), db.database().session() as session:
        [asset] = session.scalars(sa.select(Asset)).all()
        assert (asset.title, asset.description) == (title, "<img src=x onerror=alert(1)>")
    for page in (preview, client.get("/strengths/mine").get_data(as_text=True)):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bikes&lt;/b&gt;" in page
        )


def test_adding_needs_a_sign_in(app: Flask) -> None:
    response = app.test_client().get("/strengths/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def owned(app: Flask, client: FlaskClient, **values: Any) -> int:
    with app.app_context(), db.database().session() as session:
        owner = user_store.get_user_by_email(session, "ann@example.org")
        assert owner is not None
        owner_id = owner.id
    return add_asset(app, owner_id, **values)


def test_the_owner_changes_the_details(app: Flask, client: FlaskClient) -> None:
    asset_id = owned(app, client)
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    assert 'value="Chess club"' in page
    response = client.post(
        f"/strengths/{asset_id}/edit",
        data={
            "csrf_token": csrf(page),
            "title": "Chess and draughts club",
            "themes": ["learning", "older-people"],
            "meeting_pattern": "Fridays",
        },
    )
    assert response.headers["Location"] == "/strengths/mine"
    asset = stored(app, asset_id)
    assert (asset.title, asset.themes, asset.meeting_pattern) == (
        "Chess and draughts club",
        ["learning", "older-people"],
        "Fridays",
    )


def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = owned(app, client)
    page = client.get(f"/strengths/{asset_id}/edit").get_data(as_text=True)
    response = client.post(
        f"/strengths/{asset_id}/edit",
        data={
            "csrf_token": csrf(page),
            "title": "",
            "themes": ["learning"],
            "meeting_pattern": "Every other Friday",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The name must not be empty" in page and 'value="Every other Friday"' in page
    assert stored(app, asset_id).title == "Chess club"


def test_the_owner_moves_a_strength_to_a_typed_place(app: Flask, client: FlaskClient) -> None:
    asset_id = owned(app, client)
    page = client.get(f"/strengths/{asset_id}/location").get_data(as_text=True)
    response = client.post(
        f"/strengths/{asset_id}/location",
        data={"csrf_token": csrf(page), "action": "find", "place": "BA11 1JP"},
    )
    assert response.headers["Location"] == "/strengths/mine"
    asset = stored(app, asset_id)
    assert (asset.public_lon, asset.public_lat) == (-2.3213, 51.2296)


def test_moving_a_strength_outside_the_area_is_refused(app: Flask, client: FlaskClient) -> None:
    asset_id = owned(app, client)
    page = client.get(f"/strengths/{asset_id}/location").get_data(as_text=True)
    response = client.post(
        f"/strengths/{asset_id}/location",
        data={"csrf_token": csrf(page), "action": "pin", "lon": "-3.0", "lat": "51.23"},
    )
    assert response.status_code == 400
    assert "The place is outside the area" in response.get_data(as_text=True)
    assert stored(app, asset_id).public_lon == -2.32


def test_the_owner_marks_a_strength_still_current(app: Flask, client: FlaskClient) -> None:
    asset_id = owned(app, client, last_confirmed="2024-01-31")
    page = client.get("/strengths/mine").get_data(as_text=True)
    assert "31 January 2024" in page
    client.post(f"/strengths/{asset_id}/confirm", data={"csrf_token": csrf(page)})
    assert stored(app, asset_id).last_confirmed == dt.datetime.now(dt.UTC).date()


def test_a_withdrawn_strength_is_gone_from_every_public_view(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = owned(app, client, title="Ann's chess club")
    assert "Ann&#39;s chess club" in client.get("/").get_data(as_text=True)
    page = client.get(f"/strengths/{asset_id}/withdraw").get_data(as_text=True)
    assert "Withdraw this group?" in page
    response = client.post(f"/strengths/{asset_id}/withdraw", data={"csrf_token": csrf(page)})
    assert response.headers["Location"] == "/strengths/mine"
    visitor = app.test_client()
    assert "Ann&#39;s chess club" not in visitor.get("/").get_data(as_text=True)
    assert visitor.get(f"/assets/{asset_id}").status_code == 404
    assert "Withdrawn: nobody else sees it" in client.get("/strengths/mine").get_data(as_text=True)


def test_a_withdrawn_strength_cannot_be_changed(app: Flask, client: FlaskClient) -> None:
    asset_id = owned(app, client)
    token = form_token(client, "/strengths/mine")
    client.post(f"/strengths/{asset_id}/withdraw", data={"csrf_token": token})
    assert client.get(f"/strengths/{asset_id}/edit").status_code == 409


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("edit", {"title": "Taken over", "themes": ["learning"]}),
        ("location", {"action": "pin", "lon": "-2.30", "lat": "51.24"}),
        ("confirm", {}),
        ("withdraw", {}),
    ],
)
def test_another_resident_is_refused_and_nothing_changes(
    app: Flask, client: FlaskClient, path: str, data: dict[str, str]
) -> None:
    asset_id = owned(app, client, last_confirmed="2024-01-31")
    other = signed_in(app, email="bob@example.org")
    token = form_token(other, "/strengths/mine")
    response = other.post(f"/strengths/{asset_id}/{path}", data={"csrf_token": token, **data})
    assert response.status_code == 403
    asset = stored(app, asset_id)
    assert (asset.title, asset.public_lon, asset.status.value, asset.last_confirmed) == (
        "Chess club",
        -2.32,
        "published",
        dt.date(2024, 1, 31),
    )
    assert len(stored_revisions(app, asset_id)) == 1


def stored_revisions(app: Flask, asset_id: int) -> list[str]:
    with app.app_context(), db.database().session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        return [r.action.value for r in asset.revisions]


@pytest.mark.parametrize("path", ["edit", "location", "withdraw"])
def test_another_resident_cannot_open_the_change_pages(
    app: Flask, client: FlaskClient, path: str
) -> None:
    asset_id = owned(app, client)
    other = signed_in(app, email="bob@example.org")
    response = other.get(f"/strengths/{asset_id}/{path}")
    assert response.status_code == 403
    assert "You can only change your own strengths." in response.get_data(as_text=True)


def test_an_admin_moving_a_skill_is_not_shown_its_exact_point(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = owned(app, client, kind="skill", share_modes=["do"], lon=EXACT[0], lat=EXACT[1])
    admin = signed_in(app, "admin")
    page = admin.get(f"/strengths/{asset_id}/location").get_data(as_text=True)
    assert "51.230987" not in page and "-2.321234" not in page
    assert "51.230987" in client.get(f"/strengths/{asset_id}/location").get_data(as_text=True)


def test_my_strengths_lists_only_mine(app: Flask, client: FlaskClient) -> None:
    owned(app, client, title="Ann's chess club")
    bob = add_user(app, "bob@example.org")
    add_asset(app, bob, title="Bob's choir")
    page = client.get("/strengths/mine").get_data(as_text=True)
    assert "Ann&#39;s chess club" in page and "Bob&#39;s choir" not in page


def test_my_strengths_map_shows_a_skill_where_the_public_sees_it(
    app: Flask, client: FlaskClient
) -> None:
    owned(
        app, client, kind="skill", share_modes=["do"], lon=EXACT[0], lat=EXACT[1], contact=CONTACT
    )
    page = client.get("/strengths/mine").get_data(as_text=True)
    lon, lat = public_point("skill", *EXACT, 400.0)
    assert f"[{lat}, {lon}]" in page
    assert "51.230987" not in page and CONTACT not in page
    assert 'src="/static/js/place-picker.js"' not in page
