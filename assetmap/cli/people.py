"""The people who run a site: accounts, passwords and roles, from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from assetmap.cli.common import fail
from assetmap.domain.errors import ValidationError
from assetmap.storage import users as user_store
from assetmap.web import db


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
            raise fail(exc) from None
        session.commit()
        click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


COMMANDS = (create_user,)
