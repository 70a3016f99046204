"""What a view of the explore map shows: each published asset, or clusters of them by square."""

from __future__ import annotations

from dataclasses import dataclass

from assetmap.domain.query import AssetSummary
from assetmap.domain.vocab import Kind


@dataclass(frozen=True, slots=True)
class Cluster:
    """Published assets of one grid square: how many, how many of each kind, where on average."""

    lon: float
    lat: float
    count: int
    kinds: dict[Kind, int]


@dataclass(frozen=True, slots=True)
class MapView:
    """What a map view shows: each asset, or (``clustered``) clusters of them."""

    clustered: bool
    points: tuple[AssetSummary, ...] = ()
    clusters: tuple[Cluster, ...] = ()
