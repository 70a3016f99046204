from __future__ import annotations

import datetime as dt

from assetmap.domain.clusters import Cluster, MapView
from assetmap.domain.query import AssetSummary
from assetmap.domain.vocab import Kind, Theme
from assetmap.maps.features import feature_collection

CHOIR = AssetSummary(7, Kind.GROUP, "Choir", (Theme.ARTS,), -2.3215, 51.2305, dt.date(2026, 1, 5))


def test_points_are_features_at_lon_lat_with_public_fields_only() -> None:
    answer = feature_collection(MapView(clustered=False, points=(CHOIR,)), lambda i: f"/a/{i}")
    assert answer["type"] == "FeatureCollection" and answer["clustered"] is False
    [feature] = answer["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-2.3215, 51.2305]}
    assert feature["properties"] == {
        "id": 7,
        "kind": "group",
        "title": "Choir",
        "themes": ["arts"],
        "url": "/a/7",
    }


def test_clusters_are_features_with_a_count_of_each_kind() -> None:
    cluster = Cluster(-2.32, 51.23, 5, {Kind.SKILL: 3, Kind.GROUP: 0, Kind.SPACE: 2})
    answer = feature_collection(MapView(clustered=True, clusters=(cluster,)), str)
    [feature] = answer["features"]
    assert answer["clustered"] is True
    assert feature["geometry"]["coordinates"] == [-2.32, 51.23]
    assert feature["properties"] == {
        "cluster": True,
        "count": 5,
        "kinds": {"skill": 3, "group": 0, "space": 2},
    }
