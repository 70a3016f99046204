"""Where a strength or a catchment is, said in words: the nearest street or place to its public
point and its neighbourhood. And maps that start well: the picker on the outlined area, the
findings map fitted to every finding."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from flask import Flask
from shapely.geometry import MultiLineString, box
from shapely.geometry.base import BaseGeometry

from assetmap import create_app
from assetmap.domain.privacy import public_point
from assetmap.services.places import import_places
from assetmap.storage.area import stored_area
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods
from assetmap.web import db
from tests.web.helpers import add_asset, signed_in, start, text
from tests.web.test_strengths import Steps

# A skill's exact point, and the centre of its 400 m privacy cell, which the public sees.
EXACT = (-2.3187, 51.2325)
PUBLIC = public_point("skill", *EXACT, 400.0)
GAZETTEER = f"""name,kind,lon,lat
Secret Close,street,{EXACT[0]},{EXACT[1]}
Cell Green,place,{PUBLIC[0]},{PUBLIC[1]}
BA11 9ZZ,postcode,{PUBLIC[0]},{PUBLIC[1]}
Cheap Street,street,-2.3204,51.22915
Frome College,place,-2.3205,51.24
"""


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path) -> Iterator[Flask]:
    gazetteer = tmp_path / "gazetteer.csv"
    gazetteer.write_text(GAZETTEER, encoding="utf-8")
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "test"})
    with app.app_context(), db.database().session() as session:
        replace_neighbourhoods(
            session, [Area("frome-market", "Market", box(-2.33, 51.22, -2.31, 51.24))]
        )
        import_places(session, gazetteer)
        session.commit()
    yield app
    db.database(app).dispose()


def where(page: str) -> str:
    found = re.search(r"<p [^>]*data-where>(.*?)</p>", page, re.S)
    assert found, "the page says nowhere in words"
    # Names from the data sit in spans marked never to be translated, inside the sentence.
    return text(re.sub(r"</?span[^>]*>", "", found.group(1)))


def test_a_group_page_says_where_it_is_in_words(app: Flask) -> None:
    asset_id = add_asset(app, title="Choir", lon=-2.3203, lat=51.2293)
    page = app.test_client().get(f"/assets/{asset_id}").get_data(as_text=True)
    assert where(page) == "Near Cheap Street, in the Market neighbourhood"
    assert "51.22930, -2.32030 (latitude, longitude)" in text(page)


def test_a_place_far_from_any_named_one_says_how_far(app: Flask) -> None:
    asset_id = add_asset(app, title="Barn", lon=-2.3205, lat=51.2500)
    page = app.test_client().get(f"/assets/{asset_id}").get_data(as_text=True)
    assert where(page) == "About 1.1 km from Frome College"


def test_a_skill_page_names_what_is_nearest_its_public_point_never_its_exact_one(
    app: Flask,
) -> None:
    asset_id = add_asset(app, kind="skill", title="Bike repair", lon=EXACT[0], lat=EXACT[1])
    page = app.test_client().get(f"/assets/{asset_id}").get_data(as_text=True)
    assert where(page) == "Near Cell Green, in the Market neighbourhood"
    assert "Secret Close" not in page


def test_the_preview_of_a_skill_names_what_is_nearest_its_public_point(app: Flask) -> None:
    steps = Steps(signed_in(app))
    steps.details()
    page = steps.pin(*EXACT).get_data(as_text=True)
    assert where(page) == "Near Cell Green, in the Market neighbourhood"
    assert "Secret Close" not in page


def test_a_radius_catchment_says_where_its_centre_is(app: Flask) -> None:
    client = signed_in(app, "planner")
    response = start(client, catchment="radius", lon="-2.3204", lat="51.22915", radius_m="300")
    page = text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert (
        "Within 300 metres of 51.22915, -2.32040 (latitude, longitude): "
        "near Cheap Street, in the Market neighbourhood"
    ) in page


def fitted(page: str) -> tuple[float, float, float, float]:
    """Return the box a page's map is fitted to: (minlon, minlat, maxlon, maxlat)."""
    found = re.search(r"\.fitBounds\(\s*(\[\[.*?\]\])", page, re.S)
    assert found, "the map is fitted to nothing"
    (south, west), (north, east) = orjson.loads(found.group(1))
    return west, south, east, north


def test_the_findings_map_holds_the_strengths_found_just_outside(app: Flask) -> None:
    outside = (-2.3213, 51.2355)
    add_asset(app, title="Soup club", lon=-2.3213, lat=51.2299, themes=["food"])
    add_asset(app, title="Lunch club", lon=outside[0], lat=outside[1], themes=["food"])
    client = signed_in(app, "planner")
    response = start(client, catchment="radius", lon="-2.3213", lat="51.2296", radius_m="300")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 just outside" in text(page)
    west, south, east, north = fitted(page)
    assert west < outside[0] < east and south < outside[1] < north


def test_the_pin_picker_opens_on_the_outlined_area(app: Flask) -> None:
    page = Steps(signed_in(app)).details().get_data(as_text=True)
    with app.app_context(), db.database().session() as session:
        derived = stored_area(session)
    assert derived is not None
    assert fitted(page) == pytest.approx(derived.bbox.as_tuple(), abs=1e-6)
    drawn = outline(page)
    assert drawn.hausdorff_distance(derived.outline.boundary) < 0.0001


def test_the_pin_picker_outlines_a_configured_box_as_it_is(app: Flask) -> None:
    app.config["AREA_BBOX"] = "-2.34,51.21,-2.30,51.25"
    page = Steps(signed_in(app)).details().get_data(as_text=True)
    drawn = outline(page)
    assert drawn.hausdorff_distance(box(-2.34, 51.21, -2.30, 51.25).boundary) < 1e-9


def outline(page: str) -> BaseGeometry:
    """Return the area's line the page's map draws, as lon, lat rings."""
    found = re.search(r'L\.polygon\(\s*(\[\[\[.*?\]\]\]),\s*\{[^}]*"className": "map-area"', page)
    assert found, "the area is not outlined"
    rings = [[(lon, lat) for lat, lon in ring] for ring in orjson.loads(found.group(1))]
    return MultiLineString(rings)
