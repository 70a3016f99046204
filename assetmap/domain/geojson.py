"""GeoJSON (RFC 7946) features at a point, as plain dicts: the one shape every writer uses.

Coordinates are ``[lon, lat]`` in WGS84, as GeoJSON has them. A feature's members come in one
order (type, id, geometry, properties), so the same feature is the same bytes wherever it is
written.
"""

from __future__ import annotations

from typing import Any

# ``feature`` with an id and a point, as a Python expression over the names of its parts: the
# export writes a batch of features in one comprehension (``exchange.batches``), where a call
# per feature would add a quarter to the export's time.
FEATURE_EXPRESSION = (
    '{{"type": "Feature", "id": {feature_id}, '
    '"geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, '
    '"properties": {properties}}}'
)


def point(lon: float, lat: float) -> dict[str, Any]:
    """Return a GeoJSON Point at ``(lon, lat)``."""
    return {"type": "Point", "coordinates": [lon, lat]}


def feature(
    properties: dict[str, Any],
    lon: float | None,
    lat: float | None,
    feature_id: int | None = None,
) -> dict[str, Any]:
    """Return a Feature holding ``properties`` at ``(lon, lat)``, with an ``id`` where one is
    given; a ``lon`` of None gives a null geometry (something with no place now)."""
    if feature_id is None:
        return {
            "type": "Feature",
            "geometry": None if lon is None else {"type": "Point", "coordinates": [lon, lat]},
            "properties": properties,
        }
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": None if lon is None else {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
