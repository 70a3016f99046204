"""`seed-demo`: the demo town's neighbourhoods, gazetteer, people and strengths.

So that the demo can be tried in every role at once, one person of each role is given a
password made afresh for this database. It is printed once and never written anywhere: only its
hash is stored.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import orm

from assetmap.cli.common import current_database, fail
from assetmap.config import area_bbox
from assetmap.domain.errors import ValidationError
from assetmap.domain.passphrases import passphrase
from assetmap.domain.vocab import Role
from assetmap.exchange.demo import default_folder
from assetmap.runtime.links import external_url
from assetmap.services.demo import load_demo
from assetmap.storage import assets as asset_store
from assetmap.storage import users as user_store


@dataclass(frozen=True)
class SignIn:
    """How to sign in as one of the demo's people; no password where they had one already."""

    role: Role
    email: str
    password: str | None


def demo_staff(folder: Path) -> list[tuple[Role, str]]:
    """Return the first person of each role in the demo's users.csv, residents first."""
    first: dict[str, str] = {}
    with (folder / "users.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first.setdefault(row["role"], row["email"])
    return [(role, first[role.value]) for role in Role if role.value in first]


def give_passwords(session: orm.Session, staff: list[tuple[Role, str]]) -> list[SignIn]:
    """Give each of these people who has no password a new one, and return how they sign in."""
    sign_ins = []
    for role, email in staff:
        user = user_store.require_user(session, email)
        password = None if user.password_hash else passphrase()
        if password is not None:
            user_store.set_password(user, password)
        sign_ins.append(SignIn(role, user.email, password))
    return sign_ins


def _table(sign_ins: list[SignIn]) -> list[str]:
    rows = [("Role", "Email", "Password")] + [
        (s.role.value, s.email, s.password or "(has one already: use set-password)")
        for s in sign_ins
    ]
    wide = [max(len(row[i]) for row in rows) for i in range(2)]
    return [f"  {role:<{wide[0]}}  {email:<{wide[1]}}  {word}" for role, email, word in rows]


def _say_sign_ins(sign_ins: list[SignIn]) -> None:
    click.echo(f"\nTry it in each role: sign in at {external_url('auth.sign_in')} as")
    for line in _table(sign_ins):
        click.echo(line)
    click.echo("These passwords were made for this database and are shown only this once.")
    click.echo("To choose another: flask --app assetmap set-password EMAIL")


def _say_already_loaded(present: int, staff: list[tuple[Role, str]]) -> None:
    click.echo(f"The register already holds {present} assets; the demo was not loaded again.")
    click.echo("Its passwords were shown when it was loaded. To choose one afresh, then sign in")
    click.echo(f"at {external_url('auth.sign_in')}:")
    wide = max((len(role.value) for role, _ in staff), default=0)
    for role, email in staff:
        click.echo(f"  {role.value:<{wide}}  flask --app assetmap set-password {email}")


@click.command("seed-demo")
@with_appcontext
@click.option("--folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def seed_demo(folder: Path | None) -> None:
    """Load the demo neighbourhood's users and strengths (once), and print how to sign in as
    its resident, coach, planner and admin."""
    database = current_database()
    config = current_app.config
    folder = folder or Path(config["DEMO_DATA_DIR"] or default_folder())
    staff = demo_staff(folder)
    with database.session() as session:
        present = asset_store.count_assets(session)
        if present:
            _say_already_loaded(present, staff)
            return
        try:
            loaded = load_demo(
                session,
                folder,
                cell_m=config["PRIVACY_CELL_M"],
                area=area_bbox(config),
                secret=str(config["SECRET_KEY"]).encode(),
            )
            sign_ins = give_passwords(session, staff)
        except ValidationError as exc:
            raise fail(exc) from None
        session.commit()
    click.echo(
        f"Loaded {loaded.assets} demo strengths, {loaded.users} demo users, "
        f"{loaded.neighbourhoods} neighbourhoods, {loaded.places} gazetteer places and "
        f"{loaded.rounds} community fund rounds."
    )
    _say_sign_ins(sign_ins)


COMMANDS = (seed_demo,)
