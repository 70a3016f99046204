"""Writing an export of the public register: read its rows a batch at a time, make the bytes.

The formats are ``exchange.export``'s; this reads the rows they take (``storage.exports``)
and sends the bytes to a file or a web response as each batch is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from sqlalchemy import orm

from assetmap.exchange.export import BATCH_SIZE, BATCH_SIZES, Batches, chunks
from assetmap.storage.exports import ExportFilter, public_rows

Progress = Callable[[int], None]


def write_export(
    session: orm.Session,
    fmt: str,
    filters: ExportFilter,
    out: IO[bytes],
    progress: Progress | None = None,
    register: str = "",
) -> int:
    """Write the published assets ``filters`` keeps to ``out`` in ``fmt``; return how many.

    ``register`` is this register's name (``exchange.export.register_name``), given to its own
    strengths' ids.
    """
    counted = _Counted(_rows(session, fmt, filters, register), progress)
    for chunk in chunks(fmt, counted):
        out.write(chunk)
    return counted.total


def stream_export(
    session: orm.Session, fmt: str, filters: ExportFilter, register: str = ""
) -> Iterator[bytes]:
    """Yield an export's bytes as they are made, for a web response (``register`` as in
    ``write_export``)."""
    return chunks(fmt, _rows(session, fmt, filters, register))


def _rows(session: orm.Session, fmt: str, filters: ExportFilter, register: str) -> Batches:
    size = BATCH_SIZES.get(fmt, BATCH_SIZE)
    return public_rows(session, filters, batch_size=size, register=register)


class _Counted:
    """Batches passed through, counting rows and telling ``progress`` after each batch."""

    def __init__(self, batches: Batches, progress: Progress | None) -> None:
        self.batches, self.progress, self.total = batches, progress, 0

    def __iter__(self) -> Iterator[Sequence[Sequence[Any]]]:
        for batch in self.batches:
            yield batch
            self.total += len(batch)
            if self.progress is not None:
                self.progress(len(batch))
