"""Running an import: read a file, decide what each row does, then write it, dry run first.

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
from assetmap.exchange.gc_pause import collector_paused
from assetmap.exchange.importing import MAX_ROWS, Columns, FileProblem, read_file, scrubbed
from assetmap.exchange.importing.records import Record
from assetmap.exchange.report import ImportReport
from assetmap.services.importing.plan import ImportOptions, Planner
from assetmap.services.importing.write import write_plan

__all__ = ["ImportOptions", "run_import"]

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
) -> ImportReport:
    """Import ``path`` (called ``name`` where it came from); return what was, or would be, done.

    A file larger than ``max_mb`` megabytes, or holding more than ``max_rows`` rows or
    features, is refused. A table's columns are read as ``columns`` says (see
    ``exchange.importing.columns``).
    """
    name = Path(name or path.name).name
    report = ImportReport(file=name, source=name[:100], dry_run=dry_run)
    planner: Planner | None = None
    try:
        records = read_file(path, name, report, max_mb=max_mb, max_rows=max_rows, columns=columns)
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
        said = _("could not be read (%(error)s: %(detail)s)", error=type(exc).__name__, detail=exc)
        reason = scrubbed(said, path, name)
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
