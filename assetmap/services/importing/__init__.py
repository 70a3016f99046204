"""Running an import: read a file, decide what each row does, then write it, dry run first.

``run_feed`` does the same for a directory's HSDS API, read whole (every page) before anything
is decided, so that a page that can't be read leaves the register as it was.

``run_import`` reads a file (``exchange.importing``), decides what each row or feature would
do (``plan``), and returns the report. Reading and deciding only read the register, and take
no lock. Unless it is a dry run, or anything was rejected (an import is all or nothing), it
then writes what it decided in one transaction, which waits for the write lock (``write``);
the caller commits it when ``report.written``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import orm
from sqlalchemy.exc import SQLAlchemyError

from assetmap.domain.i18n import _
from assetmap.exchange.feeds import FeedLimits, FeedProblem, read_feed
from assetmap.exchange.gc_pause import collector_paused
from assetmap.exchange.importing import (
    MAX_ROWS,
    Columns,
    FileProblem,
    bounded,
    read_feed_document,
    read_file,
    scrubbed,
)
from assetmap.exchange.importing.records import Record
from assetmap.exchange.report import ImportReport
from assetmap.services.importing.plan import ImportOptions, Planner
from assetmap.services.importing.write import write_plan

__all__ = ["FeedLimits", "ImportOptions", "run_feed", "run_import"]

Progress = Callable[[int], None]


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
    source: str = "",
) -> ImportReport:
    """Import ``path`` (called ``name`` where it came from); return what was, or would be, done.

    A file larger than ``max_mb`` megabytes, or holding more than ``max_rows`` rows or
    features, is refused. A table's columns are read as ``columns`` says (see
    ``exchange.importing.columns``). Its strengths come from ``source`` (by default the
    file's name).
    """
    name = Path(name or path.name).name
    report = ImportReport(
        file=name, source=(source or name)[:100], dry_run=dry_run, listed=options.feed
    )

    def records() -> Iterator[Record]:
        return read_file(path, name, report, max_mb=max_mb, max_rows=max_rows, columns=columns)

    def reading(report: ImportReport) -> ImportOptions:
        osm = report.format == "osm"
        return dataclasses.replace(options, skip_outside=True) if osm else options

    return _carry_out(
        session, report, records, reading, progress, lambda r: scrubbed(r, path, name)
    )


def run_feed(
    session: orm.Session,
    url: str,
    options: ImportOptions,
    *,
    source: str,
    dry_run: bool = True,
    limits: FeedLimits | None = None,
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a directory's HSDS / Open Referral UK API at ``url``, every page of it read
    before anything is decided; return what was, or would be, done."""
    report = ImportReport(file=url, source=source[:100], dry_run=dry_run, listed=True)

    def records() -> Iterator[Record]:
        try:
            document = read_feed(url, limits or FeedLimits())
        except FeedProblem as exc:
            raise FileProblem("feed", exc.reason, where=exc.where) from None
        return bounded(read_feed_document(document, report), max_rows)

    return _carry_out(session, report, records, lambda _report: options, progress, str)


def _carry_out(
    session: orm.Session,
    report: ImportReport,
    records: Callable[[], Iterator[Record]],
    reading: Callable[[ImportReport], ImportOptions],
    progress: Progress | None,
    scrub: Callable[[str], str],
) -> ImportReport:
    """Read and decide every record, then, unless it is a dry run or anything was rejected,
    write what was decided; the caller commits when ``report.written``."""
    planner: Planner | None = None
    options: ImportOptions | None = None
    try:
        found = records()
        options = reading(report)
        planner = Planner(session, report, options, report.source)
        _plan(planner, found, options.batch_size, progress)
        planner.finish()
    except FileProblem as exc:
        report.reject(exc.where, {exc.field: scrub(exc.reason)})
    except SQLAlchemyError:
        raise
    except Exception as exc:
        # A file broken in a way no reader foresaw still gets a report, never a crash.
        said = _("could not be read (%(error)s: %(detail)s)", error=type(exc).__name__, detail=exc)
        report.reject("file", {"file": scrub(said)})
    # The plan's reads end here, so that writing waits for the lock rather than failing to
    # turn a read of an older snapshot into a write.
    session.rollback()
    try:
        if planner is not None and options is not None and not report.dry_run and report.ok:
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
