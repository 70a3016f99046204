"""Streets, places and postcodes from an OpenStreetMap extract (``.osm`` or ``.osm.pbf``).

- A street is every named ``highway=*`` way of one name within ``STREET_JOIN_M`` of another:
  the ways of one street are one place, while a lane of the same name in the next village is
  another. It is placed on the street near its middle, never at a centroid off the road.
- A place is a named ``place=*`` node, or an area's point inside it (unless a node of the same
  name lies in that area: then the node alone).
- A postcode is each ``addr:postcode`` value, placed at the centre of the addresses carrying it,
  nodes and buildings alike.

A file that is not sorted (as Overpass saves them) is first copied in order, as strengths'
imports do.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry

from assetmap.domain.geo import BBox, bbox_around
from assetmap.domain.places import Place, check_place, normalise, normalise_postcode
from assetmap.exchange.importing.osm import in_order, sorted_copy
from assetmap.exchange.places.formats import Detected, Tally

# Ways of one name this close (metres) to each other make one street.
STREET_JOIN_M = 100.0
# highway=* values that are not streets a person would name as where they are.
_NOT_STREETS = {"proposed", "construction", "platform", "bus_stop", "elevator", "abandoned"}
_NOT_PLACES = {"house", "plot"}
_KEYS = ("highway", "place", "addr:postcode")


@dataclass
class _Found:
    """What one pass over the file collects."""

    streets: dict[str, list[tuple[str, LineString]]] = field(default_factory=dict)
    places: list[Place] = field(default_factory=list)
    areas: list[tuple[str, BaseGeometry]] = field(default_factory=list)
    postcodes: dict[str, list[float]] = field(default_factory=dict)


def read_osm_places(
    path: Path, detected: Detected, tally: Tally, box: BBox | None
) -> Iterator[Place]:
    """Yield the streets, places and postcodes of an extract; a street's ways outside ``box``
    are counted and left out as they are read, so a national extract is never held whole."""
    try:
        if in_order(path, detected.fmt):
            found = _collect(path, detected.fmt, tally, box)
        else:
            with tempfile.TemporaryDirectory(prefix="assetmap-osm-") as folder:
                found = _collect(sorted_copy(path, detected.fmt, Path(folder)), "pbf", tally, box)
    except RuntimeError as exc:
        raise ValueError(
            f"{path.name} is not an OpenStreetMap file pyosmium can read: {exc}"
        ) from None
    for place in (*found.places, *_area_places(found), *_streets(found), *_postcodes(found)):
        try:
            yield check_place(place.name, place.kind, place.lon, place.lat)
        except ValueError as exc:
            tally.skipped[f"{place.kind}s whose {str(exc).split(', got')[0]}"] += 1


def _collect(path: Path, fmt: str, tally: Tally, box: BBox | None) -> _Found:
    import osmium

    processor = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt))
        .with_locations()
        .with_areas()
        .with_filter(osmium.filter.KeyFilter(*_KEYS))
    )
    found = _Found()
    for item in processor:
        if isinstance(item, osmium.osm.Node):
            _node(item, found)
        elif isinstance(item, osmium.osm.Way):
            _way(item, found, tally, box)
        elif isinstance(item, osmium.osm.Area):
            _area(item, found, tally)
    return found


def _node(node: Any, found: _Found) -> None:
    tags = node.tags
    lon, lat = node.location.lon, node.location.lat
    name = " ".join(tags.get("name", "").split())
    if name and tags.get("place") and tags.get("place") not in _NOT_PLACES:
        found.places.append(Place(name, "place", lon, lat))
    _address(tags.get("addr:postcode", ""), lon, lat, found)


def _way(way: Any, found: _Found, tally: Tally, box: BBox | None) -> None:
    name = " ".join(way.tags.get("name", "").split())
    if not name or way.tags.get("highway", "") in _NOT_STREETS | {""}:
        return
    points = [(n.lon, n.lat) for n in way.nodes if n.location.valid()]
    if len(points) < 2:
        tally.skipped["street ways whose points are not in the file"] += 1
        return
    line = LineString(points)
    if box is not None and not shapely.intersects(line, shapely.box(*box.as_tuple())):
        tally.skipped["street ways outside the area"] += 1
        return
    found.streets.setdefault(normalise(name), []).append((name, line))


def _area(area: Any, found: _Found, tally: Tally) -> None:
    from osmium.geom import WKBFactory

    tags = area.tags
    name = " ".join(tags.get("name", "").split())
    is_place = bool(name) and tags.get("place", "") not in _NOT_PLACES | {""}
    postcode = tags.get("addr:postcode", "")
    if not (is_place or postcode):
        return
    try:
        shape = shapely.from_wkb(WKBFactory().create_multipolygon(area))
    except RuntimeError:
        tally.skipped["areas whose outline is broken"] += 1
        return
    inside = shape.representative_point()
    if is_place:
        found.areas.append((name, shape))
    _address(postcode, inside.x, inside.y, found)


def _address(value: str, lon: float, lat: float, found: _Found) -> None:
    for given in value.split(";"):
        postcode = normalise_postcode(given) or " ".join(given.upper().split())
        if postcode:
            total = found.postcodes.setdefault(postcode, [0.0, 0.0, 0])
            total[0] += lon
            total[1] += lat
            total[2] += 1


def _area_places(found: _Found) -> Iterator[Place]:
    """Yield a place per named area, unless a place node of its name lies inside it."""
    for name, shape in found.areas:
        key = normalise(name)
        nodes = [Point(p.lon, p.lat) for p in found.places if normalise(p.name) == key]
        if not any(shape.intersects(node) for node in nodes):
            inside = shape.representative_point()
            yield Place(name, "place", inside.x, inside.y)


def _streets(found: _Found) -> Iterator[Place]:
    for ways in found.streets.values():
        lines = [line for _, line in ways]
        for group in _near_each_other(lines):
            yield Place(ways[group[0]][0], "street", *_middle([lines[i] for i in group]))


def _near_each_other(lines: list[LineString]) -> list[list[int]]:
    """Group lines, each within ``STREET_JOIN_M`` of another in its group (by index)."""
    if len(lines) == 1:
        return [[0]]
    centre = shapely.centroid(MultiLineString(lines))
    reach = bbox_around(centre.x, centre.y, STREET_JOIN_M)
    degrees = max(reach.max_lon - centre.x, reach.max_lat - centre.y)
    tree = shapely.STRtree(lines)
    pairs = tree.query(lines, predicate="dwithin", distance=degrees)
    parent = list(range(len(lines)))
    for a, b in pairs.T:
        parent[_root(parent, int(a))] = _root(parent, int(b))
    groups: dict[int, list[int]] = {}
    for index in range(len(lines)):
        groups.setdefault(_root(parent, index), []).append(index)
    return list(groups.values())


def _root(parent: list[int], index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


def _middle(lines: list[LineString]) -> tuple[float, float]:
    """Return a point on the street near its middle: halfway along it when its ways join up
    into one line, else the point of it nearest the middle of them all."""
    merged = shapely.line_merge(MultiLineString(lines))
    if isinstance(merged, LineString):
        point = merged.interpolate(0.5, normalized=True)
    else:
        point = shapely.get_point(shapely.shortest_line(merged, merged.centroid), 0)
    return float(point.x), float(point.y)


def _postcodes(found: _Found) -> Iterator[Place]:
    for postcode, (lons, lats, count) in sorted(found.postcodes.items()):
        yield Place(postcode, "postcode", lons / count, lats / count)
