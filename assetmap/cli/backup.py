"""`backup` and `restore`: the whole database to a file and back, while the app serves."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from assetmap.runtime.database import database as app_database
from assetmap.storage import backup as backups

CONFIRM = "This replaces everything in the database with the backup. Continue?"


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="replace the file at PATH if there is one")
def backup_command(path: Path, force: bool) -> None:
    """Write a backup of the whole database to PATH, safely while the app serves."""
    try:
        made = backups.backup(app_database(), path, replace=force)
    except backups.BackupExists:
        raise click.ClickException(
            f"{path} already exists. Give another name, or add --force to replace it."
        ) from None
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up {_contents(made)} to {path} ({_size(made.size)}).")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="do not ask before replacing the database")
def restore_command(path: Path, yes: bool) -> None:
    """Replace everything in the database with the backup at PATH."""
    if not yes:
        click.confirm(CONFIRM, abort=True)
    try:
        restored = backups.restore(app_database(), path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {_contents(restored)} from {path}.")


def _contents(made: backups.Backup) -> str:
    strengths, accounts = made.contents
    return f"{_count(strengths, 'strength')} and {_count(accounts, 'account')}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


_UNITS = (("TB", 10**12), ("GB", 10**9), ("MB", 10**6), ("kB", 10**3))


def _size(size: int) -> str:
    """Say a file's size as a person would, in bytes, kB, MB, GB or TB."""
    for unit, scale in _UNITS:
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


COMMANDS: tuple[click.Command, ...] = (backup_command, restore_command)
