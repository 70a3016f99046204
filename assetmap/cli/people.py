"""The people who run a site: accounts, passwords and roles, from the command line.

A password is never an argument, where it would stay in the shell's history and show in
``ps``. At a terminal it is asked for twice, hidden. Piped in, it is read from standard input:
one line, or the same line twice, as a terminal asks for it.
"""

from __future__ import annotations

import sys
from typing import TextIO

import click
from flask.cli import with_appcontext
from sqlalchemy import orm

from assetmap.cli.common import current_database, fail
from assetmap.domain.errors import ValidationError
from assetmap.domain.vocab import Role
from assetmap.storage import roles as role_store
from assetmap.storage import users as user_store
from assetmap.storage.models import User
from assetmap.storage.neighbourhoods import neighbourhood_choices

# Enough for two lines of the longest password allowed, with their line endings.
PIPED_MAX = 2 * (user_store.PASSWORD_MAX + 2)
PIPED_RULE = "give it on one line of standard input, or on two lines that are the same"

neighbourhood_option = click.option(
    "--neighbourhood",
    "neighbourhoods",
    multiple=True,
    metavar="CODE",
    help="Limit a coach, planner or admin to this neighbourhood (code or name); repeat for "
    "more. `flask --app assetmap neighbourhoods` lists them.",
)


def read_password() -> str:
    """Return a new password: asked for twice, hidden, at a terminal; else read from a pipe."""
    if sys.stdin.isatty():
        first = click.prompt("New password", hide_input=True, err=True)
        again = click.prompt("The same password again", hide_input=True, err=True)
    else:
        first, again = _piped(sys.stdin)
    if first != again:
        raise ValidationError({"password": "the two passwords are not the same"})
    return first


def _piped(stream: TextIO) -> tuple[str, str]:
    text = stream.read(PIPED_MAX + 1)
    lines = [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]
    if not text:
        raise ValidationError({"password": f"standard input was empty; {PIPED_RULE}"})
    if len(text) > PIPED_MAX or len(lines) > 2:
        raise ValidationError(
            {"password": f"standard input held more than a password; {PIPED_RULE}"}
        )
    return lines[0], lines[-1]


def _where(session: orm.Session, user: User) -> str:
    """Return the neighbourhoods the user is limited to, in words, or nothing for everywhere."""
    names = [name for n, _, name in neighbourhood_choices(session) if n in user.neighbourhoods]
    return f" in {' and '.join(names)}" if names else ""


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option(
    "--role", default="resident", show_default=True, help="resident, coach, planner or admin"
)
@click.option("--name", "display_name", default="", help="the name shown to the person")
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="Ask for a password (hidden, twice), or read it from standard input, so the person "
    "can sign in at once.",
)
@neighbourhood_option
def create_user(
    email: str, role: str, display_name: str, ask_password: bool, neighbourhoods: tuple[str, ...]
) -> None:
    """Add a user with a role; their address counts as confirmed.

    With --password they can sign in at once. At a terminal it is asked for twice, hidden;
    piped in, it is one line of standard input, or the same line twice.
    """
    database = current_database()
    try:
        with database.session() as session:
            user_store.check_new_user(session, email, role, display_name)
            role_store.check_scope(role, role_store.neighbourhood_ids(session, neighbourhoods))
        password = read_password() if ask_password else None
        with database.session() as session:
            user = role_store.add_person(
                session,
                email,
                role=role,
                display_name=display_name,
                password=password,
                neighbourhoods=neighbourhoods,
            )
            session.commit()
            said = f"Created {user.role.value} {user.email} (id {user.id}){_where(session, user)}."
    except ValidationError as exc:
        raise fail(exc) from None
    if password is None:
        said += f" To let them sign in: flask --app assetmap set-password {user.email}"
    click.echo(said)


@click.command("set-password")
@with_appcontext
@click.argument("email")
def set_password(email: str) -> None:
    """Give a user a new password and end every session they have.

    At a terminal it is asked for twice, hidden; piped in, it is one line of standard input, or
    the same line twice.
    """
    database = current_database()
    try:
        with database.session() as session:
            user_store.require_user(session, email)
        password = read_password()
        with database.session() as session:
            user = user_store.set_password_of(session, email, password)
            session.commit()
            said = f"Set a new password for {user.email}; they are signed out everywhere."
    except ValidationError as exc:
        raise fail(exc) from None
    click.echo(said)


@click.command("set-role")
@with_appcontext
@click.argument("email")
@click.argument("role")
@neighbourhood_option
def set_role(email: str, role: str, neighbourhoods: tuple[str, ...]) -> None:
    """Set a user's role: resident, coach, planner or admin.

    Without --neighbourhood they act everywhere. The change is recorded among the role changes,
    with no admin as its author, and ends every session the person has.
    """
    try:
        with current_database().session() as session:
            user, change = role_store.set_role_of(session, email, role, neighbourhoods, by=None)
            session.commit()
            said = f"{_as_role(user.role)}{_where(session, user)}"
    except ValidationError as exc:
        raise fail(exc) from None
    if change is None:
        click.echo(f"{user.email} is already {said}; nothing changed.")
    else:
        click.echo(
            f"{user.email} is now {said}. The change is recorded among the role changes, "
            "and any session they had has ended."
        )


def _as_role(role: Role) -> str:
    return f"an {role.value}" if role is Role.ADMIN else f"a {role.value}"


COMMANDS = (create_user, set_password, set_role)
