from __future__ import annotations

import contextlib

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import MARKET_PLACE, add_asset, statements, text

NEAR = f"{MARKET_PLACE[0]},{MARKET_PLACE[1]}"


def detail_reads(app: Flask) -> contextlib.AbstractContextManager[list[str]]:
    """Record each SQL statement the app runs meanwhile that reads a strength's description."""
    return statements(
        app, lambda statement: "asset.description" in statement and "FROM asset" in statement
    )


def add_twenty_with_descriptions(app: Flask) -> None:
    for number in range(20):
        add_asset(
            app,
            title=f"Choir {number}",
            description=f"Choir number {number} sings on Tuesdays.",
            lon=MARKET_PLACE[0] + 0.0002 * number,
            lat=MARKET_PLACE[1],
        )


def test_the_print_list_reads_every_strengths_details_in_one_query(
    app: Flask, client: FlaskClient
) -> None:
    add_twenty_with_descriptions(app)
    with detail_reads(app) as seen:
        page = client.get(f"/search/print?where=point&at={NEAR}&radius=800")
    assert page.status_code == 200
    shown = text(page.get_data(as_text=True))
    assert all(f"Choir number {number} sings on Tuesdays." in shown for number in range(20))
    assert len(seen) == 1


def test_a_print_list_that_finds_nothing_reads_no_details(app: Flask, client: FlaskClient) -> None:
    with detail_reads(app) as seen:
        page = client.get(f"/search/print?where=point&at={NEAR}&radius=800")
    assert page.status_code == 200 and "Nothing was found." in text(page.get_data(as_text=True))
    assert seen == []
