"""The rows a bulk insert of new assets writes, built straight from their drafts.

``assets.add_assets`` hands over a batch at a time: the asset rows (with each public point and
neighbourhood), a skill's exact point apart, their themes and their creation revisions, in the
shapes the backend's ``bulk_insert`` takes, without an ORM object per asset.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
from sqlalchemy import orm

from assetmap.domain.assets import FIELD_NAMES, AssetDraft, creation
from assetmap.domain.fields import BY_NAME, STORED_FIELDS
from assetmap.domain.privacy import generalise_points, is_generalised
from assetmap.domain.vocab import Action, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.models import utcnow
from assetmap.storage.neighbourhoods import locate

# What a draft gives that is stored as it is, as JSON text (lists), or as its value (the kind).
_DRAFT_VALUES_STORED = operator.attrgetter(*STORED_FIELDS)
_LISTS = tuple(i for i, name in enumerate(STORED_FIELDS) if BY_NAME[name].type == "list")
_KIND = STORED_FIELDS.index("kind")
# Columns of a bulk-inserted asset row, in the order ``_asset_row`` builds them, then the
# neighbourhood and origin ``insert_batch`` adds.
BULK_ASSET_COLUMNS = (
    "id",
    *STORED_FIELDS,
    "public_lon",
    "public_lat",
    "owner_id",
    "status",
    "hidden_reason",
    "created_at",
    "updated_at",
    "last_confirmed",
    "neighbourhood_id",
    "source",
    "source_id",
)


def insert_batch(
    session: orm.Session,
    drafts: Sequence[AssetDraft],
    owner_id: int | None,
    cell_m: float,
    origins: Sequence[tuple[str, str]],
) -> None:
    """Insert one batch of new published assets, their themes and their creation revisions."""
    backend = backend_for(session)
    now = utcnow()
    stamp = backend.stored_time(now)
    ids = backend.next_ids(session, len(drafts))
    public = _public_points(drafts, cell_m)
    areas = locate(session, [p[0] for p in public], [p[1] for p in public])
    confirmed = [draft.last_confirmed or now.date() for draft in drafts]
    stored = {day: backend.stored_time(day) for day in set(confirmed)}
    rows = [
        (*_asset_row(asset_id, draft, point, owner_id, stamp, stored[day]), area, *origin)
        for asset_id, draft, point, day, area, origin in zip(
            ids, drafts, public, confirmed, areas, origins, strict=True
        )
    ]
    backend.bulk_insert(session, "asset", BULK_ASSET_COLUMNS, rows)
    backend.index_assets(session, ids[0], ids[-1])
    private = [
        (asset_id, draft.lon, draft.lat)
        for asset_id, draft in zip(ids, drafts, strict=True)
        if is_generalised(draft.kind)
    ]
    if private:
        backend.bulk_insert(session, "private_point", ("asset_id", "lon", "lat"), private)
    themes = [
        (asset_id, theme.value)
        for asset_id, draft in zip(ids, drafts, strict=True)
        for theme in dict.fromkeys(draft.themes)
    ]
    backend.bulk_insert(session, "asset_theme", ("asset_id", "theme"), themes)
    revisions = [
        (asset_id, owner_id, Action.CREATE.value, stamp, _created(draft, point, day), "")
        for asset_id, draft, point, day in zip(ids, drafts, public, confirmed, strict=True)
    ]
    backend.bulk_insert(
        session, "revision", ("asset_id", "user_id", "action", "at", "changes", "reason"), revisions
    )


def _public_points(drafts: Sequence[AssetDraft], cell_m: float) -> list[tuple[float, float]]:
    points = [(draft.lon, draft.lat) for draft in drafts]
    index = [i for i, draft in enumerate(drafts) if is_generalised(draft.kind)]
    if index:
        lons, lats = generalise_points(
            np.array([points[i][0] for i in index]), np.array([points[i][1] for i in index]), cell_m
        )
        for i, lon, lat in zip(index, lons.tolist(), lats.tolist(), strict=True):
            points[i] = (lon, lat)
    return points


def _asset_row(
    asset_id: int,
    draft: AssetDraft,
    point: tuple[float, float],
    owner_id: int | None,
    stamp: Any,
    confirmed: Any,
) -> tuple[Any, ...]:
    values = list(_DRAFT_VALUES_STORED(draft))
    values[_KIND] = draft.kind.value
    for i in _LISTS:
        values[i] = _json_list(values[i])
    status = Status.PUBLISHED.value
    return (asset_id, *values, *point, owner_id, status, "", stamp, stamp, confirmed)


def _json_list(values: tuple[Any, ...]) -> str:
    return orjson.dumps(values).decode() if values else "[]"


_DRAFT_VALUES = operator.attrgetter(*FIELD_NAMES)


def _created(draft: AssetDraft, point: tuple[float, float], confirmed: dt.date) -> str:
    """Return a creation revision's changes as JSON: what ``assets.add_asset`` records.

    The revision holds the public point, never a skill's exact one.
    """
    values = dict(zip(FIELD_NAMES, _DRAFT_VALUES(draft), strict=True))
    values["lon"], values["lat"] = point
    values["last_confirmed"] = confirmed
    return orjson.dumps(creation(values)).decode()
