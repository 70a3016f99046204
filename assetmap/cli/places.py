"""`flask area import-places`: the gazetteer of streets, places and postcodes, from the files a
place already has."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from assetmap.cli.area import area
from assetmap.cli.common import current_database
from assetmap.domain.places import PLACE_KINDS
from assetmap.exchange.places import PlacesReport
from assetmap.runtime.area import area_in_force
from assetmap.services.places import import_places


@area.command("import-places")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(PLACE_KINDS),
    help="take only this kind of place from the file (repeatable)",
)
@click.option(
    "--add",
    is_flag=True,
    help="keep the places held and add those not held yet, instead of replacing each kind",
)
@click.option("--dry-run", is_flag=True, help="report what would happen; write nothing")
def import_places_command(path: Path, kinds: tuple[str, ...], add: bool, dry_run: bool) -> None:
    """Build the gazetteer from an OpenStreetMap extract, the ONS Postcode Directory, OS Open
    Names or a name,kind,lon,lat CSV, all or nothing.

    Only places inside the area are kept. Each kind of place the file brings (street, place,
    postcode) replaces the places of that kind held, so streets from OpenStreetMap and then
    postcodes from the ONS Postcode Directory make one gazetteer; --add keeps those held.
    """
    report = _imported(path, kinds or PLACE_KINDS, add=add, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)


def _imported(path: Path, kinds: tuple[str, ...], *, add: bool, dry_run: bool) -> PlacesReport:
    where = area_in_force(current_app.config, current_database())
    with current_database().session() as session:
        try:
            report = import_places(session, path, area=where, kinds=kinds, add=add, dry_run=dry_run)
        except ValueError as exc:
            raise click.ClickException(f"Nothing was imported: {exc}") from None
        except sa.exc.SQLAlchemyError as exc:
            cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else type(exc).__name__
            raise click.ClickException(
                f"Nothing was imported: the database refused the changes ({cause})."
            ) from None
        if not dry_run:
            session.commit()
    return report
