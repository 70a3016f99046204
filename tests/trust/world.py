"""A small world for trust and safety tests: users of every role, strengths, a report, a
published check with a response, API tokens, and markers in every personal field.

Built once into a SQLite file; each test copies it and serves it with its own app.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain.assets import validate_asset
from assetmap.domain.funds import TieBreak, VotingMethod
from assetmap.domain.schedules import validate_schedule
from assetmap.domain.ties import TieKind
from assetmap.storage import assets as store
from assetmap.storage import checks as check_store
from assetmap.storage import moderation
from assetmap.storage import tokens as token_store
from assetmap.storage import users as user_store
from assetmap.storage.database import connect, upgrade
from assetmap.storage.models import FundProposal, FundProposalStrength, FundRound
from assetmap.storage.schedules import set_schedules
from assetmap.storage.ties import add_tie
from assetmap.web import db
from tests.web.helpers import PASSWORD, decide, post, publish, sign_in_by_cookie, start

ROLES = ("resident", "coach", "planner", "admin")
TODAY = dt.date(2026, 12, 7)
# Personal details that only their owner (and, for contacts, staff a rule allows) may see.
MARKERS = {
    "contact": "marker-contact-7q2x@example.org",
    "group_contact": "marker-group-9k4w@example.org",
    "email": "marker-owner-3j8v@example.org",
    "name": "Markername Zyxwv",
    # The skill's exact point, to five decimals, as any page would print it.
    "lon": "2.31879",
    "lat": "51.22913",
}
SKILL_POINT = (-2.3187913, 51.2291357)


@dataclass
class World:
    """The ids a test needs, and where the built database is."""

    path: Path
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def config(path: Path, **extra: Any) -> dict[str, Any]:
    """Return the app configuration for a copy of the world."""
    return {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{path}",
        "SECRET_KEY": "trust",
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX_DIR": str(path.parent / "outbox"),
        **extra,
    }


def client_as(app: Flask, world: World, who: str) -> FlaskClient:
    """Return a new client signed in as one of the world's users, or a visitor's."""
    client = app.test_client()
    if who != "visitor":
        sign_in_by_cookie(app, client, world.users[who])
    return client


def _asset(session: Any, owner: int | None, **values: Any) -> int:
    raw = {"kind": "group", "title": "Soup club", "themes": ["food"], "lon": -2.32, "lat": 51.23}
    raw.update(values)
    asset = store.add_asset(session, validate_asset(raw), owner_id=owner, cell_m=400.0)
    return asset.id


def _users(session: Any, world: World) -> None:
    owner = user_store.create_user(session, MARKERS["email"], display_name=MARKERS["name"])
    user_store.set_password(owner, PASSWORD)
    session.flush()
    world.users["owner"] = owner.id
    for role in ROLES:
        user = user_store.create_user(session, f"{role}@example.org", role=role)
        user_store.set_password(user, PASSWORD)
        session.flush()
        world.users[role] = user.id
    for name, user_id in world.users.items():
        world.tokens[name] = token_store.create_token(session, user_id, "tests").secret
    world.ids["token"] = token_store.list_tokens(session, world.users["owner"])[0].id


def _assets(session: Any, world: World) -> None:
    owner = world.users["owner"]
    world.ids["group"] = _asset(
        session, owner, title="Frome choir", contact=MARKERS["group_contact"]
    )
    world.ids["skill"] = _asset(
        session,
        owner,
        kind="skill",
        title="Bike mending",
        themes=["learning"],
        share_modes=["teach"],
        contact=MARKERS["contact"],
        contact_via_coach=True,
        lon=SKILL_POINT[0],
        lat=SKILL_POINT[1],
    )
    world.ids["victim"] = _asset(session, owner, title="Allotment society")
    world.ids["victim_api"] = _asset(session, owner, title="Repair cafe")
    world.ids["hidden"] = _asset(session, owner, title="Old swap shop")
    session.flush()
    store.update_asset(
        session,
        world.ids["skill"],
        {"contact": MARKERS["contact"] + ".old"},
        by=owner,
        cell_m=400.0,
    )
    store.update_asset(
        session, world.ids["skill"], {"contact": MARKERS["contact"]}, by=owner, cell_m=400.0
    )
    moderation.hide_asset(session, world.ids["hidden"], by=None, reason="Closed last spring")
    # When the choir meets, where, and a skill its owner offered to it, not yet answered.
    world.ids["hall"] = _asset(session, owner, kind="space", title="Wesley hall")
    weekly = {"frequency": "weekly", "weekdays": "TU", "start_time": "19:30"}
    set_schedules(session, world.ids["group"], [validate_schedule(weekly, today=TODAY)], by=owner)
    world.ids["tie"] = add_tie(
        session, TieKind.MEETS_AT, world.ids["group"], world.ids["hall"], by=owner
    ).id
    add_tie(session, TieKind.OFFERS, world.ids["skill"], world.ids["group"], by=owner)
    world.ids["report"] = moderation.add_report(
        session, world.ids["group"], "wrong", "Meets on Tuesdays now", by=None
    ).id
    world.ids["first_revision"] = store.get_asset(session, world.ids["skill"]).revisions[0].id  # type: ignore[union-attr]


def _fund(session: Any, world: World) -> None:
    """A community fund round taking ideas today, with a resident's idea built on the choir."""
    today = dt.date.today()
    fund = FundRound(
        title="Frome small grants",
        purpose="Small sums for what people already do.",
        budget_pence=500_000,
        method=VotingMethod.BUDGET,
        tie_break=TieBreak.SMALLER_FIRST,
        proposers=["resident", "group-owner", "coach"],
        proposals_open=today - dt.timedelta(days=1),
        proposals_close=today + dt.timedelta(days=10),
        voting_open=today + dt.timedelta(days=11),
        voting_close=today + dt.timedelta(days=20),
        results_on=today + dt.timedelta(days=21),
        created_by=world.users["planner"],
    )
    session.add(fund)
    session.flush()
    idea = FundProposal(
        round_id=fund.id,
        title="Choir songbooks",
        summary="Large-print songbooks for the choir.",
        who_will_do_it="The choir's committee.",
        amount_pence=25_000,
        proposed_by=world.users["resident"],
        strengths=[FundProposalStrength(asset_id=world.ids["group"])],
    )
    session.add(idea)
    session.flush()
    world.ids["round"], world.ids["proposal"] = fund.id, idea.id


def _check(app: Flask, world: World) -> None:
    planner = client_as(app, world, "planner")
    assert start(planner).status_code == 302
    with app.app_context():
        check_id = check_store.all_checks(db.session())[0].id
    assert decide(planner, check_id).status_code == 302
    assert publish(planner, check_id).status_code == 302
    world.ids["check"] = check_id
    resident = client_as(app, world, "resident")
    answer = {"missed": "The lunch club", "take_part": "", "comment": ""}
    assert post(resident, f"/checks/{check_id}/respond", **answer).status_code == 302
    with app.app_context():
        check = check_store.get_check(db.session(), check_id)
        world.ids["response"] = check.responses[0].id  # type: ignore[union-attr]


def build(folder: Path) -> World:
    """Build the world's database in ``folder`` and return its ids."""
    path = folder / "world.db"
    database = connect(f"sqlite:///{path}")
    upgrade(database)
    world = World(path)
    with database.session() as session:
        _users(session, world)
        _assets(session, world)
        _fund(session, world)
        session.commit()
    database.dispose()
    app = create_app(config(path))
    _check(app, world)
    db.database(app).dispose()
    return world


def copy(world: World, folder: Path) -> Path:
    """Copy the world's database into ``folder`` and return the copy's path."""
    path = folder / "copy.db"
    shutil.copy(world.path, path)
    return path
