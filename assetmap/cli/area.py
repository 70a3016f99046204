"""`flask area`: the place this assetmap serves, built from the files a place already has."""

from __future__ import annotations

import click


@click.group("area")
def area() -> None:
    """Set up the area: its neighbourhoods and its gazetteer of streets, places and postcodes."""
