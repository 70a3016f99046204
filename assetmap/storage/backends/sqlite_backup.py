"""Backing up and restoring SQLite with its online backup API, while the app keeps serving.

A backup is one read transaction on the live database: in WAL mode writers carry on beside it,
and the copy holds every transaction committed before it began and nothing of any after. A
restore copies a backup into the live database in one write transaction, through an ordinary
connection, so every connection open on it sees the restored database at its next read.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa

from assetmap.storage.backends.archive import CONTENTS_SQL, BackupError, Contents, check_revision

HEADER = b"SQLite format 3\x00"


def dump(engine: sa.Engine, partial: Path) -> Contents:
    """Copy the live database into the empty file ``partial``; return what the copy holds."""
    pooled = engine.raw_connection()
    try:
        with closing(sqlite3.connect(partial, isolation_level=None)) as copy:
            pooled.driver_connection.backup(copy)  # type: ignore[union-attr]
            # One self-contained file, with no write-ahead log beside it to lose.
            copy.execute("PRAGMA journal_mode = DELETE")
            return Contents(*copy.execute(CONTENTS_SQL).fetchone())
    finally:
        pooled.close()


def check(engine: sa.Engine, path: Path) -> None:
    """Refuse ``path`` unless it is a sound SQLite backup of an assetmap database."""
    if is_live(engine, path):
        raise BackupError(f"{path} is the database itself, not a backup of it.")
    with path.open("rb") as file:
        if file.read(len(HEADER)) != HEADER:
            raise BackupError(
                f"{path} is not an SQLite database, so it is not a backup of this one."
            )
    try:
        with closing(_read_only(path)) as backup:
            damage = [row[0] for row in backup.execute("PRAGMA integrity_check")]
            revisions = _revisions(backup)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f'{path} is damaged or incomplete: SQLite says "{exc}".') from None
    if damage != ["ok"]:
        raise BackupError(f"{path} is damaged: SQLite's integrity check found: {damage[0]}.")
    check_revision(path, revisions)


def load(engine: sa.Engine, path: Path) -> None:
    """Replace everything in the live database with the backup at ``path``, all or nothing."""
    pooled = engine.raw_connection()
    try:
        with closing(_read_only(path)) as backup:
            backup.backup(pooled.driver_connection)  # type: ignore[arg-type]
    finally:
        pooled.close()


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _revisions(backup: sqlite3.Connection) -> list[str]:
    table = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    if backup.execute(table).fetchone() is None:
        return []
    return [row[0] for row in backup.execute("SELECT version_num FROM alembic_version")]


def is_live(engine: sa.Engine, path: Path) -> bool:
    """Return whether ``path`` names one of the live database's own files, made yet or not."""
    live = Path(str(engine.url.database or ":memory:")).resolve()
    own = {live, *(live.with_name(f"{live.name}{end}") for end in ("-wal", "-shm", "-journal"))}
    return path.resolve() in own or (live.exists() and path.exists() and live.samefile(path))
