"""Many processes writing to one SQLite file at once lose nothing and never see a lock error."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import sqlalchemy as sa

from assetmap.domain.assets import validate_asset
from assetmap.storage import assets as store
from assetmap.storage import database as db

WRITERS = 8
EACH = 500


def _write(url: str, writer: int, start: multiprocessing.synchronize.Event) -> list[str]:
    database = db.connect(url)
    errors: list[str] = []
    start.wait()
    for i in range(EACH):
        draft = validate_asset(
            {
                "kind": "group",
                "title": f"Writer {writer} group {i}",
                "themes": ["sport"],
                "lon": -2.32 + writer / 1000,
                "lat": 51.23 + i / 100_000,
            }
        )
        try:
            with database.session() as session:
                asset = store.add_asset(session, draft, owner_id=None, cell_m=400.0)
                session.commit()
                # A read-then-write transaction is the one SQLite can refuse at once.
                store.update_asset(
                    session, asset.id, {"description": "updated"}, by=None, cell_m=400.0
                )
                session.commit()
        except sa.exc.OperationalError as exc:
            errors.append(str(exc.orig))
    database.dispose()
    return errors


def test_eight_writers_lose_nothing(sqlite_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(WRITERS) as pool:
        pending = [pool.apply_async(_write, (sqlite_url, w, start)) for w in range(WRITERS)]
        start.set()
        errors = [error for result in pending for error in result.get(timeout=600)]
    assert errors == []
    path = Path(sa.make_url(sqlite_url).database)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        count = lambda sql: connection.exec_driver_sql(sql).scalar()  # noqa: E731
        assert count("SELECT count(*) FROM asset") == WRITERS * EACH
        assert count("SELECT count(*) FROM asset WHERE description = 'updated'") == WRITERS * EACH
        assert count("SELECT count(*) FROM revision") == 2 * WRITERS * EACH
        assert count("SELECT count(*) FROM asset_rtree") == WRITERS * EACH
        assert (
            count("SELECT count(*) FROM asset_fts WHERE asset_fts MATCH 'updated'")
            == WRITERS * EACH
        )
    engine.dispose()
