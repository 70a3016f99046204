"""Which kind of gazetteer file a path holds, told by its extension and its first row."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Format -> what people call it, for reports and for the list of what is read.
FORMAT_NAMES = {
    "osm": "OpenStreetMap extract",
    "pbf": "OpenStreetMap extract",
    "onspd": "ONS Postcode Directory",
    "open-names": "OS Open Names",
    "gazetteer": "name,kind,lon,lat CSV",
}
READ = (
    "OpenStreetMap extracts (.osm or .osm.pbf), the ONS Postcode Directory (a CSV with "
    "pcds, lat, long and doterm columns), OS Open Names (a CSV, with or without its header) "
    "and a CSV with name, kind, lon and lat columns"
)
# OS Open Names' columns, in the order the product publishes them (its files have no header).
OPEN_NAMES_COLUMNS = [
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
_OPEN_NAMES_URI = "http://data.ordnancesurvey.co.uk/id/"
ENCODING = "utf-8-sig"


@dataclass
class Tally:
    """What a reader left out: how many lay outside the area, and the rest by reason."""

    outside: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Detected:
    """A file's format, and for a CSV whether its first row is a header."""

    fmt: str
    header: bool = True


def detect_format(path: Path) -> Detected:
    """Return the format of a gazetteer file, or raise ValueError saying which are read."""
    name = path.name.lower()
    if name.endswith(".pbf"):
        return Detected("pbf")
    if name.endswith(".osm"):
        return Detected("osm")
    if name.endswith(".csv"):
        found = _csv_format(path, _first_row(path))
        if found is not None:
            return found
    raise ValueError(f"{path.name} is not a file of places assetmap reads. It reads {READ}.")


def _first_row(path: Path) -> list[str]:
    try:
        with path.open(newline="", encoding=ENCODING) as handle:
            return next(csv.reader(handle), [])
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text: save it as UTF-8 CSV") from None
    except csv.Error as exc:
        raise ValueError(f"{path.name} line 1: {exc}") from None


def _csv_format(path: Path, first: list[str]) -> Detected | None:
    columns = {cell.strip().lower() for cell in first}
    if {"pcds", "lat", "long", "doterm"} <= columns:
        return Detected("onspd")
    if {"name", "kind", "lon", "lat"} <= columns:
        return Detected("gazetteer")
    if [cell.strip().upper() for cell in first[:2]] == OPEN_NAMES_COLUMNS[:2]:
        return Detected("open-names")
    if len(first) == len(OPEN_NAMES_COLUMNS) and first[1].startswith(_OPEN_NAMES_URI):
        return Detected("open-names", header=False)
    return None
