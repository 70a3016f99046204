from __future__ import annotations

import contextlib

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import MARKET_PLACE, add_asset, add_user, bearer, sign_in, statements

NEAR = f"{MARKET_PLACE[0]},{MARKET_PLACE[1]}"


def contact_reads(app: Flask) -> contextlib.AbstractContextManager[list[str]]:
    """Record each SQL statement the app runs meanwhile that reads a strength's contact."""
    return statements(app, lambda statement: "contact" in statement and "FROM asset" in statement)


def add_twenty_with_contacts(app: Flask) -> None:
    for number in range(20):
        east = MARKET_PLACE[0] + 0.0002 * number
        add_asset(
            app,
            title=f"Choir {number}",
            lon=east,
            lat=MARKET_PLACE[1],
            contact=f"choir{number}@example.org",
            contact_via_coach=True,
        )


def test_a_page_of_twenty_api_results_reads_their_contacts_in_one_query(
    app: Flask, client: FlaskClient
) -> None:
    add_twenty_with_contacts(app)
    coach = bearer(app, add_user(app, "cleo@example.org", "coach", password=None))
    with contact_reads(app) as seen:
        listed = client.get(f"/api/assets?near={NEAR}&limit=20", headers=coach).get_json()
    contacts = [f["properties"].get("contact") for f in listed["features"]]
    assert len(contacts) == 20 and all(contacts)
    assert len(seen) == 1


def test_a_page_of_twenty_search_results_reads_their_contacts_in_one_query(
    app: Flask, client: FlaskClient
) -> None:
    add_twenty_with_contacts(app)
    sign_in(app, client, "coach")
    with contact_reads(app) as seen:
        page = client.get(f"/search?where=point&at={NEAR}&radius=800")
    assert page.status_code == 200
    assert "choir19@example.org" in page.get_data(as_text=True)
    assert len(seen) == 1
