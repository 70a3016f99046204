"""A place that is not the demo town, in the files a council already has.

Three wards of Llandeilo as a Shapefile in British National Grid (EPSG:27700), zipped with its
sidecars as boundary files are published, and an OpenStreetMap extract of some of its streets,
a village and addresses with postcodes. Every position is worked out from grid references with
pyproj and written with geopandas and pyosmium: nothing is typed in by hand in degrees.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import osmium
from pyproj import Transformer
from shapely.geometry import box

# The town centre, as a British National Grid reference (metres).
CENTRE = (262_900.0, 222_300.0)
WARDS = (("W05000501", "Llandeilo"), ("W05000502", "Ffairfach"), ("W05000503", "Dyffryn"))
WARD_SIDE_M = 1_500.0
# A street made of two ways, with an apostrophe in its name, the way people type it otherwise.
STREET = "St Teilo's Street"
STREET_TYPED = "st teilos street"
POSTCODE = "SA19 6AA"
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lon_lat(east: float, north: float) -> tuple[float, float]:
    """Return a grid reference (metres east and north of the town centre) in WGS84."""
    lon, lat = _TO_WGS84.transform(CENTRE[0] + east, CENTRE[1] + north)
    return float(lon), float(lat)


def wards_zip(folder: Path) -> Path:
    """Write the wards as a projected Shapefile, and return a .zip of it and its sidecars."""
    x, y = CENTRE
    shapes = [
        box(x + i * WARD_SIDE_M, y, x + (i + 1) * WARD_SIDE_M, y + WARD_SIDE_M)
        for i in range(-1, len(WARDS) - 1)
    ]
    frame = gpd.GeoDataFrame(
        {"WD24CD": [c for c, _ in WARDS], "WD24NM": [n for _, n in WARDS]},
        geometry=shapes,
        crs="EPSG:27700",
    )
    shp = folder / "wards" / "wards.shp"
    shp.parent.mkdir()
    frame.to_file(shp, driver="ESRI Shapefile", engine="pyogrio")
    archive = folder / "wards.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(shp.parent.iterdir()):
            out.write(part, part.name)
    return archive


def osm_extract(folder: Path) -> Path:
    """Write an OpenStreetMap extract of the town: streets, a village and postcoded addresses."""
    path = folder / "llandeilo.osm"
    writer = osmium.SimpleWriter(str(path))
    try:
        nodes = _nodes(writer)
        _way(writer, 101, nodes[:3], {"highway": "residential", "name": STREET})
        _way(writer, 102, nodes[2:5], {"highway": "residential", "name": STREET})
        _way(writer, 103, nodes[5:7], {"highway": "tertiary", "name": "Heol Rhosmaen"})
    finally:
        writer.close()
    return path


def _nodes(writer: osmium.SimpleWriter) -> list[int]:
    street = [(-400.0, 700.0), (-200.0, 720.0), (0.0, 740.0), (200.0, 760.0), (400.0, 780.0)]
    other = [(-300.0, 1_100.0), (300.0, 1_150.0)]
    ids = []
    for number, (east, north) in enumerate(street + other, start=1):
        ids.append(_node(writer, number, east, north, {}))
    _node(writer, 50, 1_500.0, 500.0, {"place": "village", "name": "Ffairfach"})
    for number, east in enumerate((-50.0, 0.0, 50.0), start=60):
        _node(writer, number, east, 730.0, {"addr:postcode": POSTCODE, "addr:housenumber": "1"})
    return ids


def _node(
    writer: osmium.SimpleWriter, number: int, east: float, north: float, tags: dict[str, str]
) -> int:
    lon, lat = lon_lat(east, north)
    writer.add_node(osmium.osm.mutable.Node(id=number, location=(lon, lat), tags=tags, version=1))
    return number


def _way(
    writer: osmium.SimpleWriter, number: int, nodes: Iterable[int], tags: dict[str, str]
) -> None:
    writer.add_way(osmium.osm.mutable.Way(id=number, nodes=list(nodes), tags=tags, version=1))
