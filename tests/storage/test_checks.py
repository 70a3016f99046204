from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
import pytest
import shapely
import sqlalchemy as sa
from pyproj import Geod
from shapely.geometry import Point, Polygon, box, mapping
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.checks import (
    Proposal,
    ResponseDraft,
    TakePart,
    validate_decision,
    validate_proposal,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.findings import NEVER
from assetmap.domain.geo import BBox
from assetmap.storage import assets as store
from assetmap.storage import checks, moderation, users
from assetmap.storage.models import Asset, Neighbourhood
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

GEOD = Geod(ellps="WGS84")
AREA = BBox(-2.42, 51.19, -2.24, 51.27)
U_SHAPE = Polygon(
    [
        (-2.34, 51.215),
        (-2.30, 51.215),
        (-2.30, 51.245),
        (-2.31, 51.245),
        (-2.31, 51.225),
        (-2.33, 51.225),
        (-2.33, 51.245),
        (-2.34, 51.245),
    ],
    [[(-2.325, 51.217), (-2.315, 51.217), (-2.315, 51.222), (-2.325, 51.222)]],
)
THEMES = ["food", "sport", "arts"]


def scatter(session: orm.Session, make_draft: Callable[..., AssetDraft], count: int = 300) -> None:
    rng = np.random.default_rng(6)
    drafts = []
    for i in range(count):
        kind = ["skill", "group", "space"][i % 3]
        drafts.append(
            make_draft(
                kind=kind,
                title=f"Strength {i}",
                themes=[THEMES[int(rng.integers(3))]],
                lon=float(rng.uniform(-2.36, -2.28)),
                lat=float(rng.uniform(51.205, 51.255)),
            )
        )
    on_edges = [(-2.31, 51.235), (-2.34, 51.23), (-2.32, 51.217), (-2.30, 51.245)]
    drafts += [make_draft(themes=["food"], lon=lon, lat=lat) for lon, lat in on_edges]
    store.add_assets(session, drafts, owner_id=None, cell_m=400)
    for asset_id in (5, 50, 150):
        store.withdraw_asset(session, asset_id, by=None)
    session.commit()


def proposal(**overrides: Any) -> Proposal:
    values: dict[str, Any] = {
        "name": "Community kitchen",
        "purpose": "Cook and eat together.",
        "audience": "Everyone",
        "themes": ["food"],
        "catchment": "polygon",
        "polygon": orjson.dumps(mapping(U_SHAPE)).decode(),
    }
    values.update(overrides)
    clean, _ = validate_proposal(values, area=AREA, neighbourhoods=overrides.pop("known", None))
    return clean


def published_points(session: orm.Session, theme: str = "food") -> list[tuple[int, float, float]]:
    rows = session.execute(
        sa.select(Asset.id, Asset.public_lon, Asset.public_lat, Asset.themes).where(
            Asset.status == "published"
        )
    ).all()
    return [(r[0], r[1], r[2]) for r in rows if theme in r[3]]


def inside(findings: list[dict]) -> set[int]:
    return {f["id"] for f in findings if f["where"] == "inside"}


def nearby(findings: list[dict]) -> set[int]:
    return {f["id"] for f in findings if f["where"] == "nearby"}


def geodesic_to_edge(shape: Any, lon: float, lat: float) -> float:
    edge = shapely.get_coordinates(shapely.segmentize(shape.boundary, 0.00005))
    n = len(edge)
    _, _, distances = GEOD.inv(np.full(n, lon), np.full(n, lat), edge[:, 0], edge[:, 1])
    return float(distances.min())


def test_a_concave_polygon_with_a_hole_finds_exactly_what_shapely_finds(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    scatter(session, make_draft)
    found = checks.find_strengths(session, proposal())
    points = published_points(session)
    expected = {i for i, lon, lat in points if U_SHAPE.covers(Point(lon, lat))}
    assert len(expected) > 20
    assert inside(found) == expected


def test_strengths_just_outside_the_edge_are_those_within_500_metres(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    scatter(session, make_draft)
    found = checks.find_strengths(session, proposal())
    near = nearby(found)
    for i, lon, lat in published_points(session):
        if U_SHAPE.covers(Point(lon, lat)):
            continue
        distance = geodesic_to_edge(U_SHAPE, lon, lat)
        if distance < 499:
            assert i in near, (i, distance)
        elif distance > 501:
            assert i not in near, (i, distance)
    assert all(0 < f["distance_m"] <= 500 for f in found if f["where"] == "nearby")


def test_a_set_of_neighbourhoods_finds_exactly_what_their_union_holds(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    l_shape = Polygon(
        [
            (-2.35, 51.21),
            (-2.32, 51.21),
            (-2.32, 51.22),
            (-2.34, 51.22),
            (-2.34, 51.24),
            (-2.35, 51.24),
        ]
    )
    replace_neighbourhoods(
        session,
        [
            Area("ell", "Ell", l_shape),
            Area("east", "East", box(-2.32, 51.21, -2.29, 51.23)),
            Area("north", "North", box(-2.32, 51.23, -2.29, 51.25)),
        ],
    )
    scatter(session, make_draft)
    known = checks.neighbourhood_areas(session)
    found = checks.find_strengths(
        session, proposal(catchment="neighbourhoods", neighbourhoods=["ell", "east"], known=known)
    )
    union = l_shape.union(box(-2.32, 51.21, -2.29, 51.23))
    expected = {i for i, lon, lat in published_points(session) if union.covers(Point(lon, lat))}
    assert len(expected) > 20
    assert inside(found) == expected


def test_a_radius_finds_exactly_what_lies_within_it_geodesically(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    scatter(session, make_draft)
    found = checks.find_strengths(
        session, proposal(catchment="radius", lon="-2.32", lat="51.23", radius_m="1200")
    )
    points = published_points(session)
    ids = [p[0] for p in points]
    lons, lats = np.array([p[1] for p in points]), np.array([p[2] for p in points])
    _, _, distances = GEOD.inv(np.full(len(ids), -2.32), np.full(len(ids), 51.23), lons, lats)
    assert inside(found) == {i for i, d in zip(ids, distances, strict=True) if d <= 1200}
    assert nearby(found) == {i for i, d in zip(ids, distances, strict=True) if 1200 < d <= 1700}


def test_kinds_narrow_what_is_found(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    scatter(session, make_draft)
    found = checks.find_strengths(session, proposal(kinds=["space"]))
    assert found and {f["kind"] for f in found} == {"space"}


def test_a_key_word_finds_strengths_on_no_chosen_theme(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    uke = store.add_asset(
        session,
        make_draft(
            themes=["arts"], description="Ukulele strumming for beginners", lon=-2.335, lat=51.23
        ),
        owner_id=None,
        cell_m=400,
    )
    store.add_asset(
        session, make_draft(themes=["arts"], lon=-2.335, lat=51.231), owner_id=None, cell_m=400
    )
    session.commit()
    found = checks.find_strengths(session, proposal(themes=[], words="ukulele"))
    assert [(f["id"], f["matched"]) for f in found] == [(uke.id, ["ukulele"])]


def test_findings_hold_public_fields_and_a_skill_at_its_public_point(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    skill = store.add_asset(
        session,
        make_draft(kind="skill", themes=["food"], contact="07700 900123", lon=-2.3351, lat=51.2312),
        owner_id=None,
        cell_m=400,
    )
    session.commit()
    [found] = checks.find_strengths(session, proposal())
    assert not NEVER & found.keys()
    assert (found["lon"], found["lat"]) == (skill.public_lon, skill.public_lat)
    assert (found["lon"], found["lat"]) != (-2.3351, 51.2312)
    assert "07700 900123" not in orjson.dumps(found).decode()


def test_a_check_keeps_its_findings_after_the_map_changes(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    kept = store.add_asset(
        session,
        make_draft(title="Soup club", themes=["food"], lon=-2.335, lat=51.23),
        owner_id=None,
        cell_m=400,
    )
    gone = store.add_asset(
        session,
        make_draft(title="Bread club", themes=["food"], lon=-2.336, lat=51.23),
        owner_id=None,
        cell_m=400,
    )
    check = checks.start_check(session, proposal(), by=None)
    session.commit()
    store.update_asset(session, kept.id, {"title": "Soup and song"}, by=None, cell_m=400)
    store.withdraw_asset(session, gone.id, by=None)
    session.commit()
    session.expire_all()
    again = checks.require_check(session, check.id)
    assert [f["title"] for f in checks.current(again).findings] == ["Bread club", "Soup club"]


def test_running_again_adds_a_revision_and_keeps_the_first(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    gone = store.add_asset(
        session, make_draft(themes=["food"], lon=-2.336, lat=51.23), owner_id=None, cell_m=400
    )
    check = checks.start_check(session, proposal(), by=None)
    store.withdraw_asset(session, gone.id, by=None)
    checks.rerun_check(session, check.id, by=None)
    session.commit()
    first, second = checks.require_check(session, check.id).revisions
    assert (first.number, len(first.findings)) == (1, 1)
    assert (second.number, len(second.findings), second.change) == (
        2,
        0,
        "Run again on today's map; awaits a decision",
    )


def test_editing_the_proposal_adds_a_revision_and_the_old_one_stays_readable(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    check = checks.start_check(session, proposal(), by=None)
    checks.revise_check(session, check.id, proposal(name="Community cafe"), by=None)
    session.commit()
    session.expire_all()
    stored = checks.require_check(session, check.id)
    assert [r.name for r in stored.revisions] == ["Community kitchen", "Community cafe"]
    assert checks.revision_of(stored, 1).proposal["name"] == "Community kitchen"


def test_a_decision_is_a_new_revision_over_the_same_findings(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    soup = store.add_asset(
        session, make_draft(themes=["food"], lon=-2.335, lat=51.23), owner_id=None, cell_m=400
    )
    check = checks.start_check(session, proposal(), by=None)
    decision = validate_decision(
        {
            "kind": "support",
            "rationale": "It exists.",
            "decided_by": "Panel",
            "strengths": [str(soup.id)],
        },
        found={soup.id},
        today=dt.date(2026, 11, 30),
    )
    checks.record_decision(session, check.id, decision, by=None)
    session.commit()
    first, second = checks.require_check(session, check.id).revisions
    assert first.decision is None
    assert second.decision["strengths"] == [soup.id]
    assert (second.findings, second.run_at) == (first.findings, first.run_at)


def test_a_check_is_published_only_with_a_decision(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    check = checks.start_check(session, proposal(), by=None)
    with pytest.raises(ValidationError) as caught:
        checks.publish_check(session, check.id, by=None)
    assert list(caught.value.errors) == ["decision"]
    decision = validate_decision(
        {"kind": "not-proceed", "rationale": "Enough is there.", "decided_by": "Panel"},
        found=set(),
        today=dt.date(2026, 11, 30),
    )
    checks.record_decision(session, check.id, decision, by=None)
    checks.publish_check(session, check.id, by=None)
    session.commit()
    assert [c.id for c in checks.published_checks(session)] == [check.id]


def test_a_response_is_marked_acted_upon(session: orm.Session) -> None:
    check = checks.start_check(session, proposal(), by=None)
    draft = ResponseDraft(missed="The Friday soup run", take_part=TakePart.YES, comment="")
    with pytest.raises(ValidationError):
        checks.add_response(session, check.id, draft, by=None)
    check.published_at = check.created_at
    response = checks.add_response(session, check.id, draft, by=None)
    checks.mark_acted_upon(session, check.id, response.id, "Added to the map.", by=None)
    session.commit()
    [stored] = checks.require_check(session, check.id).responses
    assert (stored.take_part, stored.action_note) == ("yes", "Added to the map.")
    assert stored.acted_on_at is not None


def test_a_strength_is_published_now_only_while_published_and_its_owner_stands(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = users.create_user(session, "owner@example.org")
    gone_owner = users.create_user(session, "gone@example.org")
    session.flush()
    gone_owner.email = f"deleted-{gone_owner.id}@invalid"
    ids = [
        store.add_asset(session, make_draft(), owner_id=owner_id, cell_m=400).id
        for owner_id in (owner.id, None, gone_owner.id, owner.id, owner.id)
    ]
    store.withdraw_asset(session, ids[3], by=None)
    moderation.hide_asset(session, ids[4], by=None, reason="A home address")
    session.commit()
    assert set(checks.still_published(session, ids)) == {ids[0], ids[1]}


WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))


def scope_of(session: orm.Session, *codes: str) -> frozenset[int]:
    replace_neighbourhoods(session, [WEST, EAST])
    session.commit()
    rows = session.execute(sa.select(Neighbourhood.code, Neighbourhood.id))
    return frozenset(n for code, n in rows if code in codes)


def drawn(shape: Any) -> Proposal:
    return proposal(polygon=orjson.dumps(mapping(shape)).decode())


def test_an_outline_straying_a_little_past_the_scope_reaches_only_it(
    session: orm.Session,
) -> None:
    scope = scope_of(session, "west")
    stray_lon = GEOD.fwd(-2.32, 51.23, 90, 10)[0]
    catchment = drawn(box(-2.34, 51.22, stray_lon, 51.24)).catchment
    assert checks.catchment_reach(session, catchment, scope) == scope


def test_a_thin_corridor_out_of_the_scope_reaches_beyond_it(session: orm.Session) -> None:
    scope = scope_of(session, "west")
    corridor = shapely.LineString([(-2.33, 51.23), (-2.305, 51.23)]).buffer(0.0002)
    catchment = drawn(WEST.boundary.union(corridor)).catchment
    assert None in checks.catchment_reach(session, catchment, scope)


def test_named_neighbourhoods_outside_the_scope_reach_beyond_it(session: orm.Session) -> None:
    scope = scope_of(session, "west")
    known = checks.neighbourhood_areas(session)
    named = proposal(catchment="neighbourhoods", neighbourhoods=["west", "east"], known=known)
    assert checks.catchment_reach(session, named.catchment, scope) == {*scope, None}
