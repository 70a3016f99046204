"""What a strength check found, as GeoJSON (RFC 7946) and CSV: public fields only.

A finding already holds nothing private and its point is the public one; these functions only
change its shape.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from assetmap.domain.findings import FINDING_FIELDS
from assetmap.exchange.cells import csv_cell

_LISTS = ("themes", "tags", "share_modes", "facilities", "matched")
CSV_COLUMNS = tuple(name for name in FINDING_FIELDS if name not in ("lon", "lat")) + ("lon", "lat")


def findings_geojson(findings: Iterable[Mapping[str, Any]], about: Mapping[str, Any]) -> bytes:
    """Return the findings as a FeatureCollection of points; ``about`` says which check."""
    features = [
        {
            "type": "Feature",
            "id": item["id"],
            "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
            "properties": {
                name: item[name] for name in FINDING_FIELDS if name not in ("lon", "lat")
            },
        }
        for item in findings
    ]
    return orjson.dumps({"type": "FeatureCollection", "check": dict(about), "features": features})


def findings_csv(findings: Iterable[Mapping[str, Any]]) -> str:
    """Return the findings as CSV with ``lon`` and ``lat`` columns; lists joined by ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in findings:
        writer.writerow([_cell(name, item[name]) for name in CSV_COLUMNS])
    return out.getvalue()


def _cell(name: str, value: Any) -> Any:
    if name in _LISTS:
        value = "; ".join(str(part) for part in value)
    return "" if value is None else csv_cell(name, value)
