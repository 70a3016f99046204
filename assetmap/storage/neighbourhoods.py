"""Neighbourhoods: named areas of the map, and which one each asset lies in."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy import orm

from assetmap.domain.boundaries import as_boundary
from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Status
from assetmap.storage.area import refresh_area
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, Neighbourhood, User, UserScope

if TYPE_CHECKING:
    import geopandas as gpd

# How far (geodesic metres) an outline may stray past the neighbourhoods it lies in: drawn edges
# seldom follow theirs exactly.
REACH_TOLERANCE_M = 25.0
# Neighbouring boundaries may not meet exactly; this closes the seams between them (metres).
_SEAM_M = 1.0
# A boundary whose every vertex stays within this many degrees (about a centimetre) is unchanged.
_SAME_DEG = 1e-7
# An asset as filed: its id, public point (lon, lat) and neighbourhood.
_Filed = tuple[int, float, float, int | None]


@dataclass(frozen=True)
class Area:
    """A neighbourhood to store: a short code, a name and its boundary (EPSG:4326)."""

    code: str
    name: str
    boundary: BaseGeometry


@dataclass(frozen=True)
class Named:
    """A neighbourhood as a person knows it: its code and name."""

    code: str
    name: str


@dataclass(frozen=True)
class Changed:
    """A neighbourhood kept by its code whose name or boundary is new."""

    code: str
    name: str
    old_name: str
    boundary: bool


@dataclass(frozen=True)
class NeighbourhoodPlan:
    """What storing a set of neighbourhoods adds, changes and removes, matched by code, and how
    many staff accounts limited to neighbourhoods lose one of theirs."""

    added: list[Named]
    changed: list[Changed]
    removed: list[Named]
    kept: int
    scopes_lost: int
    # The id of each neighbourhood held, by code, as the plan found them.
    held_ids: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Refiled:
    """Strengths filed under another neighbourhood (or under none) after a change, and how many
    lie in none now."""

    moved: int
    outside: int


def replace_neighbourhoods(session: orm.Session, areas: Iterable[Area]) -> int:
    """Store these neighbourhoods in place of any held, keeping the ids of those whose code is
    kept; file every asset under one and work the area out again."""
    stored = list(areas)
    store_neighbourhoods(session, stored)
    return len(stored)


def store_neighbourhoods(
    session: orm.Session, areas: Sequence[Area]
) -> tuple[NeighbourhoodPlan, Refiled]:
    """Add, change and remove neighbourhoods by code so the ones held are ``areas``, in the
    session's transaction; then file every asset under the one its public point lies in and
    work the service area out again. Nothing is committed."""
    begin_write(session)
    plan = plan_neighbourhoods(session, areas)
    filed = _filed(session)
    removed = _write(session, areas, plan)
    refiled = _refile(session, filed, removed)
    refresh_area(session)
    return plan, refiled


def _write(session: orm.Session, areas: Sequence[Area], plan: NeighbourhoodPlan) -> frozenset[int]:
    """Write the plan; return the ids of the neighbourhoods removed."""
    rows = {area.code: _row(area) for area in areas}
    held = plan.held_ids
    removed = [held[named.code] for named in plan.removed]
    if removed:
        session.execute(sa.delete(Neighbourhood).where(Neighbourhood.id.in_(removed)))
    for changed in plan.changed:
        session.execute(
            sa.update(Neighbourhood)
            .where(Neighbourhood.id == held[changed.code])
            .values(**_values(rows[changed.code]))
        )
    session.add_all(rows[named.code] for named in plan.added)
    session.flush()
    return frozenset(removed)


def plan_neighbourhoods(session: orm.Session, areas: Sequence[Area]) -> NeighbourhoodPlan:
    """Return what storing ``areas`` would add, change and remove; write nothing.

    Raises ValidationError where removing neighbourhoods would leave a staff account limited to
    none of them: an account limited to no neighbourhood is limited nowhere, so the removal
    would widen what that person may do.
    """
    _check_codes(areas)
    held = _held(session)
    wanted = {area.code: area for area in areas}
    changed = [_changed(held[a.code], a) for a in areas if a.code in held]
    gone = [row for code, row in held.items() if code not in wanted]
    lost, unlimited = _scopes_lost(session, [row.id for row in gone])
    if unlimited:
        raise ValidationError({"neighbourhoods": _would_widen(gone, unlimited)})
    return NeighbourhoodPlan(
        added=[Named(a.code, a.name) for a in areas if a.code not in held],
        changed=[c for c in changed if c is not None],
        removed=[Named(row.code, row.name) for row in gone],
        kept=sum(c is None for c in changed),
        scopes_lost=lost,
        held_ids={code: row.id for code, row in held.items()},
    )


def _check_codes(areas: Sequence[Area]) -> None:
    counts = Counter(area.code for area in areas)
    twice = sorted(code for code, count in counts.items() if count > 1)
    if twice:
        raise ValidationError({"code": f"must be unique; given more than once: {', '.join(twice)}"})


def _held(session: orm.Session) -> dict[str, Neighbourhood]:
    return {row.code: row for row in session.scalars(sa.select(Neighbourhood))}


def _changed(row: Neighbourhood, area: Area) -> Changed | None:
    new = as_boundary(area.boundary)[0]
    old = shapely.from_wkb(row.boundary)
    moved = not shapely.equals_exact(
        shapely.normalize(old), shapely.normalize(new), tolerance=_SAME_DEG
    )
    if not moved and row.name == area.name:
        return None
    return Changed(area.code, area.name, row.name, moved)


def _would_widen(gone: Sequence[Neighbourhood], emails: Sequence[str]) -> str:
    names = ", ".join(f"{row.name} ({row.code})" for row in gone)
    return (
        f"this would remove {names}, the only neighbourhoods that {', '.join(emails)} "
        "may work in, which would let them work everywhere. First limit them to a "
        "neighbourhood the file keeps (flask --app assetmap set-role EMAIL planner "
        "--neighbourhood CODE), or make them residents"
    )


def _scopes_lost(session: orm.Session, removed: Sequence[int]) -> tuple[int, list[str]]:
    """Return how many accounts are limited to any of the ``removed`` neighbourhoods, and the
    addresses of those limited to none but them."""
    if not removed:
        return 0, []
    losing = sa.select(UserScope.user_id).where(UserScope.neighbourhood_id.in_(removed))
    lost = session.scalar(
        sa.select(sa.func.count(sa.distinct(UserScope.user_id))).where(
            UserScope.neighbourhood_id.in_(removed)
        )
    )
    kept = sa.select(UserScope.user_id).where(UserScope.neighbourhood_id.not_in(removed))
    unlimited = session.scalars(
        sa.select(User.email).where(User.id.in_(losing), User.id.not_in(kept)).order_by(User.email)
    ).all()
    return int(lost or 0), list(unlimited)


def _row(area: Area) -> Neighbourhood:
    try:
        geometry = as_boundary(area.boundary)[0]
    except ValueError as exc:
        raise ValidationError({f"neighbourhood {area.code}": str(exc)}) from None
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return Neighbourhood(
        code=area.code,
        name=area.name,
        boundary=shapely.to_wkb(geometry),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
    )


def _values(row: Neighbourhood) -> dict[str, object]:
    return {
        column: getattr(row, column)
        for column in ("name", "boundary", "min_lon", "min_lat", "max_lon", "max_lat")
    }


def neighbourhood_layer(session: orm.Session) -> gpd.GeoDataFrame:
    """Return the neighbourhoods with how many published assets each holds (EPSG:4326)."""
    import geopandas as gpd

    counts = (
        sa.select(Asset.neighbourhood_id, sa.func.count().label("assets"))
        .where(Asset.status == Status.PUBLISHED)
        .group_by(Asset.neighbourhood_id)
        .subquery()
    )
    query = (
        sa.select(
            Neighbourhood.id,
            Neighbourhood.code,
            Neighbourhood.name,
            Neighbourhood.boundary,
            sa.func.coalesce(counts.c.assets, 0),
        )
        .outerjoin(counts, counts.c.neighbourhood_id == Neighbourhood.id)
        .order_by(Neighbourhood.name)
    )
    rows = session.execute(query).all()
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "code": [r[1] for r in rows],
            "name": [r[2] for r in rows],
            "assets": [int(r[4]) for r in rows],
        },
        geometry=shapely.from_wkb([r[3] for r in rows]) if rows else [],
        crs="EPSG:4326",
    )


def neighbourhood_choices(session: orm.Session) -> list[tuple[int, str, str]]:
    """Return every neighbourhood's ``(id, code, name)``, by name."""
    query = sa.select(Neighbourhood.id, Neighbourhood.code, Neighbourhood.name).order_by(
        Neighbourhood.name
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def locate(session: orm.Session, lons: Sequence[float], lats: Sequence[float]) -> list[int | None]:
    """Return the id of the neighbourhood each point lies in, or None where it lies in none."""
    rows = session.execute(sa.select(Neighbourhood.id, Neighbourhood.boundary)).all()
    if not rows or not len(lons):
        return [None] * len(lons)
    shapes = shapely.from_wkb([row[1] for row in rows])
    points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    found: list[int | None] = [None] * len(lons)
    point_index, shape_index = shapely.STRtree(shapes).query(points, predicate="intersects")
    for p, s in zip(point_index.tolist(), shape_index.tolist(), strict=True):
        if found[p] is None:
            found[p] = rows[s][0]
    return found


def neighbourhoods_reached(
    session: orm.Session, outline: BaseGeometry, tolerance_m: float = REACH_TOLERANCE_M
) -> frozenset[int | None]:
    """Return the ids of the neighbourhoods an outline (EPSG:4326) reaches more than
    ``tolerance_m`` into; None among them where it reaches that far into land in none."""
    import geopandas as gpd

    rows = session.execute(sa.select(Neighbourhood.id, Neighbourhood.boundary)).all()
    shapes = gpd.GeoSeries([outline, *shapely.from_wkb([row[1] for row in rows])], crs="EPSG:4326")
    metric = shapes.to_crs(_utm_epsg(outline))
    core = metric.iloc[0].buffer(-tolerance_m)
    if core.is_empty:
        core = metric.iloc[0].point_on_surface()
    areas = metric.iloc[1:].to_numpy()
    reached: set[int | None] = {
        row[0] for row, area in zip(rows, areas, strict=True) if area.intersects(core)
    }
    if not core.difference(shapely.union_all(areas).buffer(_SEAM_M)).is_empty:
        reached.add(None)
    return frozenset(reached)


def _utm_epsg(outline: BaseGeometry) -> int:
    """Return the UTM zone of the outline's centre, where a tolerance is measured in metres."""
    lon, lat = outline.centroid.coords[0]
    zone = min(max(int((lon + 180.0) // 6.0) + 1, 1), 60)
    return (32600 if lat >= 0 else 32700) + zone


def assign_all(session: orm.Session) -> Refiled:
    """File every asset under the neighbourhood its public point lies in, or under none."""
    return _refile(session, _filed(session), frozenset())


def _filed(session: orm.Session) -> list[_Filed]:
    """Return every asset's id, public point and neighbourhood."""
    query = sa.select(Asset.id, Asset.public_lon, Asset.public_lat, Asset.neighbourhood_id)
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


def _refile(session: orm.Session, filed: Sequence[_Filed], removed: frozenset[int]) -> Refiled:
    """File the assets ``filed`` under the neighbourhoods held now, counting those moved from
    where they were filed then. Those filed under a ``removed`` neighbourhood always move:
    SQLite may give its id to one added since."""
    located = locate(session, [r[1] for r in filed], [r[2] for r in filed])
    updates = [
        {"id": row[0], "neighbourhood_id": area}
        for row, area in zip(filed, located, strict=True)
        if area != row[3] or row[3] in removed
    ]
    if updates:
        session.execute(sa.update(Asset), updates)
    return Refiled(moved=len(updates), outside=located.count(None))


def unfiled_count(session: orm.Session) -> int:
    """Return how many published strengths lie in no neighbourhood."""
    query = (
        sa.select(sa.func.count())
        .select_from(Asset)
        .where(Asset.status == Status.PUBLISHED, Asset.neighbourhood_id.is_(None))
    )
    return int(session.scalar(query) or 0)
