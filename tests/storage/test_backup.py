"""Backups made while strengths are being written hold everything committed before they began,
and restore exactly; anything that is not a backup is refused and changes nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import sqlalchemy as sa
from shapely.geometry import Point

from assetmap.domain.assets import AssetDraft
from assetmap.storage import assets as store
from assetmap.storage import database as db
from assetmap.storage import users as user_store
from assetmap.storage.backup import BackupError, BackupExists, backup, contents_of, restore
from assetmap.storage.models import Base
from tests.conftest import POSTGRES_URL

CELL = 400.0
ROWS_OF = "SELECT (SELECT count(*) FROM {0}), (SELECT count(DISTINCT asset_id) FROM {0})"


@pytest.fixture
def fresh(database: db.Database, tmp_path: Path) -> Iterator[Callable[[], db.Database]]:
    """Make empty databases of the same kind as ``database``, with no schema at all."""
    made: list[db.Database] = []
    names: list[str] = []
    admin = sa.create_engine(sa.make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")

    def make() -> db.Database:
        if database.engine.dialect.name == "sqlite":
            url = f"sqlite:///{tmp_path / f'fresh-{len(made)}.db'}"
        else:
            names.append(f"assetmap_fresh_{uuid.uuid4().hex[:8]}")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{names[-1]}"')
            url = database.engine.url.set(database=names[-1]).render_as_string(False)
        made.append(db.connect(url))
        return made[-1]

    yield make
    for each in made:
        each.dispose()
    with admin.connect() as connection:
        for name in names:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@dataclass
class Writer:
    """Adds skills one transaction at a time until told to stop, noting every commit."""

    database: db.Database
    draft: Callable[[int], AssetDraft]
    committed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    slowest_s: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                with self.database.session() as session:
                    asset = store.add_asset(session, self.draft(n), owner_id=None, cell_m=CELL)
                    session.commit()
                    self.committed.append(asset.id)
            except Exception as exc:  # noqa: BLE001  every failure is the finding
                self.errors.append(repr(exc))
            self.slowest_s = max(self.slowest_s, time.monotonic() - started)
            n += 1

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.committed) < count and time.monotonic() < deadline and not self.errors:
            time.sleep(0.01)


def skill(make_draft: Callable[..., AssetDraft]) -> Callable[[int], AssetDraft]:
    def draft(n: int) -> AssetDraft:
        return make_draft(
            kind="skill", title=f"Guitar lessons {n}", lon=-2.33 + n / 100_000, lat=51.23
        )

    return draft


def seed(database: db.Database, make_draft: Callable[..., AssetDraft], count: int) -> None:
    with database.session() as session:
        drafts = (skill(make_draft)(-n) for n in range(1, count + 1))
        store.add_assets(session, drafts, owner_id=None, cell_m=CELL)
        user_store.create_user(session, "ada@example.org", role="admin")
        session.commit()


def rows(database: db.Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every mapped table's rows, in primary key order."""
    with database.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def asset_ids(database: db.Database) -> set[int]:
    with database.engine.connect() as connection:
        return set(connection.exec_driver_sql("SELECT id FROM asset").scalars())


def consistent(database: db.Database) -> None:
    """Assert each strength is whole: its themes, exact point and creation are all there."""
    with database.engine.connect() as connection:
        count = lambda sql: connection.exec_driver_sql(sql).one()  # noqa: E731
        assets = count("SELECT count(*) FROM asset")[0]
        assert count(ROWS_OF.format("private_point")) == (assets, assets)
        assert count(ROWS_OF.format("asset_theme"))[1] == assets
        assert count(ROWS_OF.format("revision")) == (assets, assets)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backup_taken_while_strengths_are_written_holds_every_one_committed_before_it(
    database: db.Database,
    fresh: Callable[[], db.Database],
    make_draft: Callable[..., AssetDraft],
    tmp_path: Path,
) -> None:
    seed(database, make_draft, 2000)
    writer = Writer(database, skill(make_draft))
    thread = threading.Thread(target=writer.run)
    thread.start()
    try:
        writer.wait_for(20)
        before = set(writer.committed)
        made = backup(database, tmp_path / "mid-way.backup")
        writer.wait_for(len(writer.committed) + 20)
    finally:
        writer.stop.set()
        thread.join()
    assert writer.errors == []
    assert writer.slowest_s < 5
    restored = fresh()
    restore(restored, made.path)
    assert before <= asset_ids(restored)
    assert len(asset_ids(restored)) == made.contents.strengths < contents_of(database).strengths
    assert made.contents.accounts == 1
    consistent(restored)


def test_a_sqlite_backup_is_one_sound_file(
    database: db.Database, make_draft: Callable[..., AssetDraft], tmp_path: Path
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a PostgreSQL backup is a pg_dump archive")
    seed(database, make_draft, 10)
    made = backup(database, tmp_path / "nightly.backup")
    with sqlite3.connect(made.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert sorted(p.name for p in tmp_path.iterdir() if "nightly" in p.name) == ["nightly.backup"]


def test_restoring_into_an_empty_database_gives_exactly_the_backups_rows(
    database: db.Database,
    fresh: Callable[[], db.Database],
    make_draft: Callable[..., AssetDraft],
    tmp_path: Path,
) -> None:
    seed(database, make_draft, 50)
    made = backup(database, tmp_path / "quiet.backup")
    restored = fresh()
    restore(restored, made.path)
    assert rows(restored) == rows(database)
    assert db.is_current(restored)


def test_restoring_replaces_what_the_open_database_holds(
    database: db.Database, make_draft: Callable[..., AssetDraft], tmp_path: Path
) -> None:
    seed(database, make_draft, 5)
    before = rows(database)
    made = backup(database, tmp_path / "five.backup")
    with database.session() as session:
        store.add_asset(session, make_draft(title="Added after"), owner_id=None, cell_m=CELL)
        session.commit()
    with database.session() as session:
        # Leaves a connection in the pool that has already looked PostGIS's operators up, as a
        # serving app's connections have.
        assert len(store.assets_near(session, -2.32, 51.23, 5_000)) == 6
    extension = postgis_id(database)
    restored = restore(database, made.path)
    assert restored.contents.strengths == 5
    assert rows(database) == before
    with database.session() as after:
        assert len(store.assets_near(after, -2.32, 51.23, 5_000)) == 5
    # PostGIS itself is left as it was, so other processes' connections still work.
    assert postgis_id(database) == extension


def postgis_id(database: db.Database) -> int | None:
    if database.engine.dialect.name != "postgresql":
        return None
    with database.engine.connect() as connection:
        query = "SELECT oid FROM pg_extension WHERE extname = 'postgis'"
        return int(connection.exec_driver_sql(query).scalar_one())


def test_an_older_backup_is_brought_up_to_date(
    fresh: Callable[[], db.Database], tmp_path: Path
) -> None:
    older, target = fresh(), fresh()
    db.upgrade(older, "0010")
    made = backup(older, tmp_path / "older.backup")
    restore(target, made.path)
    assert db.is_current(target)


def test_a_backup_never_overwrites_a_file_unless_told(
    database: db.Database, tmp_path: Path
) -> None:
    target = tmp_path / "kept.backup"
    target.write_text("last week's backup")
    with pytest.raises(BackupExists):
        backup(database, target)
    assert target.read_text() == "last week's backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_replacing_backup_is_private_whatever_the_file_it_replaces(
    database: db.Database, tmp_path: Path
) -> None:
    target = tmp_path / "shared.backup"
    target.write_text("readable by all")
    target.chmod(0o644)
    made = backup(database, target, replace=True)
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert made.size == target.stat().st_size > 0


def test_a_backup_into_a_missing_folder_says_so(database: db.Database, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="folder .*nowhere does not exist"):
        backup(database, tmp_path / "nowhere" / "a.backup")


def _text(folder: Path) -> Path:
    path = folder / "notes.backup"
    path.write_text("not a backup at all\n")
    return path


def _gpkg(folder: Path) -> Path:
    path = folder / "halls.gpkg"
    gpd.GeoDataFrame({"name": ["Hall"]}, geometry=[Point(-2.32, 51.23)], crs=4326).to_file(path)
    return path


def _truncated(folder: Path, database: db.Database) -> Path:
    whole = backup(database, folder / "whole.backup").path
    path = folder / "truncated.backup"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    return path


def _missing(folder: Path) -> Path:
    return folder / "never-made.backup"


@pytest.mark.parametrize("make_file", ["text", "gpkg", "truncated", "missing"])
def test_restoring_what_is_not_a_backup_is_refused_and_changes_nothing(
    database: db.Database,
    make_draft: Callable[..., AssetDraft],
    tmp_path: Path,
    make_file: str,
) -> None:
    seed(database, make_draft, 5)
    makers = {
        "text": lambda: _text(tmp_path),
        "gpkg": lambda: _gpkg(tmp_path),
        "truncated": lambda: _truncated(tmp_path, database),
        "missing": lambda: _missing(tmp_path),
    }
    path = makers[make_file]()
    before = rows(database)
    with pytest.raises(BackupError, match=str(path)):
        restore(database, path)
    assert rows(database) == before


def test_a_backup_of_the_other_kind_of_database_is_refused(
    database: db.Database,
    fresh: Callable[[], db.Database],
    tmp_path: Path,
    sqlite_url: str,
) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("needs a PostgreSQL database to restore into")
    other = db.connect(sqlite_url)
    made = backup(other, tmp_path / "sqlite.backup")
    other.dispose()
    before = rows(database)
    with pytest.raises(BackupError, match="is not a PostgreSQL backup"):
        restore(database, made.path)
    assert rows(database) == before


def test_a_backup_of_a_database_that_is_not_assetmaps_is_refused(
    database: db.Database, fresh: Callable[[], db.Database], tmp_path: Path
) -> None:
    other = fresh()
    with other.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (id integer PRIMARY KEY, body text)")
    path = foreign_backup(other, tmp_path / "notes.backup")
    before = rows(database)
    with pytest.raises(BackupError, match="not an assetmap backup"):
        restore(database, path)
    assert rows(database) == before


def foreign_backup(database: db.Database, target: Path) -> Path:
    """Back up a database that is not assetmap's, as its own tools would."""
    url = database.engine.url
    if url.get_backend_name() == "sqlite":
        shutil.copy(str(url.database), target)
    else:
        plain = url.set(drivername="postgresql").render_as_string(False)
        subprocess.run(["pg_dump", "--format=custom", f"--file={target}", plain], check=True)
    return target


def test_restoring_a_database_onto_itself_is_refused(database: db.Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a PostgreSQL database is not a file")
    live = Path(str(database.engine.url.database))
    before = digest(live)
    with pytest.raises(BackupError, match="is the database itself"):
        restore(database, live)
    assert digest(live) == before


def test_a_backup_never_replaces_the_database_itself(database: db.Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("a PostgreSQL database is not a file")
    live = Path(str(database.engine.url.database))
    before = rows(database)
    for own in (live, Path(f"{live}-wal"), Path(f"{live}-journal")):
        with pytest.raises(BackupError, match="is the database itself"):
            backup(database, own, replace=True)
    assert rows(database) == before
