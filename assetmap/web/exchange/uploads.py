"""A planner's checked import, waiting for them to confirm it: at most one file each.

The file is kept in the instance folder under ``imports/<user id>/``, named at random with the
suffix of its format (GDAL and pyosmium read a format from a file's name). A new upload
replaces it; confirming or cancelling deletes it; one left behind (a closed tab) is deleted by
the next upload anyone makes once it is a day old. The session says which file and what it was
called, never a server path; and which of its columns the person chose to read otherwise than
assetmap would (by their place in the file, so that a wide file's long names never fill the
session cookie).
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from flask import current_app, session
from werkzeug.datastructures import FileStorage

from assetmap.exchange.importing.detect import SUFFIXES
from assetmap.files import create_private, private_folder

UPLOAD_KEY = "exchange_upload"
# A pending upload nobody confirmed or cancelled is deleted after this long.
UPLOAD_TTL_S = 24 * 3600


def keep(file: FileStorage, name: str, user_id: int) -> Path:
    """Save an upload as the user's one pending file, deleting any they had before."""
    _sweep()
    folder = _folder(user_id)
    for old in folder.iterdir():
        old.unlink(missing_ok=True)
    suffix = Path(name).suffix.lower()
    path = folder / f"{secrets.token_urlsafe(16)}{suffix if suffix in SUFFIXES else ''}"
    file.save(create_private(path))
    return path


def remember(
    path: Path,
    name: str,
    theme: str,
    chosen: dict[int, str] | None = None,
    kind: str = "",
    feed: tuple[str, bool] = ("", False),
) -> None:
    """Note in the session which kept file the user may confirm, and how to import it:
    ``chosen`` targets by column number, the ``kind`` of rows that name none, and, for a
    directory's dump, ``feed``: the directory's name and whether the file lists all it holds."""
    choices = {str(number): target for number, target in (chosen or {}).items()}
    session[UPLOAD_KEY] = {
        "file": path.name,
        "name": name,
        "theme": theme,
        "columns": choices,
        "kind": kind,
        "source": feed[0],
        "full_listing": feed[1],
    }


def pending(user_id: int) -> tuple[Path, dict[str, Any]] | None:
    """Return the user's pending file and what the session noted of it, if it is still kept."""
    kept: dict[str, Any] = session.get(UPLOAD_KEY) or {}
    if not kept.get("file"):
        return None
    path = _folder(user_id) / Path(kept["file"]).name
    return (path, kept) if path.is_file() else None


def discard(user_id: int) -> None:
    """Delete the user's pending file, if any, and forget it."""
    session.pop(UPLOAD_KEY, None)
    shutil.rmtree(_root() / str(user_id), ignore_errors=True)


def _root() -> Path:
    return private_folder(Path(current_app.instance_path) / "imports")


def _folder(user_id: int) -> Path:
    return private_folder(_root() / str(user_id))


def _sweep() -> None:
    """Delete pending files older than ``UPLOAD_TTL_S``, whoever left them."""
    cutoff = time.time() - UPLOAD_TTL_S
    root = _root()
    for path in (*root.glob("*"), *root.glob("*/*")):
        # Another request may delete a file between listing it and looking at it.
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
