"""Gazetteer files as a place has them, written at test time with pyosmium, pyproj and csv.

Every position starts as metres east and north of Frome's market place on the British National
Grid (EPSG:27700) and is turned into WGS84 with pyproj: nothing is typed in by hand in degrees.
"""

from __future__ import annotations

import csv
from pathlib import Path

import osmium
import sqlalchemy as sa
from pyproj import Transformer
from sqlalchemy import orm

from assetmap.storage.models import Place as PlaceRow

_TO_GRID = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
CENTRE = _TO_GRID.transform(-2.3213, 51.2296)
# A street of two ways, west to east; the middle of it is its third point.
CHEAP_STREET = [(-200.0, 0.0), (-100.0, 0.0), (0.0, 0.0), (100.0, 0.0), (200.0, 0.0)]
# A street bent like an L: the centre of its points lies off the road.
ST_JOHNS = [(0.0, 300.0), (0.0, 500.0), (200.0, 500.0)]
# A lane of the Cheap Street's name in another village, 6 km away.
OTHER_CHEAP_STREET = [(6_000.0, 0.0), (6_100.0, 0.0)]
TRINITY = [(-400.0, -400.0), (-200.0, -400.0), (-200.0, -200.0), (-400.0, -200.0)]
KEYFORD = (300.0, -300.0)
ADDRESSES = [(10.0, 20.0), (30.0, 20.0)]
BUILDING = [(50.0, 40.0), (70.0, 40.0), (70.0, 60.0), (50.0, 60.0)]
POSTCODE = "BA11 1AA"


def lon_lat(east: float, north: float) -> tuple[float, float]:
    """Return a point given in metres east and north of the centre, in WGS84."""
    lon, lat = TO_WGS84.transform(CENTRE[0] + east, CENTRE[1] + north)
    return float(lon), float(lat)


def osm_extract(path: Path, *, ways_first: bool = False) -> Path:
    """Write the town's streets, places and postcoded addresses (``.osm`` or ``.osm.pbf``).

    With ``ways_first`` the ways come before the nodes they use, as Overpass saves them.
    """
    nodes, ways = _osm_objects()
    writer = osmium.SimpleWriter(str(path))
    try:
        for item in (*ways, *nodes) if ways_first else (*nodes, *ways):
            writer.add(item)
    finally:
        writer.close()
    return path


def _osm_objects() -> tuple[list[osmium.osm.mutable.Node], list[osmium.osm.mutable.Way]]:
    nodes: list[osmium.osm.mutable.Node] = []
    ways: list[osmium.osm.mutable.Way] = []

    def line(points: list[tuple[float, float]], closed: bool = False) -> list[int]:
        first = len(nodes) + 1
        for number, point in enumerate(points, start=first):
            nodes.append(_node(number, point, {}))
        refs = list(range(first, first + len(points)))
        return [*refs, first] if closed else refs

    def way(refs: list[int], tags: dict[str, str]) -> None:
        ways.append(osmium.osm.mutable.Way(id=len(ways) + 1, nodes=refs, tags=tags, version=1))

    cheap = line(CHEAP_STREET)
    way(cheap[:3], {"highway": "residential", "name": "Cheap Street"})
    way(cheap[2:], {"highway": "residential", "name": "Cheap Street"})
    way(line(ST_JOHNS), {"highway": "residential", "name": "St John's Road"})
    way(line(OTHER_CHEAP_STREET), {"highway": "unclassified", "name": "Cheap Street"})
    way(line([(0.0, -100.0), (50.0, -100.0)]), {"highway": "service"})
    way(line(TRINITY, closed=True), {"place": "neighbourhood", "name": "Trinity"})
    way(line(BUILDING, closed=True), {"building": "yes", "addr:postcode": "ba111aa"})
    start = len(nodes) + 1
    nodes.append(_node(start, KEYFORD, {"place": "suburb", "name": "Keyford"}))
    for number, point in enumerate(ADDRESSES, start=start + 1):
        nodes.append(_node(number, point, {"addr:housenumber": "1", "addr:postcode": POSTCODE}))
    return nodes, ways


def _node(number: int, point: tuple[float, float], tags: dict[str, str]) -> osmium.osm.mutable.Node:
    return osmium.osm.mutable.Node(id=number, location=lon_lat(*point), tags=tags, version=1)


ONSPD_HEADER = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oseast1m", "osnrth1m", "lat", "long"]


def onspd(path: Path, rows: list[tuple[str, str, tuple[float, float] | None]]) -> Path:
    """Write an ONSPD-style CSV of (postcode, doterm, point in metres or None for no location)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(ONSPD_HEADER)
        for postcode, doterm, point in rows:
            if point is None:
                east, north, lon, lat = "", "", 0.0, 99.999999
            else:
                east, north = str(CENTRE[0] + point[0]), str(CENTRE[1] + point[1])
                lon, lat = lon_lat(*point)
            compact = postcode.replace(" ", "")
            out.writerow(
                [
                    compact,
                    postcode,
                    postcode,
                    "198001",
                    doterm,
                    east,
                    north,
                    f"{lat:.6f}",
                    f"{lon:.6f}",
                ]
            )
    return path


OPEN_NAMES_HEADER = [
    "ID",
    "NAMES_URI",
    "NAME1",
    "NAME1_LANG",
    "NAME2",
    "NAME2_LANG",
    "TYPE",
    "LOCAL_TYPE",
    "GEOMETRY_X",
    "GEOMETRY_Y",
    "MOST_DETAIL_VIEW_RES",
    "LEAST_DETAIL_VIEW_RES",
    "MBR_XMIN",
    "MBR_YMIN",
    "MBR_XMAX",
    "MBR_YMAX",
    "POSTCODE_DISTRICT",
    "POSTCODE_DISTRICT_URI",
    "POPULATED_PLACE",
    "POPULATED_PLACE_URI",
    "POPULATED_PLACE_TYPE",
    "DISTRICT_BOROUGH",
    "DISTRICT_BOROUGH_URI",
    "DISTRICT_BOROUGH_TYPE",
    "COUNTY_UNITARY",
    "COUNTY_UNITARY_URI",
    "COUNTY_UNITARY_TYPE",
    "REGION",
    "REGION_URI",
    "COUNTRY",
    "COUNTRY_URI",
    "RELATED_SPATIAL_OBJECT",
    "SAME_AS_DBPEDIA",
    "SAME_AS_GEONAMES",
]


def open_names(
    path: Path,
    entries: list[tuple[str, str, str, tuple[float, float]]],
    *,
    header: bool = False,
) -> Path:
    """Write an OS Open Names CSV of (name, second name, local type, WGS84 point), its points
    on the British National Grid as the product gives them, without a header unless asked."""
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        if header:
            out.writerow(OPEN_NAMES_HEADER)
        for number, (name, second, local_type, (lon, lat)) in enumerate(entries, start=1):
            east, north = to_grid.transform(lon, lat)
            row = dict.fromkeys(OPEN_NAMES_HEADER, "")
            row |= {
                "ID": f"osgb40000000{number:08d}",
                "NAMES_URI": f"http://data.ordnancesurvey.co.uk/id/osgb40000000{number:08d}",
                "NAME1": name,
                "NAME1_LANG": "eng" if second else "",
                "NAME2": second,
                "NAME2_LANG": "cym" if second else "",
                "TYPE": "transportNetwork" if local_type == "Named Road" else "populatedPlace",
                "LOCAL_TYPE": local_type,
                "GEOMETRY_X": f"{east:.2f}",
                "GEOMETRY_Y": f"{north:.2f}",
                "COUNTRY": "England",
            }
            out.writerow(row.values())
    return path


def empty_gazetteer(session: orm.Session) -> orm.Session:
    """Remove every place, committed, so a test on a shared database starts from none."""
    session.execute(sa.delete(PlaceRow))
    session.commit()
    return session
