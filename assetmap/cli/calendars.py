"""`import-calendar`: set a group's or space's schedule from a calendar file it already keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask.cli import with_appcontext

from assetmap.cli.common import current_database, fail
from assetmap.domain.errors import ValidationError
from assetmap.exchange.calendars import MAX_BYTES, CalendarError, CalendarReading
from assetmap.services import calendars as service


@click.command("import-calendar")
@with_appcontext
@click.argument("asset_id", type=int)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="say what the file holds, and change nothing")
def import_calendar(asset_id: int, path: Path, dry_run: bool) -> None:
    """Replace the schedule of the group or space ASSET_ID with the repeating events in the
    calendar file (.ics) at PATH."""
    data = _read(path)
    on = service.today()
    with current_database().session() as session:
        try:
            reading = service.import_calendar(
                session, asset_id, data, by=None, on=on, dry_run=dry_run
            )
        except (CalendarError, service.CalendarImportError) as exc:
            raise click.ClickException(str(exc)) from None
        except ValidationError as exc:
            raise fail(exc) from None
    _say(reading, on)
    if dry_run:
        click.echo("Nothing was changed (--dry-run).")
    else:
        click.echo(f"The schedule of strength {asset_id} now has these sessions.")


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise click.ClickException(f"There is no file at {path}.")
    if path.stat().st_size > MAX_BYTES:
        raise click.ClickException(
            f"{path} is larger than the {MAX_BYTES // 1_000_000} MB a calendar may be."
        )
    return path.read_bytes()


def _say(reading: CalendarReading, on: dt.date) -> None:
    click.echo(f"Found {_count(len(reading.found), 'repeating session')}:")
    for item in reading.found:
        click.echo(f"  {item.summary}: {item.schedule.describe(today=on)}")
    if reading.skipped:
        click.echo(f"Skipped {_count(len(reading.skipped), 'event')}:")
        for skipped in reading.skipped:
            click.echo(f"  {skipped.summary}: {skipped.reason}")
    if reading.past:
        click.echo(f"Left out {_count(reading.past, 'event')} over already.")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


COMMANDS = (import_calendar,)
