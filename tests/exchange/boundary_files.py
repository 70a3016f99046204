"""Boundary files made at test time from the demo's neighbourhoods, as councils hold them."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import Polygon

from assetmap.exchange.demo import default_folder

BRITISH_NATIONAL_GRID = 27700
OSGB36 = 4277
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def demo() -> gpd.GeoDataFrame:
    """Return the demo's neighbourhoods: code, name and boundary in WGS84."""
    return gpd.read_file(default_folder() / "neighbourhoods.geojson")


def shapefile(frame: gpd.GeoDataFrame, folder: Path, name: str = "wards") -> Path:
    """Write a Shapefile with its sidecars; no .prj where the frame has no CRS."""
    path = folder / f"{name}.shp"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        frame.to_file(path, driver="ESRI Shapefile")
    return path


def zipped(shp: Path, inside: str = "") -> Path:
    """Zip a Shapefile and its sidecars, in a folder ``inside`` the zip if given."""
    path = shp.with_suffix(".zip")
    with zipfile.ZipFile(path, "w") as archive:
        for suffix in SHAPEFILE_PARTS:
            part = shp.with_suffix(suffix)
            if part.exists():
                archive.write(part, f"{inside}{part.name}")
    return path


def geojson(frame: gpd.GeoDataFrame, folder: Path, name: str = "wards") -> Path:
    path = folder / f"{name}.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def ons_geopackage(folder: Path) -> Path:
    """Write a GeoPackage in OSGB36 with ONS's ward columns, beside a second layer."""
    path = folder / "wards.gpkg"
    wards = demo().rename(columns={"code": "WD24CD", "name": "WD24NM"}).to_crs(OSGB36)
    wards.to_file(path, layer="wards_may_2024", driver="GPKG")
    demo().to_file(path, layer="parishes", driver="GPKG")
    return path


def without_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return frame.set_crs(None, allow_override=True)


def bow_tie_around(shape: shapely.Geometry) -> Polygon:
    """Return a polygon crossing itself, drawn over ``shape``'s bounding box (WGS84)."""
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    return Polygon([(min_lon, min_lat), (max_lon, max_lat), (max_lon, min_lat), (min_lon, max_lat)])


def grown(frame: gpd.GeoDataFrame, code: str, metres: float) -> gpd.GeoDataFrame:
    """Return the frame with one neighbourhood grown (or shrunk) by ``metres``."""
    changed = frame.copy()
    row = changed["code"] == code
    metric = changed.loc[row].to_crs(BRITISH_NATIONAL_GRID).buffer(metres)
    changed.loc[row, "geometry"] = metric.to_crs(4326).to_numpy()
    return changed


def holed(frame: gpd.GeoDataFrame, code: str, radius_m: float) -> gpd.GeoDataFrame:
    """Return the frame with a round hole cut in the middle of one neighbourhood."""
    changed = frame.copy()
    row = changed["code"] == code
    metric = changed.loc[row].to_crs(BRITISH_NATIONAL_GRID)
    holes = metric.geometry.representative_point().buffer(radius_m)
    cut = metric.geometry.difference(holes, align=False).to_crs(4326)
    changed.loc[row, "geometry"] = cut.to_numpy()
    return changed


def distance_m(first: shapely.Geometry, second: shapely.Geometry) -> float:
    """Return the Hausdorff distance in metres between two WGS84 shapes (in British National
    Grid, true to well under a metre across a town)."""
    pair = gpd.GeoSeries([first, second], crs=4326).to_crs(BRITISH_NATIONAL_GRID)
    return float(pair.iloc[0].hausdorff_distance(pair.iloc[1]))
