"""Neighbourhoods: named areas of the map, and which one each asset lies in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Status
from assetmap.storage.db import begin_write
from assetmap.storage.models import Asset, Neighbourhood

# How far (geodesic metres) an outline may stray past the neighbourhoods it lies in: drawn edges
# seldom follow theirs exactly.
REACH_TOLERANCE_M = 25.0
# Neighbouring boundaries may not meet exactly; this closes the seams between them (metres).
_SEAM_M = 1.0


@dataclass(frozen=True)
class Area:
    """A neighbourhood to store: a short code, a name and its boundary (EPSG:4326)."""

    code: str
    name: str
    boundary: BaseGeometry


def replace_neighbourhoods(session: orm.Session, areas: Iterable[Area]) -> int:
    """Store these neighbourhoods in place of any held, and file every asset under one."""
    begin_write(session)
    rows = [_row(area) for area in areas]
    session.execute(sa.update(Asset).values(neighbourhood_id=None))
    session.execute(sa.delete(Neighbourhood))
    session.add_all(rows)
    session.flush()
    assign_all(session)
    return len(rows)


def _row(area: Area) -> Neighbourhood:
    geometry = shapely.make_valid(area.boundary) if not area.boundary.is_valid else area.boundary
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError({f"neighbourhood {area.code}": "boundary must be a polygon"})
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


def neighbourhood_layer(session: orm.Session) -> gpd.GeoDataFrame:
    """Return the neighbourhoods with how many published assets each holds (EPSG:4326)."""
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


def assign_all(session: orm.Session) -> None:
    """File every asset under the neighbourhood its public point lies in."""
    rows = session.execute(sa.select(Asset.id, Asset.public_lon, Asset.public_lat)).all()
    located = locate(session, [r[1] for r in rows], [r[2] for r in rows])
    updates = [
        {"id": row[0], "neighbourhood_id": area}
        for row, area in zip(rows, located, strict=True)
        if area is not None
    ]
    if updates:
        session.execute(sa.update(Asset), updates)
