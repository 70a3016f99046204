from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

from assetmap.domain.errors import ValidationError
from assetmap.exchange.boundaries import Boundaries, Choice, pick_fields, read_boundaries
from assetmap.storage.neighbourhoods import Named
from tests.exchange.boundary_files import (
    BRITISH_NATIONAL_GRID,
    bow_tie_around,
    demo,
    distance_m,
    geojson,
    ons_geopackage,
    shapefile,
    without_crs,
    zipped,
)


def assert_matches_demo(read: Boundaries) -> None:
    original = demo().set_index("code")
    assert sorted(a.code for a in read.areas) == sorted(original.index)
    for area in read.areas:
        assert area.name == original.loc[area.code, "name"]
        assert distance_m(area.boundary, original.loc[area.code, "geometry"]) < 1.0


def refusal(path: Path, choice: Choice | None = None, **limits: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        read_boundaries(path, choice or Choice(), **limits)
    return refused.value.errors


def test_a_british_national_grid_shapefile_is_brought_into_wgs84(tmp_path: Path) -> None:
    read = read_boundaries(shapefile(demo().to_crs(BRITISH_NATIONAL_GRID), tmp_path))
    assert_matches_demo(read)
    assert "British National Grid (EPSG:27700)" in read.notes[0]


@pytest.mark.parametrize("inside", ["", "Wards_May_2024/"])
def test_a_zipped_shapefile_is_read_as_its_sidecars_are(tmp_path: Path, inside: str) -> None:
    shp = shapefile(demo().to_crs(BRITISH_NATIONAL_GRID), tmp_path)
    assert_matches_demo(read_boundaries(zipped(shp, inside)))


def test_an_osgb36_geopackage_with_ons_columns_is_read_from_the_layer_named(
    tmp_path: Path,
) -> None:
    read = read_boundaries(ons_geopackage(tmp_path), Choice(layer="wards_may_2024"))
    assert_matches_demo(read)
    assert read.notes[1] == "Codes are read from WD24CD, names from WD24NM."


def test_a_geopackage_of_several_layers_is_refused_naming_them(tmp_path: Path) -> None:
    errors = refusal(ons_geopackage(tmp_path))
    assert errors == {
        "file": "wards.gpkg holds 2 layers: wards_may_2024, parishes; "
        "say which to import with --layer."
    }


def test_a_layer_the_file_lacks_is_refused_naming_those_it_has(tmp_path: Path) -> None:
    errors = refusal(ons_geopackage(tmp_path), Choice(layer="Wards"))
    assert "has no layer called 'Wards'; its layers are: wards_may_2024, parishes" in errors["file"]


def test_a_file_in_metres_that_states_no_crs_is_refused(tmp_path: Path) -> None:
    shp = shapefile(without_crs(demo().to_crs(BRITISH_NATIONAL_GRID)), tmp_path)
    assert not shp.with_suffix(".prj").exists()
    assert refusal(shp) == {
        "file": "wards.shp does not say which coordinate system it uses, and its coordinates "
        "are not longitudes and latitudes. Save it with its .prj file, or as GeoJSON in WGS84."
    }


def test_a_file_in_degrees_that_states_no_crs_is_read_as_wgs84_and_says_so(
    tmp_path: Path,
) -> None:
    read = read_boundaries(shapefile(without_crs(demo()), tmp_path))
    assert_matches_demo(read)
    assert "does not say which coordinate system it uses" in read.notes[0]
    assert "read as WGS84" in read.notes[0]


def test_geojson_in_metres_claiming_wgs84_is_refused(tmp_path: Path) -> None:
    metres = demo().to_crs(BRITISH_NATIONAL_GRID).set_crs(4326, allow_override=True)
    errors = refusal(geojson(metres, tmp_path))
    assert "they would not be longitudes and latitudes" in errors["file"]


def test_duplicate_codes_are_refused_naming_them(tmp_path: Path) -> None:
    frame = demo()
    frame.loc[[2, 5], "code"] = "frome-twice"
    errors = refusal(geojson(frame, tmp_path))
    assert errors == {"codes": "must be unique; given more than once: frome-twice (features 3, 6)"}


def test_names_may_repeat(tmp_path: Path) -> None:
    frame = demo()
    frame["name"] = "Frome"
    assert {a.name for a in read_boundaries(geojson(frame, tmp_path)).areas} == {"Frome"}


def test_codes_and_names_are_trimmed(tmp_path: Path) -> None:
    frame = demo()
    frame.loc[0, ["code", "name"]] = ["  frome-market ", "\tMarket  "]
    area = read_boundaries(geojson(frame, tmp_path)).areas[0]
    assert (area.code, area.name) == ("frome-market", "Market")


def test_empty_long_and_control_character_values_are_refused_naming_the_feature(
    tmp_path: Path,
) -> None:
    frame = demo()
    frame.loc[0, "code"] = " "
    frame.loc[1, "name"] = "W" * 121
    frame.loc[2, "name"] = "Oak\x1b[2Jfield"
    errors = refusal(geojson(frame, tmp_path))
    assert errors == {
        "feature 1": "has no code (column code)",
        "feature 2 (frome-welshmill)": "its name is 121 characters long; at most 120 fit",
        "feature 3 (frome-oakfield)": "its name holds control characters",
    }


def test_a_bow_tie_is_mended_and_reported(tmp_path: Path) -> None:
    frame = demo()
    frame.loc[3, "geometry"] = bow_tie_around(frame.loc[3, "geometry"])
    read = read_boundaries(geojson(frame, tmp_path))
    assert read.repaired == [Named("frome-college", "College")]
    mended = read.areas[3].boundary
    assert mended.is_valid and mended.geom_type == "MultiPolygon"


def test_lines_and_points_are_refused_naming_the_feature(tmp_path: Path) -> None:
    frame = demo()
    frame.loc[1, "geometry"] = frame.loc[1, "geometry"].exterior
    frame.loc[6, "geometry"] = frame.loc[6, "geometry"].centroid
    errors = refusal(geojson(frame, tmp_path))
    assert errors == {
        "feature 2 (frome-welshmill)": "is a LineString, not a polygon or multipolygon",
        "feature 7 (frome-park)": "is a Point, not a polygon or multipolygon",
    }


def test_a_feature_without_a_shape_is_refused(tmp_path: Path) -> None:
    frame = demo()
    frame.loc[6, "geometry"] = None
    assert refusal(geojson(frame, tmp_path)) == {"feature 7 (frome-park)": "has no shape"}


def test_a_file_of_thousands_of_bad_features_lists_twenty(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame(
        {"code": [f"c{n}" for n in range(500)], "name": "x"},
        geometry=[shapely.Point(-2.3, 51.2)] * 500,
        crs=4326,
    )
    errors = refusal(geojson(frame, tmp_path))
    assert len(errors) == 21
    assert errors["more"] == "480 more features can't be read"


@pytest.mark.parametrize(
    ("columns", "choice", "expected"),
    [
        (["Code", "NAME", "area"], Choice(), ("Code", "NAME")),
        (["FID", "WD24CD", "WD24NM", "WD24NMW", "BNG_E"], Choice(), ("WD24CD", "WD24NM")),
        (["lsoa21cd", "lsoa21nm", "GlobalID"], Choice(), ("lsoa21cd", "lsoa21nm")),
        (["ref", "title"], Choice(" REF ", "Title"), ("ref", "title")),
        (["WD24CD", "WD24NM", "LAD24CD", "LAD24NM"], Choice("lad24cd"), ("LAD24CD", "LAD24NM")),
    ],
)
def test_code_and_name_columns_are_found(
    columns: list[str], choice: Choice, expected: tuple[str, str]
) -> None:
    assert pick_fields(columns, choice) == expected


def test_columns_it_cant_tell_apart_are_refused_listing_them() -> None:
    with pytest.raises(ValidationError) as refused:
        pick_fields(["WD24CD", "WD24NM", "LAD24CD", "LAD24NM"])
    assert refused.value.errors == {
        "columns": "can't tell which columns hold each neighbourhood's code and name (the "
        "file's columns are: WD24CD, WD24NM, LAD24CD, LAD24NM); name them with --code-field "
        "and --name-field"
    }


def test_a_column_the_file_lacks_is_refused_listing_those_it_has() -> None:
    with pytest.raises(ValidationError) as refused:
        pick_fields(["code", "name"], Choice(code_field="WD24CD"))
    assert refused.value.errors == {
        "--code-field": "the file has no column 'WD24CD'; its columns are: code, name"
    }


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wards.csv"
    path.write_text("code,name\na,b\n")
    assert "is not GeoJSON, a GeoPackage or a Shapefile" in refusal(path)["file"]


def test_a_file_that_is_not_what_its_name_says_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wards.geojson"
    path.write_text("<html>not found</html>")
    assert "can't be read as GeoJSON, a GeoPackage or a Shapefile" in refusal(path)["file"]


def test_a_zip_unzipping_past_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("wards.shp", b"\0" * 3 * 1024 * 1024)
    errors = refusal(path, max_mb=1.0)
    assert errors == {
        "file": "wards.zip unzips to more than the 1 MB an import may be (ASSETMAP_IMPORT_MAX_MB)."
    }


def test_a_zip_without_a_shapefile_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "boundaries")
    assert refusal(path) == {"file": "wards.zip holds no layer of shapes."}


def test_more_features_than_an_import_may_read_are_refused(tmp_path: Path) -> None:
    errors = refusal(geojson(demo(), tmp_path), max_rows=5)
    assert "holds 7 rows or features, more than the 5" in errors["file"]
