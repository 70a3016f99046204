from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import osmium
import pytest
import sqlalchemy as sa
from osmium.osm.mutable import Node, Relation, Way
from sqlalchemy import orm

from assetmap.exchange.importing.osm import match
from assetmap.exchange.report import ODBL, Outcome
from assetmap.storage.models import Asset
from tests.exchange.helpers import copy_of, empty_template, import_path

SQUARE = [(-2.310, 51.220), (-2.309, 51.220), (-2.309, 51.221), (-2.310, 51.221)]
PLOTS = [(-2.330, 51.240), (-2.328, 51.240), (-2.328, 51.241), (-2.330, 51.241)]


def write_extract(path: Path) -> Path:
    """Write a small extract: named and unnamed places, a club, an area and a multipolygon."""
    writer = osmium.SimpleWriter(str(path))
    writer.add_node(
        Node(
            id=1,
            location=(-2.3185, 51.2305),
            tags={
                "amenity": "library",
                "name": "Frome Library",
                "opening_hours": "Mo-Sa 09:00-17:00",
            },
        )
    )
    writer.add_node(
        Node(
            id=2,
            location=(-2.3200, 51.2290),
            tags={"club": "sport", "sport": "cycling", "name": "Frome Wheelers"},
        )
    )
    writer.add_node(Node(id=3, location=(-2.3150, 51.2280), tags={"amenity": "bench"}))
    writer.add_node(Node(id=4, location=(-2.3160, 51.2270), tags={"leisure": "park"}))
    writer.add_node(
        Node(
            id=6,
            location=(-0.1276, 51.5072),
            tags={"amenity": "library", "name": "A London library"},
        )
    )
    writer.add_node(
        Node(
            id=7,
            location=(-2.3230, 51.2310),
            tags={"amenity": "place_of_worship", "name": "St John's", "wheelchair": "yes"},
        )
    )
    for i, point in enumerate(SQUARE + PLOTS, start=10):
        writer.add_node(Node(id=i, location=point))
    writer.add_way(
        Way(id=5, nodes=[10, 11, 12, 13, 10], tags={"leisure": "park", "name": "Victoria Park"})
    )
    writer.add_way(Way(id=8, nodes=[14, 15, 16, 17, 14]))
    writer.add_relation(
        Relation(
            id=9,
            members=[("w", 8, "outer")],
            tags={"type": "multipolygon", "landuse": "allotments", "name": "Welshmill allotments"},
        )
    )
    writer.close()
    return path


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(empty_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def stored(session: orm.Session) -> dict[str, Asset]:
    return {a.source_id: a for a in session.scalars(sa.select(Asset))}


@pytest.mark.parametrize("name", ["frome.osm", "frome.osm.pbf"])
def test_community_places_become_spaces_and_groups_with_their_osm_ids(
    session: orm.Session, tmp_path: Path, name: str
) -> None:
    report = import_path(session, write_extract(tmp_path / name))
    assert report.written and report.format == "osm"
    found = stored(session)
    assert sorted(found) == ["node/1", "node/2", "node/7", "relation/9", "way/5"]
    assert {a.source for a in found.values()} == {"osm"}
    library, club, park = found["node/1"], found["node/2"], found["way/5"]
    assert (library.kind.value, library.themes, library.opening_times) == (
        "space",
        ["learning"],
        "Mo-Sa 09:00-17:00",
    )
    assert (club.kind.value, club.themes) == ("group", ["sport"])
    assert -2.310 < park.public_lon < -2.309 and 51.220 < park.public_lat < 51.221
    assert found["node/7"].accessibility.startswith("Wheelchair access: yes")


def test_every_strength_carries_the_odbl_attribution(session: orm.Session, tmp_path: Path) -> None:
    report = import_path(session, write_extract(tmp_path / "frome.osm.pbf"))
    assert report.attribution == ODBL
    assert all(ODBL in a.description for a in stored(session).values())
    assert "From OpenStreetMap (node/1)." in stored(session)["node/1"].description


def test_unnamed_places_and_places_outside_the_area_are_skipped_not_rejected(
    session: orm.Session, tmp_path: Path
) -> None:
    report = import_path(session, write_extract(tmp_path / "frome.osm"), dry_run=True)
    skipped = {e.where: e.reason for e in report.entries[Outcome.SKIPPED]}
    assert skipped == {
        "node/4": "an unnamed park: a strength needs a name",
        "node/6": "lies outside the area this assetmap covers",
    }
    assert report.ok and report.counts[Outcome.ADDED] == 5


def test_importing_the_extract_again_changes_nothing(session: orm.Session, tmp_path: Path) -> None:
    path = write_extract(tmp_path / "frome.osm.pbf")
    import_path(session, path)
    again = import_path(session, path)
    assert (again.counts[Outcome.ADDED], again.counts[Outcome.UPDATED]) == (0, 0)
    assert len(stored(session)) == 5


def test_a_broken_osm_file_is_named(session: orm.Session, tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text('<?xml version="1.0"?>\n<osm version="0.6"><node id="1" lat=')
    report = import_path(session, path)
    [entry] = report.entries[Outcome.REJECTED]
    assert entry.where == "file" and entry.reason.startswith("is not an OpenStreetMap file")


def test_xml_called_pbf_is_refused(session: orm.Session, tmp_path: Path) -> None:
    xml = write_extract(tmp_path / "frome.osm")
    path = tmp_path / "frome.osm.pbf"
    path.write_bytes(xml.read_bytes())
    [entry] = import_path(session, path).entries[Outcome.REJECTED]
    assert entry.reason.endswith("is not OpenStreetMap PBF: it looks like OpenStreetMap XML")


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({"amenity": "community_centre"}, "space"),
        ({"amenity": "place_of_worship"}, "space"),
        ({"leisure": "garden", "garden:type": "community"}, "space"),
        ({"landuse": "allotments"}, "space"),
        ({"club": "scout"}, "group"),
        ({"leisure": "garden"}, None),
        ({"amenity": "parking"}, None),
    ],
)
def test_which_tags_make_a_strength(tags: dict[str, str], kind: str | None) -> None:
    found = match(tags)
    assert (found.kind if found else None) == kind
