"""What a strength check found, as GeoJSON (RFC 7946) and CSV: public fields only.

A finding already holds nothing private and its point is the public one; these functions only
change its shape. They take findings as they may be read now (``findings.shown``): one whose
strength was since withdrawn has no id and no point, and says it was withdrawn.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from assetmap.domain.findings import SHOWN_FIELDS, WITHDRAWN
from assetmap.domain.geojson import feature
from assetmap.exchange.cells import csv_cell

_LISTS = ("themes", "tags", "share_modes", "facilities", "matched")
_PROPERTIES = tuple(name for name in SHOWN_FIELDS if name not in ("lon", "lat"))
CSV_COLUMNS = (*_PROPERTIES, "lon", "lat")


def findings_geojson(findings: Iterable[Mapping[str, Any]], about: Mapping[str, Any]) -> bytes:
    """Return the findings as a FeatureCollection of points; ``about`` says which check.

    One since withdrawn is a feature with no id and a null geometry.
    """
    features = [_feature(item) for item in findings]
    return orjson.dumps({"type": "FeatureCollection", "check": dict(about), "features": features})


def _feature(item: Mapping[str, Any]) -> dict[str, Any]:
    properties = {name: item[name] for name in _PROPERTIES}
    if item[WITHDRAWN]:
        return feature(properties, None, None)
    return feature(properties, item["lon"], item["lat"], item["id"])


def findings_csv(findings: Iterable[Mapping[str, Any]]) -> str:
    """Return the findings as CSV with ``lon`` and ``lat`` columns; lists joined by ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in findings:
        writer.writerow([_cell(name, item[name]) for name in CSV_COLUMNS])
    return out.getvalue()


def _cell(name: str, value: Any) -> Any:
    if name in _LISTS and value is not None:
        value = "; ".join(str(part) for part in value)
    return "" if value is None else csv_cell(name, value)
