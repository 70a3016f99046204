"""GeoJSON (RFC 7946) for what a map view shows: assets at their public points, or clusters.

Coordinates stay ``[lon, lat]``, as GeoJSON has them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from assetmap.domain.clusters import Cluster, MapView
from assetmap.domain.geojson import feature
from assetmap.domain.query import AssetSummary


def feature_collection(
    view: MapView, link: Callable[[int], str], unconfirmed_before: dt.date | None = None
) -> dict[str, Any]:
    """Return the view as a FeatureCollection with a top-level ``clustered`` flag.

    A strength last confirmed before ``unconfirmed_before`` is marked ``unconfirmed``.
    """
    features = [point_feature(asset, link, unconfirmed_before) for asset in view.points]
    features += [cluster_feature(cluster) for cluster in view.clusters]
    return {"type": "FeatureCollection", "clustered": view.clustered, "features": features}


def point_feature(
    asset: AssetSummary, link: Callable[[int], str], unconfirmed_before: dt.date | None = None
) -> dict[str, Any]:
    """Return one asset as a Point feature at its public point: public fields only.

    Given ``unconfirmed_before``, it says whether the asset shows as ``unconfirmed``.
    """
    properties: dict[str, Any] = {
        "id": asset.id,
        "kind": asset.kind.value,
        "title": asset.title,
        "themes": [theme.value for theme in asset.themes],
        "url": link(asset.id),
    }
    if unconfirmed_before is not None:
        properties["unconfirmed"] = asset.last_confirmed < unconfirmed_before
    return feature(properties, asset.lon, asset.lat)


def cluster_feature(cluster: Cluster) -> dict[str, Any]:
    """Return one cluster as a Point feature at its mean position, with counts by kind."""
    properties = {
        "cluster": True,
        "count": cluster.count,
        "kinds": {kind.value: count for kind, count in cluster.kinds.items()},
    }
    return feature(properties, cluster.lon, cluster.lat)
