"""Flask commands: thin wrappers over storage and exchange functions, a module for each task."""

from __future__ import annotations

from flask import Flask

from assetmap.cli import area, backup, calendars, demo, feeds, people, register
from assetmap.cli import boundaries as _boundaries  # noqa: F401  adds `area import-neighbourhoods`
from assetmap.cli import places as _places  # noqa: F401  adds `area import-places`


def init_app(app: Flask) -> None:
    """Register the commands."""
    for module in (register, feeds, demo, people, backup, calendars):
        for command in module.COMMANDS:
            app.cli.add_command(command)
    app.cli.add_command(area.area)
