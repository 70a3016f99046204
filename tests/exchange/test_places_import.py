from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box
from sqlalchemy import orm

from assetmap.domain.area import OutlinedArea
from assetmap.domain.geo import distance_m
from assetmap.domain.places import Place
from assetmap.exchange.demo import default_folder
from assetmap.services.places import import_places
from assetmap.storage.places import count_places, lookup_places, nearest_place
from tests.exchange import places_files as files
from tests.exchange.places_files import empty_gazetteer, lon_lat


@pytest.fixture
def gazetteer(session: orm.Session) -> orm.Session:
    return empty_gazetteer(session)


def imported(session: orm.Session, path: Path, **options: object) -> list[str]:
    report = import_places(session, path, **options)  # type: ignore[arg-type]
    session.commit()
    return report.lines()


def only(session: orm.Session, name: str, kind: str) -> Place:
    found = [p for p in lookup_places(session, name, limit=10) if p.kind == kind]
    assert len(found) == 1, found
    return found[0]


def metres_from(place: Place, point: tuple[float, float]) -> float:
    return distance_m(place.lon, place.lat, *lon_lat(*point))


@pytest.mark.parametrize("name", ["town.osm", "town.osm.pbf"])
def test_a_street_of_two_ways_is_one_place_near_its_middle(
    gazetteer: orm.Session, tmp_path: Path, name: str
) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / name))
    streets = [p for p in lookup_places(gazetteer, "Cheap Street") if p.kind == "street"]
    assert len(streets) == 2
    nearest = min(streets, key=lambda p: metres_from(p, files.CHEAP_STREET[2]))
    assert metres_from(nearest, files.CHEAP_STREET[2]) < 1.0


def test_a_bent_street_is_placed_on_the_road_not_off_it(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "town.osm"))
    street = only(gazetteer, "St John's Road", "street")
    road = LineString([lon_lat(*point) for point in files.ST_JOHNS])
    assert road.distance(shapely.Point(street.lon, street.lat)) < 1e-7


def test_places_come_from_nodes_and_areas(gazetteer: orm.Session, tmp_path: Path) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "town.osm"))
    assert metres_from(only(gazetteer, "Keyford", "place"), files.KEYFORD) < 0.01
    trinity = only(gazetteer, "Trinity", "place")
    outline = Polygon([lon_lat(*point) for point in files.TRINITY])
    assert outline.contains(shapely.Point(trinity.lon, trinity.lat))


def test_a_postcode_is_placed_at_the_centre_of_its_addresses(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "town.osm"))
    postcode = only(gazetteer, "ba11 1aa", "postcode")
    building = Polygon([lon_lat(*point) for point in files.BUILDING]).representative_point()
    points = [lon_lat(*point) for point in files.ADDRESSES] + [(building.x, building.y)]
    lon, lat = np.mean(points, axis=0)
    assert postcode.name == files.POSTCODE
    assert distance_m(postcode.lon, postcode.lat, lon, lat) < 0.01


def test_an_unsorted_extract_is_read_as_a_sorted_one(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "overpass.osm", ways_first=True))
    assert count_places(gazetteer) == {"postcode": 1, "place": 2, "street": 3}


def test_onspd_keeps_live_located_postcodes_and_says_what_it_left_out(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    path = files.onspd(
        tmp_path / "ONSPD_NOV_2026_UK.csv",
        [
            ("BA11 1AA", "", (0.0, 0.0)),
            ("BA11 9ZZ", "200105", (10.0, 10.0)),
            ("BA11 9ZY", "", None),
            ("BA11 2BB", "", (300.0, 100.0)),
        ],
    )
    said = imported(gazetteer, path)
    assert count_places(gazetteer)["postcode"] == 2
    assert metres_from(only(gazetteer, "BA112BB", "postcode"), (300.0, 100.0)) < 0.5
    assert "Left out 1 terminated postcodes." in said
    assert "Left out 1 postcodes with no location." in said


@pytest.mark.parametrize("header", [False, True])
def test_open_names_is_reprojected_from_the_national_grid(
    gazetteer: orm.Session, tmp_path: Path, header: bool
) -> None:
    road, hamlet, hill = lon_lat(0.0, 0.0), lon_lat(900.0, 900.0), lon_lat(-900.0, 900.0)
    entries = [
        ("Cheap Street", "", "Named Road", road),
        ("Keyford", "", "Hamlet", hamlet),
        ("Cley Hill", "", "Hill Or Mountain", hill),
        ("BA11 1AA", "", "Postcode", road),
        ("Church Street", "Stryd yr Eglwys", "Named Road", hamlet),
    ]
    said = imported(gazetteer, files.open_names(tmp_path / "ST74.csv", entries, header=header))
    street = only(gazetteer, "cheap street", "street")
    assert distance_m(street.lon, street.lat, *road) < 1.0
    place = only(gazetteer, "keyford", "place")
    assert distance_m(place.lon, place.lat, *hamlet) < 1.0
    assert only(gazetteer, "stryd yr eglwys", "street").name == "Stryd yr Eglwys"
    assert count_places(gazetteer) == {"postcode": 1, "place": 1, "street": 3}
    assert "Left out 1 entries of type Hill Or Mountain." in said


def test_the_shipped_csv_is_read(gazetteer: orm.Session) -> None:
    imported(gazetteer, default_folder() / "gazetteer.csv")
    assert lookup_places(gazetteer, "Market Place")[0].kind == "place"
    assert sum(count_places(gazetteer).values()) == 125


def test_only_places_inside_the_area_are_kept_and_said(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    area = OutlinedArea(box(*lon_lat(-50.0, -50.0), *lon_lat(250.0, 250.0)))
    path = files.onspd(
        tmp_path / "onspd.csv",
        [("BA11 1AA", "", (0.0, 0.0)), ("BA11 2BB", "", (240.0, 0.0)), ("EC1A 1BB", "", (1e5, 0))],
    )
    said = imported(gazetteer, path, area=area)
    assert count_places(gazetteer)["postcode"] == 2
    assert "Kept 2 places inside the area; 1 lay outside it." in said


def test_postcodes_from_onspd_replace_openstreetmaps_and_leave_its_streets(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "town.osm"))
    path = files.onspd(tmp_path / "onspd.csv", [("BA11 2BB", "", (300.0, 100.0))])
    said = imported(gazetteer, path)
    assert count_places(gazetteer) == {"postcode": 1, "place": 2, "street": 3}
    assert lookup_places(gazetteer, "BA11 1AA") == []
    assert "1 postcodes replaced the 1 held before." in said
    assert "The 3 streets held are unchanged: the file brings none." in said


def test_only_the_kinds_asked_for_are_taken(gazetteer: orm.Session, tmp_path: Path) -> None:
    imported(gazetteer, files.osm_extract(tmp_path / "town.osm"), kinds=("street",))
    assert count_places(gazetteer) == {"postcode": 0, "place": 0, "street": 3}


def test_adding_leaves_out_places_already_held(gazetteer: orm.Session) -> None:
    imported(gazetteer, default_folder() / "gazetteer.csv")
    said = imported(gazetteer, default_folder() / "gazetteer.csv", add=True)
    assert sum(count_places(gazetteer).values()) == 125
    assert "0 streets added; 61 already held were left as they were." in said


def test_a_dry_run_changes_nothing(gazetteer: orm.Session, tmp_path: Path) -> None:
    said = imported(gazetteer, files.osm_extract(tmp_path / "town.osm"), dry_run=True)
    assert sum(count_places(gazetteer).values()) == 0
    assert "3 streets would be added." in said
    assert said[-1] == "Nothing was changed: this was a dry run."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name,kind,lon,lat\nA Street,street,-2.3,51.2\nSomewhere,place,-2.3,95\n",
            "bad.csv line 3: lat must be between -90 and 90, got 95.0",
        ),
        (
            "name,kind,lon,lat\nA Street,road,-2.3,51.2\n",
            "bad.csv line 2: kind must be one of postcode, place, street, got 'road'",
        ),
        (
            "name,kind,lon,lat\n!!!,street,-2.3,51.2\n",
            "bad.csv line 2: name must have a letter or a number in it",
        ),
        (
            "pcds,doterm,lat,long\nBA11 1AA,,fifty-one,-2.3\n",
            "bad.csv line 2: lat must be a number, got 'fifty-one'",
        ),
        ("title,x,y\nHall,-2.3,51.2\n", "bad.csv is not a file of places assetmap reads"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_nothing_changes(
    gazetteer: orm.Session, tmp_path: Path, content: str, message: str
) -> None:
    imported(gazetteer, default_folder() / "gazetteer.csv")
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_places(gazetteer, path)
    gazetteer.rollback()
    assert sum(count_places(gazetteer).values()) == 125


@pytest.mark.parametrize("name", ["broken.osm.pbf", "notes.txt", "places.geojson"])
def test_a_file_of_another_kind_is_refused_saying_what_is_read(
    gazetteer: orm.Session, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00\x01 not a gazetteer")
    with pytest.raises(ValueError, match=f"{name} is not"):
        import_places(gazetteer, path)


def test_a_name_with_markup_and_quotes_is_stored_as_data(
    gazetteer: orm.Session, tmp_path: Path
) -> None:
    name = "<script>alert(1)</script> '; DROP TABLE place; --"
    path = tmp_path / "odd.csv"
    path.write_text(f'name,kind,lon,lat\n"{name}",place,-2.32,51.23\n', encoding="utf-8")
    imported(gazetteer, path)
    assert only(gazetteer, "script alert", "place").name == name
    assert nearest_place(gazetteer, -2.32, 51.23) is not None
