"""Reading the files an import takes: CSV, GeoJSON, GeoPackage, OpenStreetMap and HSDS.

``read_file`` knows a file's format from its name and first bytes and yields its rows or
features as records; ``services.importing`` decides and writes what they do.

A file is bounded before it is read: by its size, and by how many rows or features it holds
(counted first where the format allows, as a GeoPackage does). What the report says of a file
never shows where the server keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from assetmap.domain.i18n import _, lazy
from assetmap.exchange import feeds
from assetmap.exchange.importing import hsds, osm, readers
from assetmap.exchange.importing.columns import ColumnMap, Columns
from assetmap.exchange.importing.detect import check_rows, check_size, detect, sniff
from assetmap.exchange.importing.records import FileProblem, Record
from assetmap.exchange.report import ODBL_SAID, ImportReport

__all__ = [
    "ColumnMap",
    "Columns",
    "FileProblem",
    "ImportReport",
    "Record",
    "estimate",
    "read_file",
    "scrubbed",
]

MAX_ROWS = 1_000_000
# An absolute path of two or more parts that is not part of a URL or a fraction.
_SERVER_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s'\"/:]+){2,}/?")
CONTENT_ID_RULE = lazy(
    "Rows without an id were given a new random one. Importing the file again adds nothing "
    "(each row is then the same title in the same place), but only a row with an id of its "
    "own can change the strength imported from it."
)
HSDS_ID_RULE = lazy(
    "Each group keeps the HSDS id of its service (or of its organization, where it runs no "
    "service), and each space the id of its location."
)
FEATURE_ID_RULE = lazy(
    "Features without an id were given a new random one. Importing the file again adds nothing "
    "(each feature is then the same title in the same place), but only a feature with an id of "
    "its own can change the strength imported from it."
)


def read_file(
    path: Path,
    name: str,
    report: ImportReport,
    *,
    max_mb: float = 100.0,
    max_rows: int = MAX_ROWS,
    columns: Columns | None = None,
) -> Iterator[Record]:
    """Return the records of ``path`` (called ``name``), noting its format in ``report``.

    Raises FileProblem for a file larger than ``max_mb`` megabytes, or, as it is read, holding
    more than ``max_rows`` rows or features.
    """
    check_size(path, max_mb)
    return bounded(_records(path, name, report, max_rows, columns), max_rows)


def scrubbed(reason: str, path: Path, name: str) -> str:
    """Return a reason with the server's paths taken out: the file's own becomes its name."""
    for known in sorted({str(path.resolve()), str(path)}, key=len, reverse=True):
        reason = reason.replace(known, name)
    return _SERVER_PATH.sub("…", reason)


def bounded(records: Iterator[Record], max_rows: int) -> Iterator[Record]:
    """Pass records on, refusing the file once more than ``max_rows`` have been read."""
    for number, found in enumerate(records, start=1):
        check_rows(number, max_rows, counted=False)
        yield found


def _records(
    path: Path, name: str, report: ImportReport, max_rows: int, columns: Columns | None
) -> Iterator[Record]:
    fmt = detect(path, name)

    def noted(found: ColumnMap) -> None:
        report.columns = found.lines()

    if fmt in ("osm", "pbf"):
        report.format, report.source = "osm", osm.SOURCE
        report.id_rule = _("Each strength keeps its OpenStreetMap id (node/…, way/…, relation/…).")
        report.attribution = str(ODBL_SAID)
        return osm.read_osm(path, fmt)
    if fmt == "gpkg":
        report.format = "gpkg"
        report.id_rule = str(CONTENT_ID_RULE)
        layer, rows = readers.gpkg_layer(path)
        check_rows(rows, max_rows)
        return readers.read_gpkg(path, layer, columns, noted)
    if fmt == "csv":
        report.format = "csv"
        report.id_rule = str(CONTENT_ID_RULE)
        return readers.read_csv(path, columns, noted)
    document = readers.load_json(path)
    if readers.is_geojson(document):
        report.format = "geojson"
        report.id_rule = str(FEATURE_ID_RULE)
        return readers.read_geojson(document, columns, noted)
    if hsds.is_hsds(document) or is_feed_dump(document):
        return read_feed_document(document, report)
    raise FileProblem(
        "file",
        _(
            "is JSON but neither GeoJSON (a FeatureCollection or Feature) nor an HSDS dataset "
            "(organizations, services, locations)"
        ),
    )


def is_feed_dump(document: object) -> bool:
    """Return whether a JSON document is a page of an HSDS API, or a full service,
    organization or service at a location of one."""
    if isinstance(document, dict):
        keys = ("contents", "service_at_locations", "services", "locations", "organization")
        return any(key in document for key in keys)
    return False


def read_feed_document(document: object, report: ImportReport) -> Iterator[Record]:
    """Return the records of an HSDS document, or of a feed's dump, noting its format."""
    report.format = "hsds"
    report.id_rule = str(HSDS_ID_RULE)
    return hsds.read_hsds(feeds.flatten(document))


def estimate(path: Path) -> int:
    """Return roughly how many rows or features a text file holds (0 for others), for a
    progress bar."""
    with path.open("rb") as handle:
        if sniff(handle.read(4096)) not in ("csv", "json", "osm"):
            return 0
        handle.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 1)
