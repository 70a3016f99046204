"""Flask commands: thin wrappers over storage and exchange functions."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from assetmap.config import area_bbox
from assetmap.domain.errors import ValidationError
from assetmap.exchange.demo import default_folder, load_demo
from assetmap.storage import db as storage_db
from assetmap.storage import users as user_store
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


def init_app(app: Flask) -> None:
    """Register the commands."""
    for command in (init_db, seed_demo, create_user):
        app.cli.add_command(command)
