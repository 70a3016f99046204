"""Backing up and restoring PostgreSQL with pg_dump and pg_restore, while the app keeps serving.

The dump reads a snapshot exported from a transaction of ours, in which the strengths and
accounts are counted too, so the counts describe exactly what the file holds. The password is
handed to the tools in ``PGPASSWORD``, never on a command line other users can read.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from assetmap.storage.backends.archive import CONTENTS_SQL, BackupError, Contents, check_revision


def dump(engine: sa.Engine, partial: Path) -> Contents:
    """Dump the live database into the file ``partial``; return what the dump holds."""
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        contents = Contents(*connection.exec_driver_sql(CONTENTS_SQL).one())
        _run(
            engine.url,
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--file={partial}",
        )
        connection.rollback()
    return contents


def check(engine: sa.Engine, path: Path) -> None:
    """Refuse ``path`` unless it is a pg_dump archive of an assetmap database."""
    try:
        _tool("pg_restore", "--list", str(path))
    except BackupError:
        raise BackupError(
            f"{path} is not a PostgreSQL backup: pg_restore cannot read it as a pg_dump archive."
        ) from None
    data = _tool("pg_restore", "--data-only", "--table=alembic_version", "--file=-", str(path))
    check_revision(path, _copied_rows(data))


def load(engine: sa.Engine, path: Path) -> None:
    """Replace everything in the live database with the backup at ``path``, all or nothing.

    Where the database already has PostGIS, the extension is left as it is and only assetmap's
    tables are replaced: dropping and making it again would give its types and operators new
    ids, which every open connection to the database has already looked up.
    """
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "restore.list"
        listing.write_text(_entries(engine, path), encoding="utf-8")
        _run(
            engine.url,
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--use-list={listing}",
            str(path),
        )


def _entries(engine: sa.Engine, path: Path) -> str:
    """Return the archive's table of contents, without its extensions where the database
    holds PostGIS already."""
    listed = _tool("pg_restore", "--list", str(path))
    with engine.connect() as connection:
        has_postgis = connection.exec_driver_sql(_HAS_POSTGIS).scalar() is not None
    if not has_postgis:
        return listed
    return "".join(line for line in listed.splitlines(keepends=True) if " EXTENSION " not in line)


_HAS_POSTGIS = "SELECT 1 FROM pg_extension WHERE extname = 'postgis'"


def is_live(engine: sa.Engine, path: Path) -> bool:
    """Return False: a server keeps its database in files of its own, never named here."""
    return False


def _run(url: sa.URL, program: str, *arguments: str) -> str:
    """Run a PostgreSQL tool against the database at ``url``; return what it printed."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string()
    return _tool(program, "--no-password", f"--dbname={target}", *arguments, env=environment)


def _tool(program: str, *arguments: str, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            [program, *arguments], capture_output=True, text=True, env=env, check=False
        )
    except FileNotFoundError:
        raise BackupError(
            f"{program} is not installed: install PostgreSQL's client tools, the same version "
            "as the server or newer."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()}")
    return done.stdout


def _copied_rows(data: str) -> list[str]:
    """Return the rows of the one table a ``pg_restore --data-only`` script copies in."""
    lines = data.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("COPY ")]
    if not starts:
        return []
    rows = lines[starts[0] + 1 :]
    return rows[: rows.index("\\.")] if "\\." in rows else []
