from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.exchange.report import Outcome
from assetmap.storage.models import Asset, Neighbourhood
from tests.exchange.helpers import import_path, neighbourhoods_only


@pytest.fixture
def target(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = neighbourhoods_only(tmp_path_factory, tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def places(session: orm.Session) -> dict[str, tuple[int, float, float]]:
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id, Neighbourhood.boundary))
    found = {}
    for code, n, wkb in rows:
        point = shapely.from_wkb(wkb).representative_point()
        found[code] = (n, point.x, point.y)
    return found


def file_of(folder: Path, session: orm.Session, *codes: str) -> Path:
    known = places(session)
    lines = ["kind,title,themes,lon,lat"]
    lines += [f"group,Club in {code},arts,{known[code][1]},{known[code][2]}" for code in codes]
    path = folder / "clubs.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(session: orm.Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Asset)) or 0


def test_a_row_outside_the_allowed_neighbourhoods_is_rejected_and_nothing_written(
    target: orm.Session, tmp_path: Path
) -> None:
    allowed = frozenset({places(target)["frome-keyford"][0]})
    path = file_of(tmp_path, target, "frome-keyford", "frome-market")
    report = import_path(target, path, neighbourhoods=allowed)
    assert not report.written and count(target) == 0
    [entry] = report.entries[Outcome.REJECTED]
    assert (entry.where, entry.field, entry.reason) == (
        "row 3",
        "location",
        "is outside your neighbourhoods",
    )


def test_rows_inside_the_allowed_neighbourhoods_are_written(
    target: orm.Session, tmp_path: Path
) -> None:
    known = places(target)
    allowed = frozenset({known["frome-keyford"][0], known["frome-market"][0]})
    path = file_of(tmp_path, target, "frome-keyford", "frome-market")
    report = import_path(target, path, neighbourhoods=allowed)
    assert report.written and count(target) == 2


def test_without_allowed_neighbourhoods_an_import_goes_anywhere(
    target: orm.Session, tmp_path: Path
) -> None:
    path = file_of(tmp_path, target, "frome-keyford", "frome-market", "frome-college")
    assert import_path(target, path).written and count(target) == 3


def test_a_feature_outside_is_skipped_where_outside_rows_are_skipped(
    target: orm.Session, tmp_path: Path
) -> None:
    allowed = frozenset({places(target)["frome-keyford"][0]})
    path = file_of(tmp_path, target, "frome-keyford", "frome-market")
    report = import_path(target, path, neighbourhoods=allowed, skip_outside=True)
    assert report.written and count(target) == 1
    [entry] = report.entries[Outcome.SKIPPED]
    assert (entry.where, entry.reason) == ("row 3", "is outside your neighbourhoods")
