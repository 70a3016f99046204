from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyogrio
import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as store
from assetmap.storage.models import Asset, AssetSchedule, Tie
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from tests.exchange.helpers import (
    copy_of,
    demo_template,
    empty_template,
    export_bytes,
    import_path,
)

TODAY = dt.date(2026, 12, 7)
WEEKLY = {"frequency": "weekly", "weekdays": "TU", "start_time": "19:00", "end_time": "21:00"}
MONTHLY = {"frequency": "monthly-by-date", "day_of_month": "3", "start_time": "10:00"}


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(demo_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


@pytest.fixture
def tied(session: orm.Session) -> dict[str, int]:
    def first(kind: str, count: int) -> list[int]:
        query = sa.select(Asset.id).where(Asset.kind == kind).order_by(Asset.id).limit(count)
        return list(session.scalars(query))

    session.execute(sa.delete(Tie))
    session.execute(sa.delete(AssetSchedule))
    group, other = first("group", 2)
    hall, park, closed = first("space", 3)
    skill = first("skill", 1)[0]
    schedules = [validate_schedule(raw, today=TODAY) for raw in (WEEKLY, MONTHLY)]
    set_schedules(session, group, schedules, by=None)
    for space in (hall, park, closed):
        add_tie(session, TieKind.MEETS_AT, group, space, by=None)
    add_tie(session, TieKind.OFFERS, skill, group, by=None)
    store.withdraw_asset(session, closed, by=None)
    session.commit()
    return {"group": group, "other": other, "hall": hall, "park": park, "skill": skill}


def _features(session: orm.Session) -> dict[int, dict[str, Any]]:
    document = orjson.loads(export_bytes(session, "geojson"))
    return {feature["id"]: feature["properties"] for feature in document["features"]}


def test_geojson_says_when_a_group_meets_and_where_in_published_spaces_only(
    session: orm.Session, tied: dict[str, int]
) -> None:
    group = _features(session)[tied["group"]]
    assert group["schedule"] == "Every Tuesday, 7pm to 9pm; The 3rd of every month, 10am"
    assert group["meets_at"] == [tied["hall"], tied["park"]]


def test_strengths_with_no_schedule_or_tie_have_neither(
    session: orm.Session, tied: dict[str, int]
) -> None:
    features = _features(session)
    for name in ("other", "hall", "skill"):
        assert features[tied[name]]["schedule"] is None
        assert features[tied[name]]["meets_at"] is None


def test_csv_and_geopackage_carry_the_same_columns(
    session: orm.Session, tied: dict[str, int], tmp_path: Path
) -> None:
    rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(_csv(session)))}
    assert rows[tied["group"]]["meets_at"] == f"{tied['hall']},{tied['park']}"
    assert rows[tied["group"]]["schedule"].startswith("Every Tuesday")
    assert rows[tied["skill"]]["meets_at"] == rows[tied["skill"]]["schedule"] == ""
    path = tmp_path / "export.gpkg"
    path.write_bytes(export_bytes(session, "gpkg"))
    frame = pyogrio.read_dataframe(path).set_index("id")
    assert frame.loc[tied["group"], "meets_at"] == f"{tied['hall']},{tied['park']}"


def _csv(session: orm.Session) -> str:
    return export_bytes(session, "csv").decode()


def test_an_offered_skill_is_never_a_place_a_group_meets(
    session: orm.Session, tied: dict[str, int]
) -> None:
    features = _features(session)
    assert all(tied["skill"] not in (p["meets_at"] or []) for p in features.values())


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_with_these_columns_imports_into_an_empty_register(
    session: orm.Session,
    tied: dict[str, int],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    fmt: str,
) -> None:
    path = tmp_path / f"register.{fmt}"
    path.write_bytes(export_bytes(session, fmt))
    target = copy_of(empty_template(tmp_path_factory), tmp_path, "other.db")
    with target.session() as other:
        report = import_path(other, path)
        assert report.written and not report.counts.get("rejected")
        assert report.counts["added"] == session.scalar(
            sa.select(sa.func.count()).where(Asset.status == "published")
        )
    target.dispose()
