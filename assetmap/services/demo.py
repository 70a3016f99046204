"""Loading the demo neighbourhood shipped in ``data/demo`` into the register."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.exchange.boundaries import read_boundaries
from assetmap.exchange.demo import read_assets, read_users
from assetmap.services.places import import_places
from assetmap.storage import assets as store
from assetmap.storage import users as user_store
from assetmap.storage.neighbourhoods import replace_neighbourhoods


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
    # Read as `area import-neighbourhoods` reads a place's own boundary file.
    areas = read_boundaries(folder / "neighbourhoods.geojson").areas
    replace_neighbourhoods(session, areas)
    gazetteer = folder / "gazetteer.csv"
    places = import_places(session, gazetteer).kept.total() if gazetteer.is_file() else 0
    owners, new_users = _users(session, folder / "users.csv")
    features = read_assets(folder / "assets.geojson")
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


def _users(session: orm.Session, path: Path) -> tuple[dict[str, int], int]:
    owners: dict[str, int] = {}
    added = 0
    for row in read_users(path):
        user = user_store.get_user_by_email(session, row["email"])
        if user is None:
            user = user_store.create_user(
                session, row["email"], role=row["role"], display_name=row["display_name"]
            )
            added += 1
        owners[row["email"]] = user.id
    return owners, added
