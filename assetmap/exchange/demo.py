"""Loading the demo neighbourhood shipped in ``data/demo``."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import orjson
from shapely.geometry import shape
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.exchange.places import import_places
from assetmap.storage import assets as store
from assetmap.storage import users as user_store
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

_PACKAGE = Path(__file__).resolve().parent.parent


def default_folder() -> Path:
    """Return the demo data folder: inside the package when installed, else the checkout's."""
    installed = _PACKAGE / "data" / "demo"
    return installed if installed.is_dir() else _PACKAGE.parent / "data" / "demo"


@dataclass(frozen=True)
class DemoLoad:
    """What loading the demo data added."""

    users: int
    assets: int
    neighbourhoods: int
    places: int


def load_demo(
    session: orm.Session, folder: Path, *, cell_m: float, area: BBox | None = None
) -> DemoLoad:
    """Add the demo neighbourhoods, gazetteer, users and assets in one transaction; users
    already present are kept, and the demo's places replace any held.

    Raises ValidationError naming the feature and field if any demo asset is invalid, and then
    adds nothing.
    """
    areas = _areas(folder / "neighbourhoods.geojson")
    replace_neighbourhoods(session, areas)
    gazetteer = folder / "gazetteer.csv"
    places = import_places(session, gazetteer).kept.total() if gazetteer.is_file() else 0
    owners, new_users = _users(session, folder / "users.csv")
    features = orjson.loads((folder / "assets.geojson").read_bytes())["features"]
    for number, feature in enumerate(features, start=1):
        props = dict(feature["properties"])
        owner = props.pop("owner", None)
        lon, lat = feature["geometry"]["coordinates"]
        raw = {key: value for key, value in props.items() if value is not None}
        try:
            draft = validate_asset({**raw, "lon": lon, "lat": lat}, area=area)
        except ValidationError as exc:
            raise ValidationError(
                {f"feature {number}.{k}": v for k, v in exc.errors.items()}
            ) from None
        store.add_asset(session, draft, owner_id=owners.get(owner), cell_m=cell_m)
    return DemoLoad(users=new_users, assets=len(features), neighbourhoods=len(areas), places=places)


def _areas(path: Path) -> list[Area]:
    features = orjson.loads(path.read_bytes())["features"]
    return [
        Area(
            code=f["properties"]["code"],
            name=f["properties"]["name"],
            boundary=shape(f["geometry"]),
        )
        for f in features
    ]


def _users(session: orm.Session, path: Path) -> tuple[dict[str, int], int]:
    owners: dict[str, int] = {}
    added = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            user = user_store.get_user_by_email(session, row["email"])
            if user is None:
                user = user_store.create_user(
                    session, row["email"], role=row["role"], display_name=row["display_name"]
                )
                added += 1
            owners[row["email"]] = user.id
    return owners, added
