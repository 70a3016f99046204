"""What a search shows of each strength, to the page and the API alike.

Every result is at its public point. A contact route is added only where the viewer may see it
(``domain.permissions.can_see_contact``); the public never gets one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from flask import current_app, request, url_for
from sqlalchemy import orm

from assetmap.domain.geojson import feature
from assetmap.domain.permissions import Actor, can_edit, can_see_contact
from assetmap.domain.privacy import PUBLIC_FIELDS, is_generalised, public_record
from assetmap.domain.query import AssetSummary
from assetmap.storage import assets as store
from assetmap.storage.connections import connection_count, connection_counts
from assetmap.storage.contacts import contact_routes
from assetmap.storage.models import Asset
from assetmap.storage.private_points import owner_point
from assetmap.web.strengths.freshness import is_unconfirmed, unconfirmed_before

# What a strength's own answer carries beyond its id, in this order.
DETAIL_FIELDS = (*PUBLIC_FIELDS[1:], "created_at", "updated_at")


@dataclass(frozen=True)
class Result:
    """A strength a search found, with how often it was connected and what the viewer may see."""

    item: AssetSummary
    connections: int
    contact: str | None = None


def contacts_for(
    session: orm.Session, items: Sequence[AssetSummary], viewer: Actor | None
) -> dict[int, str]:
    """Return the contact route of each item the viewer may see one for."""
    if viewer is None:
        return {}
    routes = contact_routes(session, [item.id for item in items])
    return {route.id: route.contact for route in routes if can_see_contact(viewer, route)}


def annotate(
    session: orm.Session, items: Sequence[AssetSummary], viewer: Actor | None
) -> list[Result]:
    """Return each item with its connection count and, where allowed, its contact route."""
    counts = connection_counts(session, [item.id for item in items])
    contacts = contacts_for(session, items, viewer)
    return [Result(item, counts[item.id], contacts.get(item.id)) for item in items]


_URL_PREFIXES = "assetmap.asset_url_prefixes"


def asset_url() -> Callable[[int], str]:
    """Return a function giving a strength's page path, built once rather than per result.

    The path's start is asked of the URL map once per app and script root, not per answer.
    """
    prefixes = current_app.extensions.setdefault(_URL_PREFIXES, {})
    prefix = prefixes.get(request.script_root)
    if prefix is None:
        prefix = prefixes[request.script_root] = url_for("pages.asset", asset_id=1)[:-1]
    return lambda asset_id: f"{prefix}{asset_id}"


def summary_feature(
    item: AssetSummary, url: str, unconfirmed_before: dt.date, **extra: Any
) -> dict[str, Any]:
    """Return a found strength as a GeoJSON feature at its public point, for ``orjson``.

    Kinds and themes stay enums and the date a date: orjson writes them as their values and
    ISO dates, which spares the API's busiest answer a conversion per result. A strength last
    confirmed before ``unconfirmed_before`` shows as unconfirmed.
    """
    asset_id, kind, title, themes, lon, lat, confirmed, distance_m = item
    properties: dict[str, Any] = {
        "id": asset_id,
        "kind": kind,
        "title": title,
        "themes": themes,
        "last_confirmed": confirmed,
        "unconfirmed": confirmed < unconfirmed_before,
        "url": url,
    }
    if distance_m is not None:
        properties["distance_m"] = round(distance_m, 1)
    if extra:
        properties.update(extra)
    return feature(properties, lon, lat, asset_id)


def result_features(results: Sequence[Result], start: int = 1) -> dict[str, Any]:
    """Return search results as a FeatureCollection numbered in order from ``start``, as plain
    JSON values."""
    url, before = asset_url(), unconfirmed_before()
    features = [
        summary_feature(result.item, url(result.item.id), before, rank=rank, **_contact(result))
        for rank, result in enumerate(results, start=start)
    ]
    return orjson.loads(orjson.dumps({"type": "FeatureCollection", "features": features}))  # type: ignore[no-any-return]


def _contact(result: Result) -> dict[str, str]:
    # Carried only where the list shows it: the viewer may see it (``annotate``).
    return {"contact": result.contact} if result.contact else {}


def asset_feature(session: orm.Session, asset: Asset, viewer: Actor | None) -> dict[str, Any]:
    """Return one strength as a GeoJSON feature holding what ``viewer`` may see of it.

    The point is exact only where ``owner_point`` gives it (a skill's, to its owner).
    """
    record = store.record_of(asset)
    shown: dict[str, Any] = public_record(record)
    exact = owner_point(session, asset, viewer) if is_generalised(asset.kind) else None
    properties: dict[str, Any] = {"id": asset.id, **{name: shown[name] for name in DETAIL_FIELDS}}
    properties.update(
        url=asset_url()(asset.id),
        connections=connection_count(session, asset.id),
        location_generalised=is_generalised(asset.kind) and exact is None,
        unconfirmed=is_unconfirmed(asset.last_confirmed),
    )
    if can_see_contact(viewer, asset):
        properties["contact"] = record["contact"]
    if can_edit(viewer, asset):
        properties["contact_via_coach"] = record["contact_via_coach"]
    lon, lat = exact or (shown["lon"], shown["lat"])
    return feature(properties, lon, lat, asset.id)
