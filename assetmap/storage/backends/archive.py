"""What SQLite's and PostGIS's backups share: what one holds, and the error refusing one."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

from assetmap.storage.database import MIGRATIONS

# Counted in a backup's own snapshot, so the numbers describe exactly what it holds.
CONTENTS_SQL = "SELECT (SELECT count(*) FROM asset), (SELECT count(*) FROM app_user)"


class BackupError(ValueError):
    """A backup could not be made or restored; the message says why, in plain words."""


class Contents(NamedTuple):
    """How many strengths and accounts a database or a backup of it holds."""

    strengths: int
    accounts: int


@functools.cache
def known_revisions() -> frozenset[str]:
    """Return every schema version this assetmap's migrations know."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(
        script.revision for script in ScriptDirectory.from_config(config).walk_revisions()
    )


def check_revision(path: Path, revisions: list[str]) -> None:
    """Refuse a backup whose schema versions show it is not assetmap's, or is a newer one's."""
    if not revisions:
        raise BackupError(f"{path} is not an assetmap backup: it has no assetmap schema version.")
    unknown = sorted(set(revisions) - known_revisions())
    if unknown:
        raise BackupError(
            f"{path} was made by a newer version of assetmap (schema version "
            f"{', '.join(unknown)}). Upgrade assetmap before restoring it."
        )
