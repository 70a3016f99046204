from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import osmium
import pytest
import sqlalchemy as sa
from osmium.osm.mutable import Node, Relation, Way
from sqlalchemy import orm

from assetmap.exchange.report import Outcome
from assetmap.storage.models import Asset
from tests.exchange.helpers import copy_of, empty_template, import_path

PARK = [(-2.310, 51.220), (-2.309, 51.220), (-2.309, 51.221), (-2.310, 51.221)]
PLOTS = [(-2.330, 51.240), (-2.328, 51.240), (-2.328, 51.241), (-2.330, 51.241)]
HALL = [(-2.320, 51.230), (-2.3195, 51.230), (-2.3195, 51.2305)]


def overpass_extract(path: Path) -> Path:
    """Write OpenStreetMap XML as Overpass saves it: relations and ways before their nodes."""
    writer = osmium.SimpleWriter(str(path))
    writer.add_relation(
        Relation(
            id=9,
            members=[("w", 8, "outer")],
            tags={"type": "multipolygon", "landuse": "allotments", "name": "Welshmill allotments"},
        )
    )
    writer.add_way(
        Way(id=5, nodes=[10, 11, 12, 13, 10], tags={"leisure": "park", "name": "Victoria Park"})
    )
    # The hall's last corner, node 99, is outside the extract: the way cannot be placed.
    writer.add_way(
        Way(id=6, nodes=[18, 19, 20, 99, 18], tags={"amenity": "village_hall", "name": "Hall"})
    )
    writer.add_way(Way(id=7, nodes=[18, 19, 20], tags={"leisure": "park", "name": "Path"}))
    writer.add_way(Way(id=8, nodes=[14, 15, 16, 17, 14]))
    for i, point in enumerate(PARK + PLOTS + HALL, start=10):
        writer.add_node(Node(id=i, location=point))
    writer.add_node(
        Node(id=1, location=(-2.3185, 51.2305), tags={"amenity": "library", "name": "Library"})
    )
    writer.close()
    return path


@pytest.fixture
def session(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[orm.Session]:
    database = copy_of(empty_template(tmp_path_factory), tmp_path)
    with database.session() as session:
        yield session
    database.dispose()


def test_the_file_really_holds_ways_before_their_nodes(tmp_path: Path) -> None:
    text = overpass_extract(tmp_path / "export.osm").read_text()
    assert text.index("<way") < text.index('<node id="10"')


def test_areas_from_an_overpass_file_are_placed_inside_their_outlines(
    session: orm.Session, tmp_path: Path
) -> None:
    report = import_path(session, overpass_extract(tmp_path / "export.osm"))
    assert report.written and report.counts[Outcome.ADDED] == 3
    found = {a.source_id: a for a in session.scalars(sa.select(Asset))}
    assert sorted(found) == ["node/1", "relation/9", "way/5"]
    park, plots = found["way/5"], found["relation/9"]
    assert -2.310 < park.public_lon < -2.309 and 51.220 < park.public_lat < 51.221
    assert -2.330 < plots.public_lon < -2.328 and 51.240 < plots.public_lat < 51.241


def test_a_way_whose_points_are_not_all_in_the_file_is_skipped_saying_why(
    session: orm.Session, tmp_path: Path
) -> None:
    report = import_path(session, overpass_extract(tmp_path / "export.osm"), dry_run=True)
    skipped = {e.where: (e.title, e.reason) for e in report.entries[Outcome.SKIPPED]}
    assert skipped["way/6"] == (
        "Hall",
        "can't be placed: 1 of its points is not in the file (node 99); "
        "download the extract with its ways' nodes",
    )


def test_a_way_that_does_not_close_is_skipped_saying_why(
    session: orm.Session, tmp_path: Path
) -> None:
    report = import_path(session, overpass_extract(tmp_path / "export.osm"), dry_run=True)
    [entry] = [e for e in report.entries[Outcome.SKIPPED] if e.where == "way/7"]
    assert entry.reason == "can't be placed: it is a line, not a closed outline"
