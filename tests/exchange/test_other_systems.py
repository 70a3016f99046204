from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from sqlalchemy import orm

from assetmap import create_app
from assetmap.exchange.importing import Columns
from assetmap.exchange.report import Outcome
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template, import_path
from tests.exchange.lists import council_centres, sites_in_british_national_grid, spreadsheet_groups


@pytest.fixture
def app(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    copy_of(demo_template(tmp_path_factory), tmp_path, "cli.db").dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"})
    yield app
    db.database(app).dispose()


def flask(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def imported(app: Flask, title: str) -> Asset:
    with app.app_context(), db.database().session() as session:
        found = session.scalars(sa.select(Asset).where(Asset.title == title)).one()
        session.expunge(found)
        return found


def test_a_council_geojson_of_one_kind_without_a_kind_is_refused_asking_for_one(
    app: Flask, tmp_path: Path
) -> None:
    result = flask(app, "import", str(council_centres(tmp_path)), "--dry-run")
    assert result.exit_code == 1
    assert "file rejected: columns: missing kind: no column gives it" in result.stdout
    assert "or the kind of every row" in result.stdout


def test_a_council_geojson_is_imported_with_a_kind_and_its_own_names(
    app: Flask, tmp_path: Path
) -> None:
    path = council_centres(tmp_path)
    result = flask(app, "import", str(path), "--kind", "space", "--theme", "care")
    assert result.exit_code == 0, result.output
    assert "2 read; 2 added, 0 updated, 0 skipped, 0 rejected" in result.stdout
    assert "Columns ignored: WARD_NAME." in result.stdout
    assert "Rows that name no kind are each a space." in result.stdout
    centre = imported(app, "Welshmill Community Centre")
    assert (centre.kind.value, centre.source_id) == ("space", "101")
    assert centre.opening_times == "Mon-Fri 9:00-17:00"
    assert centre.contact == "https://welshmill.example.org"


def test_a_council_geojson_imported_again_changes_what_changed_by_its_objectid(
    app: Flask, tmp_path: Path
) -> None:
    first = council_centres(tmp_path)
    assert flask(app, "import", str(first), "--kind", "space", "--theme", "care").exit_code == 0
    renamed = council_centres(tmp_path, name=["Welshmill Centre", "Packsaddle Hall"])
    result = flask(app, "import", str(renamed), "--kind", "space", "--theme", "care")
    assert "0 added, 1 updated, 1 skipped" in result.stdout
    assert imported(app, "Welshmill Centre").source_id == "101"


def test_a_spreadsheet_with_x_y_and_name_is_read_website_and_phone_as_contact(
    app: Flask, tmp_path: Path
) -> None:
    path = spreadsheet_groups(tmp_path)
    result = flask(app, "import", str(path), "--kind", "group", "--theme", "sport")
    assert result.exit_code == 0, result.output
    assert (
        "Columns read as assetmap's fields: x as lon; y as lat; name as title; "
        "Website and Telephone as contact." in result.stdout
    )
    ride = imported(app, "Frome Wheelers Tuesday ride")
    assert ride.contact == "https://wheelers.example.org; 01373 000001"
    assert (ride.public_lon, ride.public_lat) == (-2.3181, 51.2297)
    assert imported(app, "Selwood Allotment Society").contact == "01373 000002"


def test_a_geopackage_in_british_national_grid_is_read_with_the_columns_mapped(
    app: Flask, tmp_path: Path
) -> None:
    path = sites_in_british_national_grid(tmp_path)
    result = flask(
        app,
        "import",
        str(path),
        "--kind",
        "space",
        "--theme",
        "environment",
        "--map",
        "SITE_ID=id",
        "--map",
        "facility=facilities",
    )
    assert result.exit_code == 0, result.output
    meadow = imported(app, "Rodden wildflower meadow")
    assert meadow.source_id == "S-7" and meadow.facilities == ["meadow", "pond"]
    assert meadow.public_lon == pytest.approx(-2.3120) and meadow.public_lat == pytest.approx(
        51.2255
    )


def test_a_column_mapped_to_ignore_is_left_out_and_listed(app: Flask, tmp_path: Path) -> None:
    path = council_centres(tmp_path)
    result = flask(
        app, "import", str(path), "--dry-run", "--kind", "space", "--theme", "care",
        "--map", "WEBSITE=ignore",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Columns ignored: WARD_NAME, WEBSITE." in result.stdout


def test_mapping_a_column_the_file_does_not_have_names_its_columns(
    app: Flask, tmp_path: Path
) -> None:
    path = spreadsheet_groups(tmp_path)
    result = flask(app, "import", str(path), "--kind", "group", "--map", "Venue=title")
    assert result.exit_code == 1
    assert (
        "file rejected: map: the file has no column 'Venue'; its columns are x, y, name, "
        "Website, Telephone" in result.stdout
    )


def test_mapping_to_something_that_is_not_a_field_is_refused_before_reading(
    app: Flask, tmp_path: Path
) -> None:
    result = flask(app, "import", str(spreadsheet_groups(tmp_path)), "--map", "name=owner_id")
    assert result.exit_code == 2
    assert "Invalid value for --map: 'owner_id' is not a field of a strength" in result.output


def test_a_kind_that_is_not_one_of_assetmaps_is_refused(app: Flask, tmp_path: Path) -> None:
    result = flask(app, "import", str(spreadsheet_groups(tmp_path)), "--kind", "club")
    assert result.exit_code == 2 and "'club' is not one of 'skill', 'group', 'space'" in (
        result.output
    )


def test_a_skill_keeps_no_guessed_phone_and_the_report_says_so(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(
        "name,lon,lat,phone,share_modes,opening hours\n"
        "Bike repair,-2.3201,51.2301,07700 900001,do,Saturdays\n"
    )
    report = import_path(session, path, columns=Columns(kind="skill"), default_themes=("sport",))
    assert report.written, list(report.lines())
    assert "A skill's website, phone or email is left out: it is the person's." in report.lines()
    skill = session.scalars(sa.select(Asset)).one()
    assert skill.contact == "" and skill.availability == "Saturdays"


def test_a_groups_opening_hours_become_its_meeting_pattern(
    session: orm.Session, tmp_path: Path
) -> None:
    path = tmp_path / "groups.csv"
    path.write_text("Title,Longitude,Latitude,Opening Hours\nChess club,-2.32,51.23,Thursdays\n")
    report = import_path(session, path, columns=Columns(kind="group"), default_themes=("learning",))
    assert report.written, list(report.lines())
    assert session.scalars(sa.select(Asset.meeting_pattern)).one() == "Thursdays"


def test_a_council_geojson_keeps_its_objectids_on_every_backend(
    session: orm.Session, tmp_path: Path
) -> None:
    report = import_path(
        session, council_centres(tmp_path), columns=Columns(kind="space"), default_themes=("care",)
    )
    assert report.written and report.counts[Outcome.ADDED] == 2
    found = session.execute(sa.select(Asset.source_id, Asset.title).order_by(Asset.source_id))
    assert found.all() == [
        ("101", "Welshmill Community Centre"),
        ("102", "Packsaddle Hall"),
    ]
