from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from assetmap.storage import assets as store
from assetmap.web import db
from tests.web.helpers import PRIVATE_SKILL, add_asset


def test_front_page_counts_what_is_published(app: Flask, client: FlaskClient) -> None:
    add_asset(app)
    add_asset(app, kind="space", title="Cheese and Grain hall")
    page = client.get("/").get_data(as_text=True)
    assert "Chess club" in page and "Cheese and Grain hall" in page
    assert '<span class="counts__number">1</span> group' in page
    assert '<span class="counts__number">0</span> skills' in page


def test_user_text_is_escaped(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app, title="Fish & chips <script>alert(1)</script> quiz")
    for path in ("/", f"/assets/{asset_id}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "Fish &amp; chips &lt;script&gt;alert(1)&lt;/script&gt; quiz" in page


def test_skill_page_shows_no_contact_or_exact_point(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app, **PRIVATE_SKILL)
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert "Bike repair" in page
    assert "07700 900123" not in page
    assert "-2.3212" not in page and "51.2309" not in page


def test_withdrawn_asset_page_is_gone(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app)
    with app.app_context(), db.database().session() as session:
        store.withdraw_asset(session, asset_id, by=None)
        session.commit()
    response = client.get(f"/assets/{asset_id}")
    assert response.status_code == 404
    assert f"Asset {asset_id} doesn" in response.get_data(as_text=True)


def test_missing_page_answers_json_to_programs(client: FlaskClient) -> None:
    response = client.get("/assets/999", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_health_reports_a_current_schema(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_stylesheet_is_served_by_the_app(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'href="/static/assetmap.css"' in page
    assert client.get("/static/assetmap.css").status_code == 200


def test_front_page_marks_a_long_unconfirmed_strength(app: Flask, client: FlaskClient) -> None:
    add_asset(app, title="Old chess club", last_confirmed="2020-01-01")
    add_asset(app, title="New chess club")
    items = client.get("/").get_data(as_text=True).split("<li>")
    [old] = [item for item in items if "Old chess club" in item]
    [new] = [item for item in items if "New chess club" in item]
    assert ">Unconfirmed<" in old
    assert ">Unconfirmed<" not in new
