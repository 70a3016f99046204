"""Imports of CSV, GeoJSON, GeoPackage, OpenStreetMap and HSDS files, dry run first.

``run_import`` reads a file (its format known from its name and first bytes), decides what each
row or feature would do, and returns the report. Reading and deciding only read the register,
and take no lock. Unless it is a dry run, or anything was rejected (an import is all or
nothing), it then writes what it decided in one transaction, which waits for the write lock
(``importing.write``); the caller commits it when ``report.written``.

A file is bounded before it is read: by its size, and by how many rows or features it holds
(counted first where the format allows, as a GeoPackage does). What the report says of a file
never shows where the server keeps it.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import orm
from sqlalchemy.exc import SQLAlchemyError

from assetmap.exchange.gc_pause import collector_paused
from assetmap.exchange.importing import hsds, osm, readers
from assetmap.exchange.importing.columns import ColumnMap, Columns
from assetmap.exchange.importing.detect import check_rows, check_size, detect, sniff
from assetmap.exchange.importing.plan import ImportOptions, Planner
from assetmap.exchange.importing.records import FileProblem, Record
from assetmap.exchange.importing.write import write_plan
from assetmap.exchange.report import ODBL, ImportReport

__all__ = [
    "ColumnMap",
    "Columns",
    "FileProblem",
    "ImportOptions",
    "ImportReport",
    "estimate",
    "run_import",
]

Progress = Callable[[int], None]
MAX_ROWS = 1_000_000
# An absolute path of two or more parts that is not part of a URL or a fraction.
_SERVER_PATH = re.compile(r"(?<![\w.:/])(?:/[^\s'\"/:]+){2,}/?")
CONTENT_ID_RULE = (
    "Rows without an id were given a new random one. Importing the file again adds nothing "
    "(each row is then the same title in the same place), but only a row with an id of its "
    "own can change the strength imported from it."
)


def run_import(
    session: orm.Session,
    path: Path,
    options: ImportOptions,
    *,
    name: str | None = None,
    dry_run: bool = True,
    max_mb: float = 100.0,
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
    columns: Columns | None = None,
) -> ImportReport:
    """Import ``path`` (called ``name`` where it came from); return what was, or would be, done.

    A file larger than ``max_mb`` megabytes, or holding more than ``max_rows`` rows or
    features, is refused. A table's columns are read as ``columns`` says (see
    ``importing.columns``).
    """
    name = Path(name or path.name).name
    report = ImportReport(file=name, source=name[:100], dry_run=dry_run)
    planner: Planner | None = None
    try:
        check_size(path, max_mb)
        records = _bounded(_records(path, name, report, max_rows, columns), max_rows)
        if report.format == "osm":
            options = dataclasses.replace(options, skip_outside=True)
        planner = Planner(session, report, options, report.source)
        _plan(planner, records, options.batch_size, progress)
    except FileProblem as exc:
        report.reject(exc.where, {exc.field: scrubbed(exc.reason, path, name)})
    except SQLAlchemyError:
        raise
    except Exception as exc:
        # A file broken in a way no reader foresaw still gets a report, never a crash.
        reason = scrubbed(f"could not be read ({type(exc).__name__}: {exc})", path, name)
        report.reject("file", {"file": reason})
    # The plan's reads end here, so that writing waits for the lock rather than failing to
    # turn a read of an older snapshot into a write.
    session.rollback()
    try:
        if planner is not None and not dry_run and report.ok:
            write_plan(session, planner.plan, report, cell_m=options.cell_m, area=options.area)
            report.written = True
    finally:
        if planner is not None:
            planner.plan.close()
        if not report.written:
            session.rollback()
    return report


def _plan(
    planner: Planner, records: Iterator[Record], batch_size: int, progress: Progress | None
) -> None:
    """Decide every record, a batch at a time, telling ``progress`` after each batch."""
    while True:
        with collector_paused():
            batch = list(itertools.islice(records, batch_size))
            if not batch:
                return
            planner.batch(batch)
        if progress is not None:
            progress(len(batch))


def scrubbed(reason: str, path: Path, name: str) -> str:
    """Return a reason with the server's paths taken out: the file's own becomes its name."""
    for known in sorted({str(path.resolve()), str(path)}, key=len, reverse=True):
        reason = reason.replace(known, name)
    return _SERVER_PATH.sub("…", reason)


def _bounded(records: Iterator[Record], max_rows: int) -> Iterator[Record]:
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
        report.id_rule = "Each strength keeps its OpenStreetMap id (node/…, way/…, relation/…)."
        report.attribution = ODBL
        return osm.read_osm(path, fmt)
    if fmt == "gpkg":
        report.format = "gpkg"
        report.id_rule = CONTENT_ID_RULE
        layer, rows = readers.gpkg_layer(path)
        check_rows(rows, max_rows)
        return readers.read_gpkg(path, layer, columns, noted)
    if fmt == "csv":
        report.format = "csv"
        report.id_rule = CONTENT_ID_RULE
        return readers.read_csv(path, columns, noted)
    document = readers.load_json(path)
    if readers.is_geojson(document):
        report.format = "geojson"
        report.id_rule = CONTENT_ID_RULE.replace("Rows", "Features").replace("a row", "a feature")
        return readers.read_geojson(document, columns, noted)
    if hsds.is_hsds(document):
        report.format = "hsds"
        report.id_rule = "Each strength keeps the HSDS id of its organization or location."
        return hsds.read_hsds(document)
    raise FileProblem(
        "file",
        "is JSON but neither GeoJSON (a FeatureCollection or Feature) nor an HSDS dataset "
        "(organizations, services, locations)",
    )


def estimate(path: Path) -> int:
    """Return roughly how many rows or features a text file holds (0 for others), for a
    progress bar."""
    with path.open("rb") as handle:
        if sniff(handle.read(4096)) not in ("csv", "json", "osm"):
            return 0
        handle.seek(0)
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 1)
