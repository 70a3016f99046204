"""Placing a strength: the map a pin is put on, and the point a pin or a typed place names.

Adding a strength and moving one ask the same questions, with the same form.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_babel import gettext as _

from assetmap import maps
from assetmap.domain.area import Area
from assetmap.domain.vocab import Kind
from assetmap.web.area import current_area
from assetmap.web.geocoding import geocoder
from assetmap.web.mapping import map_settings
from assetmap.web.strengths.forms import PlaceForm


def area() -> Area | None:
    """Return the area a strength must lie in, if there is one (see ``web.area``)."""
    return current_area()


def cell_m() -> float:
    """Return the size of the grid a skill's location is generalised to, in metres."""
    return float(current_app.config["PRIVACY_CELL_M"])


def resolve(form: PlaceForm, kind: Kind) -> tuple[tuple[float, float] | None, str, int]:
    """Return the point the form names, the place's name, and the status to answer with."""
    action = request.form.get("action", "")
    if not form.validate():
        return None, "", 400
    if action == "pin":
        point = form.pin(kind, area())
        return point, "", 200 if point else 400
    if action not in ("find", "choose"):
        abort(400, _("Choose where the strength is."))
    look_up = form.find if action == "find" else form.choose
    found, options = look_up(kind, area(), geocoder())
    if found is None:
        return None, "", 200 if options and not form.errors else 400
    return (found.lon, found.lat), found.name, 200


def picker(form: PlaceForm) -> dict[str, Any]:
    """Return the map a pin is put on: around the pin there is, else the area.

    The area, where there is one, is outlined as it is (its polygons, or its box): a pin must
    go inside that line.
    """
    covered, pin = area(), form.shown_point()
    if pin is not None:
        fmap = maps.new_map(map_settings(), center=pin, zoom=16)
    elif covered is not None:
        fmap = maps.new_map(map_settings(), bounds=covered.bbox.as_tuple())
    else:
        fmap = maps.new_map(map_settings(), zoom=2)
    if covered is not None:
        maps.add_area_outline(fmap, covered)
    return {"map": maps.render(fmap)}
