from __future__ import annotations

import datetime as dt
import io
import struct
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyogrio
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.geo import BBox
from assetmap.domain.vocab import Theme
from assetmap.exchange.export import chunks, geojson_chunks
from assetmap.storage import assets as store
from assetmap.storage.exports import EXPORT_FIELDS, ExportFilter, public_rows
from assetmap.storage.models import Asset
from tests.exchange.helpers import FORMATS, copy_of, demo_features, demo_template, export_bytes

CENTRE = BBox(-2.33, 51.225, -2.31, 51.235)
TRIANGLE = shapely.Polygon([(-2.34, 51.22), (-2.30, 51.22), (-2.32, 51.245)])
FILTERS = {
    "everything": ExportFilter(),
    "skills": ExportFilter.parse(kinds=["skill"]),
    "food and faith": ExportFilter.parse(themes=["food", "faith"]),
    "market": ExportFilter.parse(neighbourhood="frome-market"),
    "centre": ExportFilter(bbox=CENTRE),
    "triangle": ExportFilter(polygon=TRIANGLE),
    "since 2020": ExportFilter.parse(changed_since="2020-01-01"),
}


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(demo_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def features(data: bytes) -> list[dict]:
    return orjson.loads(data)["features"]


def read_back(path: Path, fmt: str):
    options = {"X_POSSIBLE_NAMES": "lon", "Y_POSSIBLE_NAMES": "lat"} if fmt == "csv" else {}
    return pyogrio.read_dataframe(path, **options)


def test_geojson_is_rfc_7946_points_in_lon_lat(session: orm.Session) -> None:
    document = orjson.loads(export_bytes(session, "geojson"))
    assert document["type"] == "FeatureCollection"
    assert "crs" not in document
    assert len(document["features"]) == 340
    for feature in document["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -2.42 < lon < -2.24 and 51.19 < lat < 51.27


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_gdal_reads_back_the_same_features(session: orm.Session, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(export_bytes(session, fmt))
    frame = read_back(path, fmt)
    layer = store.read_layer(session)
    assert len(frame) == len(layer) == 340
    assert sorted(frame["title"]) == sorted(layer["title"])
    points = sorted(zip(frame.geometry.x.round(6), frame.geometry.y.round(6), strict=True))
    assert points == sorted(zip(layer.geometry.x.round(6), layer.geometry.y.round(6), strict=True))


def test_geopackage_is_wgs84(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "export.gpkg"
    path.write_bytes(export_bytes(session, "gpkg"))
    info = pyogrio.read_info(path)
    assert (info["crs"], info["geometry_type"], info["features"]) == ("EPSG:4326", "Point", 340)


def test_csv_has_lon_and_lat_columns(session: orm.Session) -> None:
    header = export_bytes(session, "csv").split(b"\r\n", 1)[0].decode()
    assert header.split(",")[-2:] == ["lon", "lat"]
    assert header.split(",") == list(EXPORT_FIELDS)


def _private_values() -> tuple[list[str], list[tuple[float, float]]]:
    demo = demo_features()
    contacts = [f["properties"]["contact"] for f in demo if f["properties"].get("contact")]
    contacts += [f["properties"]["owner"] for f in demo if f["properties"].get("owner")]
    homes = [
        tuple(f["geometry"]["coordinates"]) for f in demo if f["properties"]["kind"] == "skill"
    ]
    return contacts, homes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", FILTERS)
def test_no_export_holds_a_contact_an_owner_or_a_home(
    session: orm.Session, fmt: str, name: str
) -> None:
    data = export_bytes(session, fmt, FILTERS[name])
    contacts, homes = _private_values()
    assert len(contacts) > 300 and len(homes) == 153
    assert [c for c in contacts if c.encode() in data] == []
    for lon, lat in homes:
        assert f"{lon!r},{lat!r}".encode() not in data
        assert f'"latitude":{lat!r},"longitude":{lon!r}'.encode() not in data
        assert struct.pack("<dd", lon, lat) not in data
    # HSDS says who assured a strength, and who changed it, by their part: "owner" is one.
    for part in (b'"value":"owner"', b'"updated_by":"owner"'):
        data = data.replace(part, b"")
    assert b"contact" not in data and b"owner" not in data


def test_hsds_holds_groups_and_spaces_and_no_skill(session: orm.Session) -> None:
    document = orjson.loads(export_bytes(session, "hsds"))
    demo = demo_features()
    groups = sorted(f["properties"]["title"] for f in demo if f["properties"]["kind"] == "group")
    spaces = sorted(f["properties"]["title"] for f in demo if f["properties"]["kind"] == "space")
    skills = {f["properties"]["title"] for f in demo if f["properties"]["kind"] == "skill"}
    assert sorted(o["name"] for o in document["organizations"]) == groups
    assert sorted(s["name"] for s in document["services"]) == sorted(groups + spaces)
    located = sorted(loc["name"] for loc in document["locations"] if "organization_id" not in loc)
    assert located == spaces
    assert {loc["name"] for loc in document["locations"]} <= set(groups + spaces)
    names = {o["name"] for o in document["organizations"] + document["locations"]}
    assert not (names & skills - set(groups) - set(spaces))


def _titles(data: bytes) -> set[str]:
    return {f["properties"]["title"] for f in features(data)}


def test_kind_and_theme_filters_keep_only_those(session: orm.Session) -> None:
    found = features(
        export_bytes(session, "geojson", ExportFilter.parse(kinds=["group"], themes=["food"]))
    )
    assert found and all(f["properties"]["kind"] == "group" for f in found)
    assert all("food" in f["properties"]["themes"] for f in found)
    expected = [
        f
        for f in demo_features()
        if f["properties"]["kind"] == "group" and "food" in f["properties"]["themes"]
    ]
    assert len(found) == len(expected)


def test_neighbourhood_filter_keeps_that_neighbourhood(session: orm.Session) -> None:
    found = features(
        export_bytes(session, "geojson", ExportFilter.parse(neighbourhood="frome-oakfield"))
    )
    assert found and {f["properties"]["neighbourhood"] for f in found} == {"Oakfield"}


def test_unknown_neighbourhood_is_named_with_the_choices(session: orm.Session) -> None:
    with pytest.raises(ValueError, match="neighbourhood 'nowhere' is unknown; choose from frome-"):
        export_bytes(session, "csv", ExportFilter.parse(neighbourhood="nowhere"))


def test_bbox_filter_keeps_points_in_the_box(session: orm.Session) -> None:
    found = features(export_bytes(session, "geojson", ExportFilter(bbox=CENTRE)))
    assert 0 < len(found) < 340
    assert all(CENTRE.contains(*f["geometry"]["coordinates"]) for f in found)


def test_polygon_filter_keeps_points_inside_it_not_just_its_box(session: orm.Session) -> None:
    inside = features(export_bytes(session, "geojson", ExportFilter(polygon=TRIANGLE)))
    boxed = features(export_bytes(session, "geojson", ExportFilter(bbox=BBox(*TRIANGLE.bounds))))
    assert 0 < len(inside) < len(boxed)
    assert all(TRIANGLE.intersects(shapely.Point(f["geometry"]["coordinates"])) for f in inside)


def test_changed_since_keeps_strengths_changed_that_day_or_later(session: orm.Session) -> None:
    old = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    session.execute(sa.update(Asset).where(Asset.id > 10).values(updated_at=old))
    session.commit()
    found = features(
        export_bytes(session, "geojson", ExportFilter.parse(changed_since="2025-06-01"))
    )
    assert sorted(f["id"] for f in found) == list(range(1, 11))


def test_bad_filters_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="bbox: expected minlon,minlat,maxlon,maxlat"):
        ExportFilter.parse(bbox="1,2,3")
    with pytest.raises(ValueError, match="changed since must be a date like 2026-05-31"):
        ExportFilter.parse(changed_since="last week")
    with pytest.raises(ValueError, match="theme 'pets' is unknown"):
        ExportFilter.parse(themes=["pets"])


def test_rows_are_read_in_batches(session: orm.Session) -> None:
    sizes = [len(batch) for batch in public_rows(session, ExportFilter(), batch_size=100)]
    assert sizes == [100, 100, 100, 40]


def test_geojson_is_written_while_rows_are_still_being_read(session: orm.Session) -> None:
    read: list[int] = []

    def batches() -> Iterator:
        for batch in public_rows(session, ExportFilter(), batch_size=100):
            read.append(len(batch))
            yield batch

    made = geojson_chunks(batches())
    next(made)
    first = next(made)
    assert b'"type":"Feature"' in first and read == [100]
    assert b"".join(made).endswith(b"]}\n") and read == [100, 100, 100, 40]


@pytest.mark.parametrize("fmt", ["csv", "hsds"])
def test_every_stream_of_an_empty_register_is_valid(fmt: str, session: orm.Session) -> None:
    data = b"".join(chunks(fmt, iter([])))
    if fmt == "hsds":
        assert orjson.loads(data) == {"organizations": [], "services": [], "locations": []}
    else:
        assert data.decode().strip() == ",".join(EXPORT_FIELDS)


def test_empty_geojson_is_an_empty_collection() -> None:
    assert orjson.loads(b"".join(geojson_chunks(iter([])))) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_geojson_properties_are_typed(session: orm.Session) -> None:
    found = {
        f["properties"]["title"]: f["properties"]
        for f in features(export_bytes(session, "geojson"))
    }
    club = found["Selwood Spokes cycling club"]
    assert club["themes"] == ["sport"] or isinstance(club["themes"], list)
    assert club["welcomes_new_members"] is True
    assert dt.date.fromisoformat(club["last_confirmed"])
    assert club["updated_at"].endswith("Z") and dt.datetime.fromisoformat(club["updated_at"])
    assert all(Theme(theme) for p in found.values() for theme in p["themes"])


def test_gpkg_of_nothing_is_an_empty_layer(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "none.gpkg"
    path.write_bytes(export_bytes(session, "gpkg", ExportFilter(bbox=BBox(0, 0, 1, 1))))
    assert pyogrio.read_info(path)["features"] == 0


def test_stream_writes_bytes_not_text(session: orm.Session) -> None:
    out = io.BytesIO()
    from assetmap.services.exports import write_export

    assert write_export(session, "csv", ExportFilter.parse(kinds=["space"]), out) == 85


def test_geojson_properties_are_the_public_fields_in_order(session: orm.Session) -> None:
    from assetmap.exchange.export import PROPERTY_FIELDS

    [first, *_] = features(export_bytes(session, "geojson"))
    assert list(first["properties"]) == list(PROPERTY_FIELDS)
    assert list(PROPERTY_FIELDS) == [f for f in EXPORT_FIELDS if f not in ("id", "lon", "lat")]
