"""`seed-demo`: the demo town's neighbourhoods, gazetteer, people and strengths."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from assetmap.cli.common import fail
from assetmap.config import area_bbox
from assetmap.domain.errors import ValidationError
from assetmap.exchange.demo import default_folder, load_demo
from assetmap.storage import db as storage_db
from assetmap.storage.models import Asset
from assetmap.web import db


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
            raise fail(exc) from None
        session.commit()
    click.echo(
        f"Loaded {loaded.assets} demo strengths, {loaded.users} demo users "
        f"and {loaded.neighbourhoods} neighbourhoods."
    )


COMMANDS = (seed_demo,)
