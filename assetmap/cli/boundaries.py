"""`flask area import-neighbourhoods`."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from assetmap.cli.area import area
from assetmap.cli.common import current_database
from assetmap.domain.errors import ValidationError
from assetmap.exchange.boundaries import Choice, read_boundaries
from assetmap.services.neighbourhoods import import_neighbourhoods


@area.command("import-neighbourhoods")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code-field", help="the column holding each neighbourhood's unique code")
@click.option("--name-field", help="the column holding each neighbourhood's name")
@click.option("--layer", help="the layer to read, in a file holding several")
@click.option("--dry-run", is_flag=True, help="report what would change; write nothing")
def import_neighbourhoods_command(
    path: Path, code_field: str | None, name_field: str | None, layer: str | None, dry_run: bool
) -> None:
    """Import neighbourhood or ward boundaries from GeoJSON, a GeoPackage or a Shapefile
    (.shp with its sidecars, or a .zip of them), in any coordinate system the file states.

    Neighbourhoods are matched by code: new ones are added, changed ones updated, and those
    the file no longer holds removed; every strength is then filed under the neighbourhood it
    lies in. All or nothing.
    """
    config = current_app.config
    try:
        boundaries = read_boundaries(
            path,
            Choice(code_field, name_field, layer),
            max_mb=float(config["IMPORT_MAX_MB"]),
            max_rows=int(config["IMPORT_MAX_ROWS"]),
        )
        with current_database().session() as session:
            done = import_neighbourhoods(session, boundaries, dry_run=dry_run)
            if not dry_run:
                session.commit()
    except ValidationError as exc:
        raise click.ClickException(_refusal(exc)) from None
    except sa.exc.SQLAlchemyError as exc:
        cause = exc.orig if isinstance(exc, sa.exc.DBAPIError) else type(exc).__name__
        raise click.ClickException(
            f"Nothing was imported: the database refused the changes ({cause})."
        ) from None
    for line in done.lines():
        click.echo(line)


def _refusal(exc: ValidationError) -> str:
    """Return the reasons a file was refused, a line each, the file's own first."""
    lines = [
        reason if field == "file" else f"{field}: {reason}" for field, reason in exc.errors.items()
    ]
    return "\n".join(["Nothing was imported.", *lines])
