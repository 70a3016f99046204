"""`flask area`: the place this assetmap serves, built from the files a place already has."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from assetmap.cli.common import current_database
from assetmap.domain.geo import BBox
from assetmap.runtime.area import area_in_force
from assetmap.storage.area import AREA_MARGIN_M
from assetmap.storage.neighbourhoods import neighbourhood_layer, unfiled_count
from assetmap.storage.places import count_places


@click.group("area")
def area() -> None:
    """Set up the area: its neighbourhoods and its gazetteer of streets, places and postcodes."""


@area.command("show")
@with_appcontext
def show() -> None:
    """Print the area, its neighbourhoods with their strengths, and the gazetteer's size."""
    config = current_app.config
    database = current_database()
    in_force = area_in_force(config, database)
    with database.session() as session:
        layer = neighbourhood_layer(session)
        unfiled = unfiled_count(session)
        places = count_places(session)
    if in_force is None:
        click.echo("Area: anywhere. Import neighbourhoods to set it: `area import-neighbourhoods`.")
    elif config.get("AREA_BBOX"):
        click.echo(f"Area: the box ASSETMAP_AREA_BBOX sets, {_box(in_force.bbox)}.")
    else:
        click.echo(
            f"Area: the neighbourhoods and {AREA_MARGIN_M / 1000:g} km around them, "
            f"within {_box(in_force.bbox)}."
        )
    click.echo("")
    _neighbourhoods([(r.code, r.name, int(r.assets)) for r in layer.itertuples()], unfiled)
    click.echo("")
    total = sum(places.values())
    kinds = ", ".join(
        f"{count:,} {kind}{'' if count == 1 else 's'}" for kind, count in places.items()
    )
    click.echo(f"Gazetteer: {total:,} places ({kinds})." if total else _NO_PLACES)


_UNFILED = "In no neighbourhood"
_NO_PLACES = "Gazetteer: empty. Build it with `area import-places`."


def _neighbourhoods(rows: list[tuple[str, str, int]], unfiled: int) -> None:
    if not rows:
        click.echo("Neighbourhoods: none.")
        return
    click.echo(f"Neighbourhoods: {len(rows)}, with their published strengths:")
    code_width = max(len("Code"), *(len(code) for code, _, _ in rows))
    name_width = max(len(_UNFILED), *(len(name) for _, name, _ in rows))
    click.echo(f"  {'Code':<{code_width}}  {'Name':<{name_width}}  Strengths")
    for code, name, count in rows:
        click.echo(f"  {code:<{code_width}}  {name:<{name_width}}  {count:>9,}")
    click.echo(f"  {'':<{code_width}}  {_UNFILED:<{name_width}}  {unfiled:>9,}")


def _box(box: BBox) -> str:
    west, south, east, north = box.as_tuple()
    return f"longitude {west:.4f} to {east:.4f}, latitude {south:.4f} to {north:.4f}"
