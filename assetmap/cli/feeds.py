"""Reading another directory's feed: `import-feed`, an HSDS / Open Referral UK API or a dump."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import orm

from assetmap.cli.common import current_database
from assetmap.exchange.export import register_name
from assetmap.exchange.feeds import is_url
from assetmap.exchange.report import ImportReport
from assetmap.runtime.area import area_in_force
from assetmap.services.importing import ImportOptions, run_feed, run_import
from assetmap.storage import imports as import_store


@click.command("import-feed")
@with_appcontext
@click.argument("where")
@click.option(
    "--source",
    help="the directory's name; with it, the feed is taken as all that directory lists, and "
    "what it no longer lists is withdrawn (or noted, where someone edited it here)",
)
@click.option("--dry-run", is_flag=True, help="report what would happen; write nothing")
@click.option("--theme", "themes", multiple=True, help="a theme for records that name none")
def import_feed_command(
    where: str, source: str | None, dry_run: bool, themes: tuple[str, ...]
) -> None:
    """Import a directory's HSDS / Open Referral UK API (URL, every page) or dump (PATH).

    Records are matched by their source and id, then by name and place; a second run updates
    what changed. All or nothing: a page that can't be read, or a record that breaks a rule,
    and nothing is imported.
    """
    config = current_app.config
    options = ImportOptions(
        cell_m=config["PRIVACY_CELL_M"],
        area=area_in_force(config, current_database()),
        default_themes=themes,
        register=register_name(str(config["PUBLIC_URL"])),
        feed=True,
        full_listing=bool(source),
    )
    named = (source or "").strip() or _name_of(where)
    with current_database().session() as session:
        try:
            report = _read(session, where, options, named, dry_run)
            if report.written:
                session.commit()
        except import_store.Busy:
            raise click.ClickException(
                "Nothing was imported: other changes kept the database busy. Try again when "
                "they have finished."
            ) from None
        except sa.exc.SQLAlchemyError as exc:
            cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else type(exc).__name__
            raise click.ClickException(
                f"Nothing was imported: the database refused the changes ({cause})."
            ) from None
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        raise click.ClickException("Nothing was imported: see what was rejected above.")


def _read(
    session: orm.Session, where: str, options: ImportOptions, source: str, dry_run: bool
) -> ImportReport:
    config = current_app.config
    max_rows = int(config["IMPORT_MAX_ROWS"])
    if is_url(where):
        return run_feed(session, where, options, source=source, dry_run=dry_run, max_rows=max_rows)
    path = Path(where)
    if not path.is_file():
        raise click.BadParameter(
            f"{where!r} is neither an http(s) address nor a file", param_hint="WHERE"
        )
    return run_import(
        session,
        path,
        options,
        dry_run=dry_run,
        max_mb=float(config["IMPORT_MAX_MB"]),
        max_rows=max_rows,
        source=source,
    )


def _name_of(where: str) -> str:
    """Return what a feed is called where no --source names it: its host, or its file's name."""
    if is_url(where):
        return urllib.parse.urlsplit(where).netloc
    return Path(where).name


COMMANDS = [import_feed_command]
