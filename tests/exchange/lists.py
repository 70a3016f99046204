"""Lists as other systems write them, made with geopandas: none uses assetmap's column names."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

CENTRES = {
    "OBJECTID": [101, 102],
    "name": ["Welshmill Community Centre", "Packsaddle Hall"],
    "WARD_NAME": ["Frome Park", "Frome College"],
    "WEBSITE": ["https://welshmill.example.org", ""],
    "OPENING_HOURS": ["Mon-Fri 9:00-17:00", "Sat 10:00-12:00"],
}
CENTRE_POINTS = [(-2.3215, 51.2312), (-2.3052, 51.2388)]


def council_centres(folder: Path, **changes: list) -> Path:
    """Write a council's open-data GeoJSON of community centres (WGS84), with no kind."""
    frame = gpd.GeoDataFrame(
        {**CENTRES, **changes},
        geometry=[shapely.Point(lon, lat) for lon, lat in CENTRE_POINTS],
        crs="EPSG:4326",
    )
    path = folder / "community-centres.geojson"
    frame.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def spreadsheet_groups(folder: Path) -> Path:
    """Write a spreadsheet's CSV of groups with ``x``, ``y``, ``name``, ``Website`` and
    ``Telephone`` columns."""
    frame = pd.DataFrame(
        {
            "x": [-2.3181, -2.3107],
            "y": [51.2297, 51.2342],
            "name": ["Frome Wheelers Tuesday ride", "Selwood Allotment Society"],
            "Website": ["https://wheelers.example.org", ""],
            "Telephone": ["01373 000001", "01373 000002"],
        }
    )
    path = folder / "groups.csv"
    frame.to_csv(path, index=False)
    return path


def sites_in_british_national_grid(folder: Path) -> Path:
    """Write a GeoPackage layer in EPSG:27700 of sites named by ``SITE_NAME``."""
    frame = gpd.GeoDataFrame(
        {
            "SITE_ID": ["S-7", "S-9"],
            "SITE_NAME": ["Rodden wildflower meadow", "Victoria Park bowls green"],
            "FACILITY": ["meadow, pond", "green, pavilion"],
        },
        geometry=[shapely.Point(-2.3120, 51.2255), shapely.Point(-2.3275, 51.2290)],
        crs="EPSG:4326",
    ).to_crs(27700)
    path = folder / "sites.gpkg"
    frame.to_file(path, layer="sites", driver="GPKG", engine="pyogrio")
    return path
