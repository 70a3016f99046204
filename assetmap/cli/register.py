"""The register's commands: make the database, import and export strengths, keep them fresh."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import orm

from assetmap.cli.common import current_database, progress
from assetmap.domain.vocab import Kind
from assetmap.exchange import threesixtygiving
from assetmap.exchange.export import AWARD_FORMATS, FORMATS, opened, register_name
from assetmap.exchange.geojson import read_polygon
from assetmap.exchange.importing import Columns, estimate
from assetmap.runtime.area import area_in_force
from assetmap.runtime.database import database as app_database
from assetmap.services.exports import write_export
from assetmap.services.freshness import run as run_freshness
from assetmap.services.importing import ImportOptions, run_import
from assetmap.storage import database as storage_db
from assetmap.storage import fund_awards
from assetmap.storage import imports as import_store
from assetmap.storage.exports import (
    EXPORT_CACHE_MB,
    ExportFilter,
    count_public,
    neighbourhood_codes,
)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database, or bring its schema up to date."""
    database = app_database()
    name = storage_db.name_of(database)
    if storage_db.is_current(database):
        click.echo(f"The {name} database is already up to date.")
        return
    created = not storage_db.has_tables(database)
    storage_db.upgrade(database)
    if created:
        click.echo(f"Created the {name} database.")
    else:
        click.echo(f"Brought the {name} database up to date.")


@click.command("export")
@with_appcontext
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, *AWARD_FORMATS]),
    required=True,
    help="a format of strengths, or a community fund's awards in the 360Giving Data Standard: "
    "360giving (JSON) or 360giving-csv (CSV)",
)
@click.option("--output", required=True, help="the file to write, or - for standard output")
@click.option(
    "--round", "round_id", type=int, help="360giving formats only: the awards of this round alone"
)
@click.option("--kind", "kinds", multiple=True, help="skill, group or space (repeatable)")
@click.option("--theme", "themes", multiple=True, help="a theme, such as food (repeatable)")
@click.option("--bbox", help="minlon,minlat,maxlon,maxlat (WGS84)")
@click.option(
    "--neighbourhood",
    help="a neighbourhood's name or code, in any case (`flask --app assetmap neighbourhoods`)",
)
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
    round_id: int | None,
) -> None:
    """Export the public register as GeoJSON, CSV, GeoPackage or HSDS, or a community fund's
    awards as 360Giving JSON or CSV."""
    if fmt in AWARD_FORMATS:
        given = {
            "--kind": kinds,
            "--theme": themes,
            "--bbox": bbox,
            "--neighbourhood": neighbourhood,
            "--polygon": polygon,
            "--changed-since": changed_since,
        }
        _export_awards(fmt, output, round_id, [name for name, value in given.items() if value])
        return
    if round_id is not None:
        raise click.UsageError("--round applies to the 360giving formats alone")
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
            filters = dataclasses.replace(
                filters, neighbourhood=neighbourhood_code(session, filters.neighbourhood)
            )
            total = count_public(session, filters)
            with opened(output) as out, progress(total, "Exporting") as bar:
                written = write_export(
                    session, fmt, filters, out, progress=bar.update, register=_register()
                )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"can't write {output}: {exc.strerror}") from None
    click.echo(f"Exported {written} strengths as {fmt} to {output}.", err=True)


def _export_awards(
    fmt: str, output: str, round_id: int | None, strength_filters: list[str]
) -> None:
    """Write the awards of published rounds (or of round ``round_id``) in a 360Giving format."""
    if strength_filters:
        raise click.UsageError(
            f"{', '.join(strength_filters)}: {fmt} exports funded projects, not strengths; "
            f"choose them with --round"
        )
    if fmt == "360giving" and output.lower().endswith(".csv"):
        raise click.UsageError("--format 360giving writes JSON; for CSV use --format 360giving-csv")
    funder = threesixtygiving.Funder.from_config(current_app.config)
    written = 0
    try:
        with current_database().session() as session:
            if round_id is not None and not fund_awards.round_exists(session, round_id):
                raise click.ClickException(f"fund round {round_id} doesn't exist")
            awards = _Tally(fund_awards.awards(session, round_id))
            with opened(output) as out:
                for chunk in threesixtygiving.WRITERS[fmt](awards, funder):
                    out.write(chunk)
            written = awards.total
    except OSError as exc:
        raise click.ClickException(f"can't write {output}: {exc.strerror}") from None
    click.echo(f"Exported {written} awards as {fmt} to {output}.", err=True)


class _Tally:
    """Awards passed through, counted."""

    def __init__(self, awards: Iterator[fund_awards.Award]) -> None:
        self.awards, self.total = awards, 0

    def __iter__(self) -> Iterator[fund_awards.Award]:
        for award in self.awards:
            self.total += 1
            yield award


def neighbourhood_code(session: orm.Session, given: str | None) -> str | None:
    """Return the code of the neighbourhood ``given`` names by its name or code, in any case."""
    if given is None:
        return None
    known = neighbourhood_codes(session)
    wanted = given.strip().casefold()
    for code, name in known:
        if wanted in (code.casefold(), name.casefold()):
            return code
    listed = "; ".join(f"{name} ({code})" for code, name in known) or "none are stored"
    raise ValueError(f"neighbourhood {given!r} is unknown; choose a name or code from: {listed}")


@click.command("neighbourhoods")
@with_appcontext
def neighbourhoods_command() -> None:
    """List the neighbourhoods: each one's code and name, either of which export takes."""
    with current_database().session() as session:
        known = neighbourhood_codes(session)
    if not known:
        click.echo(
            "No neighbourhoods are stored: `flask --app assetmap seed-demo` loads the demo's."
        )
        return
    width = max(len(code) for code, _ in known)
    for code, name in known:
        click.echo(f"{code:<{width}}  {name}")


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


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="report what would happen; write nothing")
@click.option("--theme", "themes", multiple=True, help="a theme for rows that name none")
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="SOURCE=FIELD",
    help="read the file's column SOURCE as FIELD, or SOURCE=ignore to leave it out (repeatable)",
)
@click.option(
    "--kind", type=click.Choice([k.value for k in Kind]), help="the kind of rows that name none"
)
def import_command(
    path: Path, dry_run: bool, themes: tuple[str, ...], maps: tuple[str, ...], kind: str | None
) -> None:
    """Import strengths from CSV, GeoJSON, GeoPackage, OpenStreetMap or HSDS, all or nothing.

    A table's columns are read by their usual names (name, x, y, website...); --map reads
    the others, and --kind gives the kind of a file of one kind of place.
    """
    try:
        columns = Columns.parse(maps, kind or "")
    except ValueError as exc:
        raise click.BadParameter(str(exc).removeprefix("map: "), param_hint="--map") from None
    config = current_app.config
    options = ImportOptions(
        cell_m=config["PRIVACY_CELL_M"],
        area=area_in_force(config, current_database()),
        default_themes=themes,
        register=_register(),
    )
    with _said_plainly(), current_database().session() as session:
        with progress(estimate(path), "Reading") as bar:
            report = run_import(
                session,
                path,
                options,
                dry_run=dry_run,
                max_mb=float(config["IMPORT_MAX_MB"]),
                max_rows=int(config["IMPORT_MAX_ROWS"]),
                progress=bar.update,
                columns=columns,
            )
        if report.written:
            session.commit()
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise click.ClickException(
            "Nothing was imported: put the rejected rows right and try again."
        )


def _register() -> str:
    """Return this register's name, which its exports give its own strengths' ids."""
    return register_name(str(current_app.config["PUBLIC_URL"]))


@contextlib.contextmanager
def _said_plainly() -> Iterator[None]:
    """Say in plain words why an import's writes failed (nothing of it was written)."""
    try:
        yield
    except import_store.Busy:
        seconds = int(current_app.config["SQLITE_BUSY_TIMEOUT_MS"]) / 1000
        raise click.ClickException(
            f"Nothing was imported: other changes kept the database busy for more than "
            f"{seconds:g} seconds. Try again when they have finished."
        ) from None
    except sa.exc.SQLAlchemyError as exc:
        raise click.ClickException(_refused(exc)) from None


def _refused(exc: sa.exc.SQLAlchemyError) -> str:
    cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else type(exc).__name__
    return f"Nothing was imported: the database refused the changes ({cause})."


@click.command("freshness")
@with_appcontext
def freshness_command() -> None:
    """Remind owners to confirm their strengths, and hide long-unconfirmed ones (for cron)."""
    done = run_freshness()
    click.echo(f"Reminded the owners of {done.reminded} strengths; hid {done.hidden}.")


COMMANDS = (
    export_command,
    import_command,
    init_db,
    freshness_command,
    neighbourhoods_command,
)
