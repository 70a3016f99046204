"""Flask commands: thin wrappers over storage and exchange functions."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import orm

from assetmap.config import area_bbox
from assetmap.domain.errors import ValidationError
from assetmap.exchange.demo import default_folder, load_demo
from assetmap.exchange.export import FORMATS, opened, write_export
from assetmap.exchange.geojson import read_polygon
from assetmap.exchange.importing import ImportOptions, estimate, run_import
from assetmap.storage import db as storage_db
from assetmap.storage import users as user_store
from assetmap.storage.exports import EXPORT_CACHE_MB, ExportFilter, count_public
from assetmap.storage.models import Asset
from assetmap.web import db


def _fail(exc: ValidationError) -> click.ClickException:
    return click.ClickException(
        "; ".join(f"{field}: {reason}" for field, reason in exc.errors.items())
    )


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or bring its schema up to date."""
    storage_db.upgrade(db.database())
    click.echo(f"The {db.database().engine.dialect.name} database is up to date.")


@click.command("seed-demo")
@with_appcontext
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def seed_demo(folder: Path | None) -> None:
    """Load the demo neighbourhood's users and strengths (once)."""
    database = db.database()
    if not storage_db.is_current(database):
        raise click.ClickException("The schema is not current: run `flask --app assetmap init-db`.")
    config = current_app.config
    folder = folder or Path(config["DEMO_DATA_DIR"] or default_folder())
    with database.session() as session:
        present = session.scalar(sa.select(sa.func.count()).select_from(Asset))
        if present:
            click.echo(
                f"The register already holds {present} assets; the demo was not loaded again."
            )
            return
        try:
            loaded = load_demo(
                session, folder, cell_m=config["PRIVACY_CELL_M"], area=area_bbox(config)
            )
        except ValidationError as exc:
            raise _fail(exc) from None
        session.commit()
    click.echo(
        f"Loaded {loaded.assets} demo strengths, {loaded.users} demo users "
        f"and {loaded.neighbourhoods} neighbourhoods."
    )


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option(
    "--role", default="resident", show_default=True, help="resident, coach, planner or admin"
)
@click.option("--name", "display_name", default="", help="the name shown to the person")
def create_user(email: str, role: str, display_name: str) -> None:
    """Add a user with a role."""
    with db.database().session() as session:
        try:
            user = user_store.create_user(session, email, role=role, display_name=display_name)
        except ValidationError as exc:
            raise _fail(exc) from None
        session.commit()
        click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@click.command("export")
@with_appcontext
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("--output", required=True, help="the file to write, or - for standard output")
@click.option("--kind", "kinds", multiple=True, help="skill, group or space (repeatable)")
@click.option("--theme", "themes", multiple=True, help="a theme, such as food (repeatable)")
@click.option("--bbox", help="minlon,minlat,maxlon,maxlat (WGS84)")
@click.option("--neighbourhood", help="a neighbourhood's code")
@click.option(
    "--polygon",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a GeoJSON file drawing the area to export",
)
@click.option("--changed-since", help="only strengths changed on or after this date (YYYY-MM-DD)")
def export_command(
    fmt: str,
    output: str,
    kinds: tuple[str, ...],
    themes: tuple[str, ...],
    bbox: str | None,
    neighbourhood: str | None,
    polygon: Path | None,
    changed_since: str | None,
) -> None:
    """Export the public register as GeoJSON, CSV, GeoPackage or HSDS."""
    try:
        filters = ExportFilter.parse(
            kinds=kinds,
            themes=themes,
            bbox=bbox,
            neighbourhood=neighbourhood,
            polygon=read_polygon(polygon.read_bytes()) if polygon else None,
            changed_since=changed_since,
        )
        with _export_session() as session:
            total = count_public(session, filters)
            with opened(output) as out, _progress(total, "Exporting") as bar:
                written = write_export(session, fmt, filters, out, progress=bar.update)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"can't write {output}: {exc.strerror}") from None
    click.echo(f"Exported {written} strengths as {fmt} to {output}.", err=True)


@contextlib.contextmanager
def _export_session() -> Iterator[orm.Session]:
    """Open a session on the app's database through a connection of its own, with the small
    page cache an export's one pass needs."""
    config = current_app.config
    database = storage_db.connect(
        config["DATABASE_URL"],
        busy_timeout_ms=int(config["SQLITE_BUSY_TIMEOUT_MS"]),
        cache_mb=EXPORT_CACHE_MB,
    )
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _progress(length: int, label: str) -> Any:
    return click.progressbar(length=max(length, 1), label=label, file=sys.stderr)


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="report what would happen; write nothing")
@click.option("--theme", "themes", multiple=True, help="a theme for rows that name none")
def import_command(path: Path, dry_run: bool, themes: tuple[str, ...]) -> None:
    """Import strengths from CSV, GeoJSON, GeoPackage, OpenStreetMap or HSDS, all or nothing."""
    config = current_app.config
    options = ImportOptions(
        cell_m=config["PRIVACY_CELL_M"], area=area_bbox(config), default_themes=themes
    )
    with db.database().session() as session:
        with _progress(estimate(path), "Reading") as bar:
            report = run_import(
                session,
                path,
                options,
                dry_run=dry_run,
                max_mb=float(config["IMPORT_MAX_MB"]),
                progress=bar.update,
            )
        if report.written:
            session.commit()
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise click.ClickException(
            "Nothing was imported: put the rejected rows right and try again."
        )


@click.command("freshness")
@with_appcontext
def freshness_command() -> None:
    """Remind owners to confirm their strengths, and hide long-unconfirmed ones (for cron)."""
    from assetmap.web.freshness import run

    done = run()
    click.echo(f"Reminded the owners of {done.reminded} strengths; hid {done.hidden}.")


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (
        export_command,
        import_command,
        init_db,
        seed_demo,
        create_user,
        freshness_command,
    ):
        app.cli.add_command(command)
