"""Privacy rules: what of an asset the public may see.

A skill belongs to a person, so its exact point (their home, often) is never served to the
public: only the centre of the grid cell it falls in. Its contact is never public. Groups and
spaces are public places and may be shown exactly.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from assetmap.domain.fields import FIELDS
from assetmap.domain.vocab import Kind

if TYPE_CHECKING:
    from pyproj import Transformer

DEFAULT_CELL_M = 400.0
# What anyone may know of an asset besides where it is, in the order assetmap shows them.
PUBLIC_FIELDS = tuple(
    field.name
    for field in FIELDS
    if field.public and field.type != "coordinate" and (field.entered or field.type == "id")
)
# Fields of an asset record that only its owner (and staff, where a rule allows) may see. A
# record's ``lon``/``lat`` are its public point: a skill's exact point is never in a record.
PRIVATE_FIELDS = frozenset({"contact", "contact_via_coach", "owner_id", "owner"})


def is_generalised(kind: Kind | str) -> bool:
    """Return whether the public sees this kind of asset at a generalised point."""
    return Kind(kind) is Kind.SKILL


def public_point(kind: Kind | str, lon: float, lat: float, cell_m: float) -> tuple[float, float]:
    """Return the point the public may see for an asset of ``kind`` stored at ``(lon, lat)``."""
    if not is_generalised(kind):
        return lon, lat
    return generalise_point(lon, lat, cell_m)


def generalise_point(lon: float, lat: float, cell_m: float) -> tuple[float, float]:
    """Snap ``(lon, lat)`` to the centre of its ``cell_m``-metre square in the local UTM zone."""
    lons, lats = generalise_points(np.array([lon]), np.array([lat]), cell_m)
    return float(lons[0]), float(lats[0])


def generalise_points(
    lons: np.ndarray, lats: np.ndarray, cell_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Snap many points (EPSG:4326) to their cell centres; returns new lon and lat arrays."""
    if cell_m <= 0:
        raise ValueError(f"cell size must be a positive number of metres, got {cell_m}")
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    out_lons, out_lats = np.empty_like(lons), np.empty_like(lats)
    zones = _utm_zones(lons, lats)
    for zone in np.unique(zones):
        mask = zones == zone
        forward, inverse = _utm_transformers(int(zone))
        x, y = forward.transform(lons[mask], lats[mask])
        cx = (np.floor(np.asarray(x) / cell_m) + 0.5) * cell_m
        cy = (np.floor(np.asarray(y) / cell_m) + 0.5) * cell_m
        out_lons[mask], out_lats[mask] = inverse.transform(cx, cy)
    return np.round(out_lons, 6), np.round(out_lats, 6)


def _utm_zones(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Return an EPSG code of the WGS84 UTM zone each point lies in."""
    numbers = np.clip(np.floor((lons + 180.0) / 6.0).astype(int) + 1, 1, 60)
    return np.where(lats >= 0, 32600, 32700) + numbers


@lru_cache(maxsize=120)
def _utm_transformers(epsg: int) -> tuple[Transformer, Transformer]:
    from pyproj import Transformer

    forward = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    inverse = Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)
    return forward, inverse


def public_record(record: dict[str, object]) -> dict[str, object]:
    """Return what the public may see of an asset record: no contact, no owner."""
    return {key: value for key, value in record.items() if key not in PRIVATE_FIELDS}
