from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.web import db
from tests.web.helpers import MARKET_PLACE, add_asset, text

NEAR = f"{MARKET_PLACE[0]},{MARKET_PLACE[1]}"


@contextlib.contextmanager
def detail_reads(app: Flask) -> Iterator[list[str]]:
    """Record each SQL statement the app runs meanwhile that reads a strength's description."""
    seen: list[str] = []
    engine = db.database(app).engine

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "asset.description" in statement and "FROM asset" in statement:
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", executed)


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
