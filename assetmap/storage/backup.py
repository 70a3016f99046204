"""Backups of the whole database, made while the app serves, and restored all or nothing.

SQLite is copied with its online backup API; PostgreSQL with pg_dump and pg_restore. Either
way the backup is written beside its target under another name, readable by this user only,
and takes the target's name only once it is complete, so a half-written backup never lies
where a whole one is expected.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from assetmap.storage import database as storage_db
from assetmap.storage.backends import postgis_backup, sqlite_backup
from assetmap.storage.backends.archive import CONTENTS_SQL, BackupError, Contents

__all__ = ["Backup", "BackupError", "BackupExists", "backup", "restore"]

_BACKENDS: dict[str, ModuleType] = {"sqlite": sqlite_backup, "postgresql": postgis_backup}


class BackupExists(BackupError):
    """The target of a backup already exists, and was not to be replaced."""


@dataclass(frozen=True)
class Backup:
    """A backup file and what it holds."""

    path: Path
    size: int
    contents: Contents


def backup(database: storage_db.Database, target: Path, *, replace: bool = False) -> Backup:
    """Write a backup of the whole database to ``target``, safely while the app writes on."""
    _check_target(database, target, replace)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(handle)
    partial = Path(name)
    try:
        contents = _backend(database).dump(database.engine, partial)
        _put_in_place(partial, target, replace)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, contents)


def restore(database: storage_db.Database, source: Path) -> Backup:
    """Replace everything in the database with the backup at ``source``, and bring its schema
    up to date. A file that is not a backup of this kind of database changes nothing."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    backend = _backend(database)
    backend.check(database.engine, source)
    backend.load(database.engine, source)
    # Open connections may hold statements prepared against the tables just replaced.
    database.engine.dispose()
    storage_db.upgrade(database)
    return Backup(source, source.stat().st_size, contents_of(database))


def contents_of(database: storage_db.Database) -> Contents:
    """Return how many strengths and accounts the database holds."""
    with database.engine.connect() as connection:
        return Contents(*connection.exec_driver_sql(CONTENTS_SQL).one())


def _backend(database: storage_db.Database) -> ModuleType:
    return _BACKENDS[database.engine.dialect.name]


def _check_target(database: storage_db.Database, target: Path, replace: bool) -> None:
    if _backend(database).is_live(database.engine, target):
        raise BackupError(f"{target} is the database itself. Give the backup another name.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder. Give the name of the backup file to write.")
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    if target.exists() and not replace:
        raise BackupExists(f"{target} already exists.")


def _link(partial: Path, target: Path) -> None:
    """Give ``partial`` the name ``target`` unless a file has it, even one made a moment ago."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise BackupExists(f"{target} already exists.") from None
    except OSError:
        # A file system without hard links (some network shares): look again, then rename.
        if target.exists():
            raise BackupExists(f"{target} already exists.") from None
        os.rename(partial, target)


def _put_in_place(partial: Path, target: Path, replace: bool) -> None:
    """Give the finished backup its name: replacing a file there only if asked to."""
    if replace:
        os.replace(partial, target)
    else:
        _link(partial, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
