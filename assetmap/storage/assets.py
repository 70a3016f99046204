"""Reading and writing assets: the same functions, and the same answers, on every backend.

Writes join the caller's transaction and flush; the caller commits (or rolls back, and then
nothing of the change remains). Every write records a revision in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.assets import (
    FIELD_NAMES,
    MOVED,
    MOVED_NEARBY,
    AssetDraft,
    apply_changes,
    diff,
    validate_asset,
)
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox, bbox_around, check_lon_lat, distances_m
from assetmap.domain.privacy import PUBLIC_FIELDS, is_generalised, public_point
from assetmap.domain.provenance import Assurer, assurer_for
from assetmap.domain.query import AssetFilter, AssetSummary, check_limit, check_radius
from assetmap.domain.vocab import Action, Status
from assetmap.storage.backends import SUMMARY_COLUMNS, backend_for, published, summary
from assetmap.storage.bulk import insert_batch
from assetmap.storage.database import Reader, begin_write
from assetmap.storage.models import Asset, AssetTheme, Revision, User, utcnow
from assetmap.storage.neighbourhoods import locate
from assetmap.storage.private_points import keep_point

if TYPE_CHECKING:
    import geopandas as gpd

# Public fields of a layer, in the order a GeoDataFrame shows them.
LAYER_COLUMNS = tuple(
    getattr(Asset, name) for name in (*PUBLIC_FIELDS, "updated_at", "public_lon", "public_lat")
)


EVERYTHING = AssetFilter()
_PLACE = ("kind", "lon", "lat")


class AssetNotFound(LookupError):
    """No asset has the id asked for."""

    def __init__(self, asset_id: int) -> None:
        super().__init__(f"Asset {asset_id} doesn't exist.")
        self.asset_id = asset_id


def get_asset(session: orm.Session, asset_id: int) -> Asset | None:
    """Return the asset with this id, whatever its status, or None."""
    return session.get(Asset, asset_id)


def get_assets(session: orm.Session, ids: Iterable[int]) -> dict[int, Asset]:
    """Return the assets with these ids that exist, whatever their status, by id, in one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = session.scalars(sa.select(Asset).where(Asset.id.in_(wanted)))
    return {asset.id: asset for asset in found}


def count_assets(session: orm.Session) -> int:
    """Return how many assets the register holds, whatever their status."""
    return session.scalar(sa.select(sa.func.count()).select_from(Asset)) or 0


def _require(session: orm.Session, asset_id: int) -> Asset:
    asset = session.get(Asset, asset_id, with_for_update=backend_for(session).locks_rows)
    if asset is None:
        raise AssetNotFound(asset_id)
    return asset


def record_of(asset: Asset) -> dict[str, Any]:
    """Return an asset as plain values, contact and owner included, at its public point."""
    record: dict[str, Any] = {"id": asset.id, **draft_of(asset).as_dict()}
    record.update(
        owner_id=asset.owner_id,
        status=asset.status.value,
        hidden_reason=asset.hidden_reason,
        created_at=asset.created_at.isoformat(),
        updated_at=asset.updated_at.isoformat(),
    )
    return record


def draft_of(asset: Asset) -> AssetDraft:
    """Return what the owner said of a stored asset, as a draft at its public point.

    A skill's draft is at its grid cell's centre: its exact point is not part of it.
    """
    values = {name: getattr(asset, name) for name in FIELD_NAMES if name not in _PLACE}
    place = {"lon": asset.public_lon, "lat": asset.public_lat}
    return validate_asset({"kind": asset.kind.value, **values, **place})


def add_asset(
    session: orm.Session,
    draft: AssetDraft,
    *,
    owner_id: int | None,
    cell_m: float,
    today: dt.date | None = None,
) -> Asset:
    """Store a new published asset owned by ``owner_id`` and record its creation."""
    begin_write(session)
    now = utcnow()
    draft = _confirmed(draft, today or now.date())
    asset = Asset(owner_id=owner_id, status=Status.PUBLISHED, created_at=now, updated_at=now)
    asset.assured_by = Assurer.OWNER.value if owner_id is not None else ""
    shown = at_public_point(draft, cell_m)
    _fill(session, asset, shown)
    session.add(asset)
    session.flush()
    keep_point(session, asset, draft.lon, draft.lat)
    _record(session, asset, owner_id, Action.CREATE, diff(None, shown))
    return asset


def update_asset(
    session: orm.Session,
    asset_id: int,
    changes: Mapping[str, Any],
    *,
    by: int | None,
    cell_m: float,
    area: Area | None = None,
    reason: str = "",
) -> Asset:
    """Apply ``changes`` to an asset after checking them, and record what changed (and why).

    A change that gives ``lon`` and ``lat`` moves the asset there. A skill's exact point is
    written, never read: what is compared and recorded is its public point, and a move within
    the same grid cell is recorded as such, without saying where.
    """
    begin_write(session)
    asset = _require(session, asset_id)
    if asset.status is Status.WITHDRAWN:
        raise ValidationError({"status": "this strength was withdrawn and can't be edited"})
    before = draft_of(asset)
    after = apply_changes(before, changes, area=area)
    shown = at_public_point(after, cell_m)
    changed = diff(before, shown)
    if ("lon" in changes or "lat" in changes) and is_generalised(asset.kind):
        keep_point(session, asset, after.lon, after.lat)
        if "lon" not in changed and "lat" not in changed:
            changed[MOVED] = [None, MOVED_NEARBY]
    if changed:
        _fill(session, asset, shown)
        asset.updated_at = utcnow()
        _record(session, asset, by, Action.UPDATE, changed, reason)
        session.flush()
    return asset


def confirm_asset(
    session: orm.Session, asset_id: int, *, by: int | None, today: dt.date | None = None
) -> Asset:
    """Mark an asset as still current today."""
    begin_write(session)
    asset = _require(session, asset_id)
    today = today or utcnow().date()
    _record(
        session,
        asset,
        by,
        Action.CONFIRM,
        {"last_confirmed": [_iso(asset.last_confirmed), today.isoformat()]},
    )
    asset.last_confirmed = today
    asset.assured_by = _assurer(session, asset, by)
    asset.updated_at = utcnow()
    session.flush()
    return asset


def _assurer(session: orm.Session, asset: Asset, user_id: int | None) -> str:
    """Return who assures ``asset`` when ``user_id`` confirms it, by their part; "" for none."""
    role = session.scalar(sa.select(User.role).where(User.id == user_id)) if user_id else None
    found = assurer_for(user_id, asset.owner_id, role)
    return found.value if found is not None else ""


def withdraw_asset(
    session: orm.Session, asset_id: int, *, by: int | None, reason: str = ""
) -> Asset:
    """Take an asset out of every public view at once; its history stays."""
    begin_write(session)
    asset = _require(session, asset_id)
    if asset.status is not Status.WITHDRAWN:
        _record(
            session,
            asset,
            by,
            Action.WITHDRAW,
            {"status": [asset.status.value, "withdrawn"]},
            reason,
        )
        asset.status = Status.WITHDRAWN
        asset.updated_at = utcnow()
        session.flush()
    return asset


def add_assets(
    session: orm.Session,
    drafts: Iterable[AssetDraft],
    *,
    owner_id: int | None,
    cell_m: float,
    batch_size: int = 5000,
    sources: Iterable[tuple[str, str]] | None = None,
) -> int:
    """Store many new published assets in batches, each with its creation revision.

    For imports and loads: the same rows ``add_asset`` writes, without building an object per
    asset. ``sources``, read in step with ``drafts``, gives each asset's ``(source, source_id)``:
    where an imported asset came from and its id there. Returns how many were added; the caller
    commits.
    """
    begin_write(session)
    added = 0
    iterator = iter(drafts)
    origins = iter(sources) if sources is not None else itertools.repeat(("", ""))
    with backend_for(session).bulk_load(session):
        while batch := tuple(itertools.islice(iterator, batch_size)):
            origin = tuple(itertools.islice(origins, len(batch)))
            insert_batch(session, batch, owner_id, cell_m, origin)
            added += len(batch)
    return added


def _confirmed(draft: AssetDraft, today: dt.date) -> AssetDraft:
    if draft.last_confirmed is not None:
        return draft
    return replace(draft, last_confirmed=today)


def at_public_point(draft: AssetDraft, cell_m: float) -> AssetDraft:
    """Return the draft as the register keeps and shows it: at its public point."""
    lon, lat = public_point(draft.kind, draft.lon, draft.lat, cell_m)
    return replace(draft, lon=lon, lat=lat)


def _fill(session: orm.Session, asset: Asset, shown: AssetDraft) -> None:
    """Set the asset's fields from a draft at its public point (``at_public_point``)."""
    for name, value in shown.as_dict().items():
        if name not in ("kind", "last_confirmed", "lon", "lat"):
            setattr(asset, name, value)
    asset.kind = shown.kind
    if shown.last_confirmed is not None:
        asset.last_confirmed = shown.last_confirmed
    asset.public_lon, asset.public_lat = shown.lon, shown.lat
    asset.neighbourhood_id = locate(session, [asset.public_lon], [asset.public_lat])[0]
    asset.theme_rows = [AssetTheme(theme=theme.value) for theme in dict.fromkeys(shown.themes)]


def _record(
    session: orm.Session,
    asset: Asset,
    user_id: int | None,
    action: Action,
    changes: dict[str, Any],
    reason: str = "",
) -> None:
    session.add(
        Revision(
            asset=asset, user_id=user_id, action=action, changes=changes, reason=reason, at=utcnow()
        )
    )


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def assets_near(
    session: Reader,
    lon: float,
    lat: float,
    radius_m: float,
    filters: AssetFilter = EVERYTHING,
    limit: int = 50,
) -> list[AssetSummary]:
    """Return published assets within ``radius_m`` of ``(lon, lat)``, nearest first.

    Distances are geodesic metres on WGS84 to each asset's public point.
    """
    lon, lat = check_lon_lat(lon, lat)
    return backend_for(session).nearby(
        session, lon, lat, check_radius(radius_m), filters, check_limit(limit)
    )


def count_near(
    session: orm.Session,
    lon: float,
    lat: float,
    radius_m: float,
    filters: AssetFilter = EVERYTHING,
) -> int:
    """Return how many published assets lie within ``radius_m`` of ``(lon, lat)``: all of them.

    ``assets_near`` lists a page; this counts every one, in the same geodesic metres.
    """
    lon, lat = check_lon_lat(lon, lat)
    radius_m = check_radius(radius_m)
    box = bbox_around(lon, lat, radius_m)
    query = sa.select(Asset.public_lon, Asset.public_lat).where(*_conditions(session, filters, box))
    points = np.asarray(session.execute(query).all(), dtype=float).reshape(-1, 2)
    return int(np.count_nonzero(distances_m(lon, lat, points[:, 0], points[:, 1]) <= radius_m))


def assets_in_bbox(
    session: orm.Session,
    bbox: BBox | None,
    filters: AssetFilter = EVERYTHING,
    limit: int | None = None,
    after_id: int | None = None,
) -> list[AssetSummary]:
    """Return published assets whose public point lies in ``bbox`` (None: anywhere), by id.

    ``after_id`` starts the list after that id, so a caller pages through by the last id seen.
    """
    query = (
        sa.select(*SUMMARY_COLUMNS).where(*_conditions(session, filters, bbox)).order_by(Asset.id)
    )
    if after_id is not None:
        query = query.where(Asset.id > after_id)
    if limit is not None:
        query = query.limit(check_limit(limit))
    return [summary(row) for row in session.execute(query)]


def _conditions(
    session: orm.Session, filters: AssetFilter, bbox: BBox | None
) -> list[sa.ColumnElement[bool]]:
    backend = backend_for(session)
    conditions = published(filters)
    if filters.words:
        conditions.append(backend.words_match(filters.words))
    if bbox is not None:
        conditions.append(backend.in_bbox(bbox))
    return conditions


def read_layer(
    session: orm.Session, filters: AssetFilter = EVERYTHING, bbox: BBox | None = None
) -> gpd.GeoDataFrame:
    """Return published assets as a GeoDataFrame in EPSG:4326, public fields only."""
    import geopandas as gpd
    import pandas as pd

    query = sa.select(*LAYER_COLUMNS).where(*_conditions(session, filters, bbox)).order_by(Asset.id)
    rows = session.execute(query).all()
    names = [column.key for column in LAYER_COLUMNS]
    frame = pd.DataFrame.from_records(rows, columns=names)
    frame["kind"] = frame["kind"].map(lambda kind: kind.value, na_action="ignore")
    geometry = gpd.points_from_xy(frame.pop("public_lon"), frame.pop("public_lat"), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
