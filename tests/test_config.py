from __future__ import annotations

from pathlib import Path

import pytest

from assetmap import create_app
from assetmap.config import area_bbox
from assetmap.domain.geo import BBox


def test_defaults_put_the_database_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ASSETMAP_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / 'assetmap.db'}"
    assert app.config["PRIVACY_CELL_M"] == 400.0


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("ASSETMAP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ASSETMAP_PRIVACY_CELL_M", "250")
    app = create_app()
    assert app.config["DATABASE_URL"] == sqlite_url
    assert app.config["PRIVACY_CELL_M"] == 250


def test_instance_config_is_read_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    (tmp_path / "config.py").write_text(
        "PRIVACY_CELL_M = 300.0\nMAP_TILES_URL = 'https://tiles.example.org/{z}/{x}/{y}.png'\n"
    )
    monkeypatch.setenv("ASSETMAP_MAP_TILES_URL", "https://other.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path))
    app = create_app({"DATABASE_URL": sqlite_url})
    assert app.instance_path == str(tmp_path)
    assert app.config["PRIVACY_CELL_M"] == 300.0
    assert app.config["MAP_TILES_URL"] == "https://other.example.org/{z}/{x}/{y}.png"


def test_test_config_wins_over_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("ASSETMAP_PRIVACY_CELL_M", "250")
    assert (
        create_app({"DATABASE_URL": sqlite_url, "PRIVACY_CELL_M": 500}).config["PRIVACY_CELL_M"]
        == 500
    )


def test_area_is_left_to_the_neighbourhoods_by_default(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.delenv("ASSETMAP_AREA_BBOX", raising=False)
    app = create_app({"DATABASE_URL": sqlite_url})
    assert app.config["AREA_BBOX"] == ""
    assert area_bbox(app.config) is None


def test_area_box_set_in_the_environment_is_read(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("ASSETMAP_AREA_BBOX", " -2.5, 51.1 ,-2.2,51.3")
    app = create_app({"DATABASE_URL": sqlite_url})
    assert area_bbox(app.config) == BBox(-2.5, 51.1, -2.2, 51.3)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("PRIVACY_CELL_M", -1, "ASSETMAP_PRIVACY_CELL_M must be a positive number of metres"),
        ("AREA_BBOX", "1,2,3", "ASSETMAP_AREA_BBOX: expected minlon,minlat,maxlon,maxlat"),
        ("AREA_BBOX", "-2.2,51.1,-2.5,51.3", "ASSETMAP_AREA_BBOX: min lon -2.2 is east of"),
        ("AREA_BBOX", "nan,51.1,-2.2,51.3", "ASSETMAP_AREA_BBOX: minlon must be a finite"),
    ],
)
def test_bad_option_stops_the_app_naming_it(
    option: str, value: object, message: str, sqlite_url: str
) -> None:
    with pytest.raises(ValueError, match=message):
        create_app({"DATABASE_URL": sqlite_url, option: value})


def test_every_option_is_documented_in_the_readme() -> None:
    from assetmap.config import DEFAULTS

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    missing = [name for name in [*DEFAULTS, "INSTANCE_PATH"] if f"ASSETMAP_{name}" not in readme]
    assert missing == []
