"""Attacks on where a person's skill really is, carried out as an attacker would.

Each test is a finding of the security review: it fails if the attack works again.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Geod

from assetmap.domain.privacy import generalise_point
from assetmap.domain.vocab import Kind, Status
from assetmap.storage import roles
from assetmap.storage.models import Asset, Neighbourhood, Revision
from assetmap.storage.models.private import PrivatePoint
from assetmap.web import db
from tests.web.helpers import add_user, export, sign_in_as, text, upload

GEOD = Geod(ellps="WGS84")
CELL_M = 400.0


@pytest.fixture
def app(demo_register: Flask) -> Flask:
    return demo_register


def staff(app: Flask, email: str, limited: bool = False) -> FlaskClient:
    """Return a client signed in as a planner, limited to every neighbourhood if ``limited``."""
    user_id = add_user(app, email, "planner")
    with app.app_context(), db.database().session() as session:
        ids = list(session.scalars(sa.select(Neighbourhood.id))) if limited else []
        roles.change_role(session, user_id, role="planner", neighbourhoods=ids, by=None)
        session.commit()
    client = app.test_client()
    sign_in_as(client, email)
    return client


def a_skill(
    app: Flask, status: Status
) -> tuple[int, str, tuple[float, float], tuple[float, float]]:
    """Return a demo skill's id, title, exact point and public point, set to ``status``."""
    with app.app_context(), db.database().session() as session:
        asset, exact_lon, exact_lat = session.execute(
            sa.select(Asset, PrivatePoint.lon, PrivatePoint.lat)
            .join(PrivatePoint, PrivatePoint.asset_id == Asset.id)
            .where(Asset.kind == Kind.SKILL, Asset.neighbourhood_id.is_not(None))
            .order_by(Asset.id)
            .limit(1)
        ).one()
        if status is not Status.PUBLISHED:
            asset.status, asset.hidden_reason = status, "Reported as out of date."
        session.commit()
        public = (asset.public_lon, asset.public_lat)
        return asset.id, asset.title, (exact_lon, exact_lat), public


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def ring_of_rows(around: tuple[float, float], step_m: float, n: int) -> list[tuple[float, float]]:
    """Return an ``n`` by ``n`` grid of points ``step_m`` apart, centred on ``around``."""
    offsets = (np.arange(n) - (n - 1) / 2) * step_m
    points = []
    for north in offsets:
        lon, lat, _ = GEOD.fwd(around[0], around[1], 0.0, north)
        for east in offsets:
            plon, plat, _ = GEOD.fwd(lon, lat, 90.0, east)
            points.append((round(plon, 7), round(plat, 7)))
    return points


def dry_run(client: FlaskClient, title: str, kind: str, points: list[tuple[float, float]]) -> str:
    lines = ["kind,title,themes,share_modes,lon,lat"]
    shared = "teach" if kind == "skill" else ""
    lines += [f"{kind},{title},learning,{shared},{lon},{lat}" for lon, lat in points]
    response = upload(client, ("\n".join(lines) + "\n").encode(), "probe.csv")
    assert response.status_code in (200, 400)
    return response.get_data(as_text=True)


def matched_rows(page: str, asset_id: int) -> dict[int, str]:
    """Return the rows the report says duplicate the strength, with the reason it gives."""
    found = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', page, re.S):
        cells = [
            text(c) for c in re.findall(r'<td class="govuk-table__cell">(.*?)</td>', row, re.S)
        ]
        if cells and cells[0].startswith("row ") and f"strength {asset_id}" in cells[-1]:
            found[int(cells[0].split()[1])] = cells[-1]
    return found


def move_within_its_cell(app: Flask, asset_id: int, exact: tuple[float, float]) -> None:
    """Put the skill's exact point elsewhere in the same grid cell, as its owner might."""
    lon, lat, _ = GEOD.fwd(exact[0], exact[1], 45.0, 5.0)
    with app.app_context(), db.database().session() as session:
        kept = session.get(PrivatePoint, asset_id)
        assert kept is not None
        kept.lon, kept.lat = lon, lat
        session.commit()


def shown_with(
    public: tuple[float, float], points: list[tuple[float, float]], kind: str
) -> set[tuple[float, float]]:
    """Return the probe points a report may tie to a skill: those judged by public points alone.

    A skill row is placed at its own cell's centre, so it matches when that is the skill's
    public point; a group row matches within 50 m of the skill's public point.
    """
    if kind == "skill":
        return {p for p in points if generalise_point(*p, CELL_M) == public}
    return {p for p in points if metres(p, public) <= 50.0}


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.HIDDEN])
@pytest.mark.parametrize("limited", [False, True], ids=["planner", "limited planner"])
@pytest.mark.parametrize("kind", ["group", "skill"])
def test_an_import_check_tells_a_planner_nothing_of_where_a_skill_really_is(
    app: Flask, status: Status, limited: bool, kind: str
) -> None:
    asset_id, title, exact, public = a_skill(app, status)
    planner = staff(app, "prober@example.org", limited)
    points = ring_of_rows(public, 60.0, 9)
    matched = matched_rows(dry_run(planner, title, kind, points), asset_id)
    assert not any("m away" in reason for reason in matched.values())
    assert {points[row - 2] for row in matched} == shown_with(public, points, kind)
    hits = np.array([points[row - 2] for row in matched])
    estimate = (float(hits[:, 0].mean()), float(hits[:, 1].mean()))
    if kind == "skill":
        estimate = generalise_point(*estimate, CELL_M)
    assert metres(estimate, exact) >= metres(public, exact) - 0.5
    move_within_its_cell(app, asset_id, exact)
    assert matched_rows(dry_run(planner, title, kind, points), asset_id) == matched


def test_a_strength_imported_without_an_id_gets_one_that_says_nothing_of_where_it_is(
    app: Flask,
) -> None:
    planner = staff(app, "importer@example.org")
    rows = "kind,title,themes,share_modes,lon,lat\n"
    rows += "skill,Darning lessons,learning,teach,-2.3201,51.2302\n"
    page = upload(planner, rows.encode(), "skills.csv").get_data(as_text=True)
    assert "Checked, nothing written yet" in page
    planner.post(
        "/exchange/import/confirm",
        data={
            "csrf_token": re.search(
                r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page
            ).group(1)
        },
    )
    features = export(planner, format="geojson").get_json()["features"]
    [darning] = [f for f in features if f["properties"]["title"] == "Darning lessons"]
    source_id = darning["properties"]["source_id"]
    assert re.fullmatch(r"id:[0-9a-f]{20}", source_id)
    for part in ("-2.3201", "51.2302", "2.3201", "51.23"):
        assert part not in source_id


def test_an_admin_reads_a_skills_history_at_its_public_point_only(app: Flask) -> None:
    asset_id, _title, exact, public = a_skill(app, Status.PUBLISHED)
    admin = app.test_client()
    add_user(app, "history-admin@example.org", "admin")
    sign_in_as(admin, "history-admin@example.org")
    page = admin.get(f"/assets/{asset_id}/history").get_data(as_text=True)
    assert str(public[0])[:8] in page or "location" in page
    for value in exact:
        assert f"{value:.5f}"[:-1] not in page
    with app.app_context(), db.database().session() as session:
        stored = " ".join(
            str(changes)
            for changes in session.scalars(
                sa.select(Revision.changes).where(Revision.asset_id == asset_id)
            )
        )
    assert f"{exact[0]:.6f}" not in stored and f"{exact[1]:.6f}" not in stored
