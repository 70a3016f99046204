"""Files the app writes are readable by the user it runs as, and nobody else.

The instance folder holds the secret key, the SQLite database with its WAL, the outbox (whose
mail carries reset links) and uploaded imports, so it is made 0700 and each file 0600, whatever
the process's umask. SQLite gives its WAL and shared-memory files the database file's mode.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(folder: Path) -> Path:
    """Make ``folder`` (and its parents) if missing, and let only this user read or enter it."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    private(folder, 0o700)
    return folder


def private(path: Path, mode: int = 0o600) -> None:
    """Take away any access others have to ``path``, if it exists."""
    try:
        current = path.stat().st_mode
    except FileNotFoundError:
        return
    if current & 0o077:
        path.chmod(mode)


def create_private(path: Path) -> Path:
    """Create an empty file at ``path`` that only this user may read, for others to fill."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path`` that only this user may read."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
