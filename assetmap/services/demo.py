"""Loading the demo neighbourhood shipped in ``data/demo`` into the register."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox
from assetmap.domain.provenance import local_day
from assetmap.domain.ties import TieKind, TieState
from assetmap.exchange.boundaries import read_boundaries
from assetmap.exchange.demo import read_assets, read_funds, read_users
from assetmap.services.demo_funds import People, load_rounds
from assetmap.services.places import import_places
from assetmap.storage import assets as store
from assetmap.storage import users as user_store
from assetmap.storage.models import User, utcnow
from assetmap.storage.neighbourhoods import replace_neighbourhoods
from assetmap.storage.patterns import read_patterns
from assetmap.storage.ties import add_tie, answer_tie

# A demo strength, as ties.csv names it: its kind and title.
Named = tuple[str, str]


@dataclass(frozen=True)
class DemoLoad:
    """What loading the demo data added."""

    users: int
    assets: int
    neighbourhoods: int
    places: int
    scheduled: int = 0  # groups and spaces whose times were read into schedules
    ties: int = 0
    rounds: int = 0  # community fund rounds


def load_demo(
    session: orm.Session,
    folder: Path,
    *,
    cell_m: float,
    area: BBox | None = None,
    secret: bytes | None = None,
) -> DemoLoad:
    """Add the demo neighbourhoods, gazetteer, users, assets, the ties between them and its
    community fund rounds in one transaction; users already present are kept, and the demo's
    places replace any held.

    The groups' meeting patterns and spaces' opening times are read into schedules as an
    import's are, starting from today, and the fund's dates are counted from today too.
    Ballots are held under ``secret``, the app's, where it is given (see
    ``services.demo_funds``). Raises ValidationError naming the feature and field if any demo
    asset, tie or round is invalid, and then adds nothing.
    """
    # Read as `area import-neighbourhoods` reads a place's own boundary file.
    areas = read_boundaries(folder / "neighbourhoods.geojson").areas
    replace_neighbourhoods(session, areas)
    gazetteer = folder / "gazetteer.csv"
    places = import_places(session, gazetteer).kept.total() if gazetteer.is_file() else 0
    owners, new_users = _users(session, folder / "users.csv")
    features = read_assets(folder / "assets.geojson")
    stored: dict[Named, tuple[int, int | None]] = {}
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
        asset = store.add_asset(session, draft, owner_id=owners.get(owner), cell_m=cell_m)
        stored[draft.kind.value, draft.title] = (asset.id, asset.owner_id)
    scheduled = read_patterns(session, [i for i, _ in stored.values()], today=dt.date.today())
    ties = folder / "ties.csv"
    tied = _ties(session, ties, stored) if ties.is_file() else 0
    funds = folder / "funds.json"
    rounds = 0
    if funds.is_file():
        people = _fund_people(session, folder / "users.csv", owners)
        today = local_day(utcnow())
        rounds = load_rounds(session, read_funds(funds), stored, people, today=today, secret=secret)
    return DemoLoad(
        users=new_users,
        assets=len(features),
        neighbourhoods=len(areas),
        places=places,
        scheduled=scheduled,
        ties=tied,
        rounds=rounds,
    )


def _ties(session: orm.Session, path: Path, stored: dict[Named, tuple[int, int | None]]) -> int:
    """Make the ties ``ties.csv`` lists, each by the owner of the strength it starts from; an
    accepted offer is then accepted by the group's owner."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows, start=2):
        try:
            kind = TieKind(row["kind"])
            start, end = kind.kinds
            from_id, maker = stored[start.value, row["from_title"]]
            to_id, answerer = stored[end.value, row["to_title"]]
        except (KeyError, ValueError):
            raise ValidationError(
                {f"ties.csv row {number}": "names no demo strength of the kind its tie joins"}
            ) from None
        tie = add_tie(session, kind, from_id, to_id, by=maker)
        if tie.state is TieState.PROPOSED and row.get("state") == TieState.ACCEPTED:
            answer_tie(session, tie.id, True, by=answerer)
    return len(rows)


def _fund_people(session: orm.Session, path: Path, owners: dict[str, int]) -> People:
    """Return the demo's first planner and its residents but the first, as the fund needs."""
    rows = read_users(path)
    planner = next(row["email"] for row in rows if row["role"] == "planner")
    residents = [row["email"] for row in rows if row["role"] == "resident"][1:]
    found = session.scalars(sa.select(User).where(User.id.in_(sorted(owners.values()))))
    users = {user.id: user for user in found}
    return People(users[owners[planner]], [users[owners[email]] for email in residents])


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
