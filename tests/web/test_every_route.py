"""Every route the app registers, asked by a visitor and by each role on the seeded demo, with
real ids: no answer may be a server error.

Each route's arguments are filled from the demo's database (strengths of each kind and
status, users of each role, tokens, checks and their revisions and responses, reports), so a
new route is walked without anyone adding it here; a route whose arguments cannot be filled
fails, naming it. Pages are asked with GET; forms are sent empty, without a CSRF token and
then with one; API writes carry the role's personal token and an empty JSON body.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from assetmap import create_app
from assetmap.domain.vocab import Kind, Role, Status
from assetmap.exchange import hsds
from assetmap.storage import assets as store
from assetmap.storage import checks as check_store
from assetmap.storage import moderation
from assetmap.storage import roles as role_store
from assetmap.storage import tokens as token_store
from assetmap.storage import users as user_store
from assetmap.storage.connections import add_connection
from assetmap.storage.models import (
    ApiToken,
    Asset,
    CheckResponse,
    CheckRevision,
    FundProposal,
    FundRound,
    Neighbourhood,
    Report,
    Revision,
    User,
)
from assetmap.web import db
from assetmap.web.accounts.views import reset_token
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGIS
from tests.trust.world import config
from tests.web.helpers import decide, form_token, post, publish, sign_in_by_cookie, start

VISITOR = "visitor"
# "resident" owns strengths of every kind and status; "neighbour" is a resident who owns none.
ROLES = (VISITOR, "resident", "neighbour", "coach", "planner", "limited planner", "admin")
# A statement that reads a skill's exact point: anything naming its table but a plain write.
READS_EXACT_POINT = re.compile(
    r"^(?!\s*(INSERT INTO|DELETE FROM) private_point\b).*\bprivate_point\b", re.I | re.S
)
# Methods a route answers that are not requests of their own.
IMPLIED = frozenset({"HEAD", "OPTIONS"})
# Sent last: they end the session, or take away the token, the other requests use.
LAST = ("tokens.revoke", "accounts.delete", "auth.sign_out")


@dataclass
class Demo:
    """The seeded demo, built once, and the people and records the walk asks about."""

    url: str
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    assets: list[int] = field(default_factory=list)
    reset_tokens: list[str] = field(default_factory=list)


def _rows(app: Flask, query: sa.Executable) -> list[Any]:
    with app.app_context():
        return list(db.session().execute(query))


def _assets(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    return [{"asset_id": n} for n in demo.assets]


def _asset_revisions(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    first = (
        sa.select(Revision.asset_id, sa.func.min(Revision.id))
        .where(Revision.asset_id.in_(demo.assets))
        .group_by(Revision.asset_id)
    )
    return [{"asset_id": a, "revision_id": r} for a, r in _rows(app, first)]


def _checks(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    return [{"check_id": n} for (n,) in _rows(app, sa.select(CheckRevision.check_id).distinct())]


def _check_revisions(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    query = sa.select(CheckRevision.check_id, CheckRevision.number)
    return [{"check_id": c, "number": n} for c, n in _rows(app, query)]


def _responses(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    query = sa.select(CheckResponse.check_id, CheckResponse.id)
    return [{"check_id": c, "response_id": r} for c, r in _rows(app, query)]


def _users(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    return [{"user_id": n} for n in demo.users.values()]


def _tokens(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    query = sa.select(ApiToken.id)
    return [{"token_id": n} for (n,) in _rows(app, query)]


def _reports(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    return [{"report_id": n} for (n,) in _rows(app, sa.select(Report.id))]


# Real values for each set of arguments a route takes, read from the demo's database.
def _fund_rounds(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    return [{"round_id": n} for (n,) in _rows(app, sa.select(FundRound.id))]


def _fund_proposals(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    query = sa.select(FundProposal.round_id, FundProposal.id)
    return [{"round_id": r, "proposal_id": p} for r, p in _rows(app, query)]


def _hsds_ids(app: Flask, demo: Demo) -> list[dict[str, Any]]:
    """Each strength's would-be Open Referral ids: a skill's, a hidden one's, any kind's."""
    made = (hsds.service_id, hsds.organization_id, hsds.service_at_location_id)
    return [{"id": make(n)} for n in demo.assets for make in made]


ARGUMENTS: dict[frozenset[str], Callable[[Flask, Demo], list[dict[str, Any]]]] = {
    frozenset(): lambda app, demo: [{}],
    frozenset({"asset_id"}): _assets,
    frozenset({"asset_id", "revision_id"}): _asset_revisions,
    frozenset({"asset_id", "number"}): lambda app, demo: [
        {"asset_id": n, "number": 1} for n in demo.assets
    ],
    frozenset({"check_id"}): _checks,
    frozenset({"check_id", "number"}): _check_revisions,
    frozenset({"check_id", "response_id"}): _responses,
    frozenset({"user_id"}): _users,
    frozenset({"token_id"}): _tokens,
    frozenset({"report_id"}): _reports,
    frozenset({"kind"}): lambda app, demo: [{"kind": kind.value} for kind in Kind],
    frozenset({"token"}): lambda app, demo: [{"token": t} for t in demo.reset_tokens],
    frozenset({"filename"}): lambda app, demo: [{"filename": "assetmap.css"}],
    frozenset({"id"}): _hsds_ids,
    frozenset({"round_id"}): _fund_rounds,
    frozenset({"round_id", "proposal_id"}): _fund_proposals,
    frozenset({"rest"}): lambda app, demo: [{"rest": "nothing-here"}],
}


def _query(demo: Demo, app: Flask) -> dict[str, list[str]]:
    """Return the query strings, besides none, that pages reading their query are asked with."""
    with app.app_context():
        codes = [code for (code,) in db.session().execute(sa.select(Neighbourhood.code))]
    return {
        "connections.new": [f"asset={n}" for n in demo.assets],
        "search.search_page": ["place=Market+Place", "where=place&place=Frome&radius=800&q=choir"],
        "search.print_page": ["place=Market+Place"],
        "explore.map_page": ["kind=skill&theme=food", f"neighbourhood={codes[0]}"],
        "explore.list_page": ["kind=group&q=club", "page=2"],
        "explore.features": ["bbox=-2.34,51.21,-2.30,51.25&zoom=16", "bbox=-2.4,51.1,-2.2,51.3"],
        "api.list_assets": ["bbox=-2.34,51.21,-2.30,51.25", "near=-2.3213,51.2296&radius=500"],
        "api.places": ["q=Market+Place"],
    }


def _demo_assets(app: Flask, resident: int) -> list[int]:
    """Pick a strength of each kind: someone else's published one, and the resident's own
    published, hidden and withdrawn ones."""
    chosen = []
    with app.app_context():
        session = db.session()
        for kind in Kind:
            others = sa.select(Asset.id).where(Asset.kind == kind, Asset.owner_id != resident)
            own = sa.select(Asset.id).where(Asset.kind == kind, Asset.owner_id == resident)
            mine = list(session.scalars(own.order_by(Asset.id).limit(3)))
            if len(mine) < 3:
                extra = session.scalars(others.order_by(Asset.id.desc()).limit(3 - len(mine)))
                for asset_id in extra:
                    session.get(Asset, asset_id).owner_id = resident  # type: ignore[union-attr]
                    mine.append(asset_id)
            published, hidden, withdrawn = mine
            moderation.hide_asset(session, hidden, by=None, reason="Reported as closed")
            moderation.add_answer(session, hidden, "It meets again from March.", by=resident)
            store.withdraw_asset(session, withdrawn, by=resident)
            chosen += [session.scalars(others.order_by(Asset.id)).first(), published]
            chosen += [hidden, withdrawn]
        session.commit()
    return [n for n in chosen if n is not None]


def _demo_users(app: Flask, demo: Demo) -> None:
    with app.app_context():
        session = db.session()
        by_role: dict[Role, list[int]] = {}
        for user in session.scalars(sa.select(User).order_by(User.id)):
            by_role.setdefault(user.role, []).append(user.id)
        owners = sa.select(Asset.owner_id, sa.func.count()).group_by(Asset.owner_id)
        residents = set(by_role[Role.RESIDENT])
        ranked = sorted(session.execute(owners), key=lambda row: -row[1])
        demo.users["resident"] = next(owner for owner, _ in ranked if owner in residents)
        demo.users["coach"] = by_role[Role.COACH][0]
        demo.users["planner"] = by_role[Role.PLANNER][0]
        demo.users["limited planner"] = by_role[Role.PLANNER][1]
        demo.users["admin"] = by_role[Role.ADMIN][0]
        neighbour = user_store.create_user(session, "neighbour@example.org", role="resident")
        session.flush()
        demo.users["neighbour"] = neighbour.id
        first_two = session.scalars(sa.select(Neighbourhood.id).order_by(Neighbourhood.id).limit(2))
        role_store.change_role(
            session,
            demo.users["limited planner"],
            role="planner",
            neighbourhoods=list(first_two),
            by=demo.users["admin"],
        )
        for who, user_id in demo.users.items():
            demo.tokens[who] = token_store.create_token(session, user_id, "walk").secret
        resident = session.get(User, demo.users["resident"])
        assert resident is not None
        demo.reset_tokens = [reset_token(resident), "not-a-token"]
        session.commit()


def _demo_records(app: Flask, demo: Demo) -> None:
    with app.app_context():
        session = db.session()
        published, other = demo.assets[0], demo.assets[4]
        add_connection(
            session, published, coach_id=demo.users["coach"], on=dt.date.today(), note="choir"
        )
        moderation.add_report(session, published, "wrong", "Meets on Tuesdays now", by=None)
        dismissed = moderation.add_report(session, other, "out-of-date", "It has closed", by=None)
        moderation.dismiss_report(session, dismissed.id, by=demo.users["admin"])
        session.commit()


def _demo_checks(app: Flask, demo: Demo) -> None:
    planner = _client(app, demo, "planner")
    for steps in (0, 1, 2):
        assert start(planner).status_code == 302
        with app.app_context():
            check_id = max(check.id for check in check_store.all_checks(db.session()))
        if steps >= 1:
            assert decide(planner, check_id).status_code == 302
        if steps >= 2:
            assert publish(planner, check_id).status_code == 302
    resident = _client(app, demo, "resident")
    answer = {"missed": "The lunch club", "take_part": "", "comment": ""}
    assert post(resident, f"/checks/{check_id}/respond", **answer).status_code == 302


def _client(app: Flask, demo: Demo, who: str) -> FlaskClient:
    client = app.test_client()
    if who != VISITOR:
        sign_in_by_cookie(app, client, demo.users[who])
    return client


def build(url: str, folder: Path) -> Demo:
    """Seed the demo into the empty database at ``url`` as `flask seed-demo` does, and add the
    records the demo has none of."""
    built = Demo(url)
    app = create_app(config(folder / "demo.db", DATABASE_URL=url))
    for command in (["init-db"], ["seed-demo"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output
    _demo_users(app, built)
    built.assets = _demo_assets(app, built.users["resident"])
    _demo_records(app, built)
    _demo_checks(app, built)
    db.database(app).dispose()
    return built


@contextlib.contextmanager
def postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a PostgreSQL database, a copy of ``template`` if given; drop it afterwards."""
    admin_url = sa.make_url(POSTGRES_URL)
    name = f"assetmap_walk_{uuid.uuid4().hex[:8]}"
    copied = f' TEMPLATE "{sa.make_url(template).database}"' if template else ""
    try:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copied}')
    except sa.exc.OperationalError as exc:
        message = f"no PostgreSQL server answers at {admin_url.render_as_string()}: {exc.orig}"
        if REQUIRE_POSTGIS:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        yield build(f"sqlite:///{folder / 'demo.db'}", folder)
        return
    with postgres_database() as url:
        yield build(url, folder)


@contextlib.contextmanager
def copy_of(demo: Demo, folder: Path) -> Iterator[str]:
    """Give a copy of the demo's database to one walk, so that no walk sees another's forms."""
    if demo.url.startswith("sqlite"):
        shutil.copy(sa.make_url(demo.url).database or "", folder / "walk.db")
        yield f"sqlite:///{folder / 'walk.db'}"
        return
    with postgres_database(template=demo.url) as url:
        yield url


@pytest.fixture
def served(demo: Demo, tmp_path: Path) -> Iterator[Flask]:
    with copy_of(demo, tmp_path) as url:
        app = create_app(config(tmp_path / "walk.db", DATABASE_URL=url))
        yield app
        db.database(app).dispose()


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Return each route and method the app answers, pages first and session-ending forms
    last."""
    found = [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - IMPLIED)
    ]
    return sorted(found, key=lambda r: (r[1] != "GET", r[0].endpoint in LAST, r[0].rule, r[1]))


def unfillable(app: Flask) -> list[str]:
    """Return the routes whose arguments the walk has no real values for."""
    return sorted(
        f"{rule.endpoint} ({rule.rule}): no values for {', '.join(sorted(rule.arguments))}"
        for rule, _method in routes(app)
        if frozenset(rule.arguments) not in ARGUMENTS
    )


def addresses(app: Flask, demo: Demo, rule: Rule, method: str) -> list[str]:
    """Return every address the walk asks of a route: each set of real arguments, and for a
    page that reads its query, each query string it is asked with too."""
    adapter = app.url_map.bind("localhost")
    built = [
        adapter.build(rule.endpoint, values, method=method)
        for values in ARGUMENTS[frozenset(rule.arguments)](app, demo)
    ]
    queries = _query(demo, app).get(rule.endpoint, []) if method == "GET" else []
    return built + [f"{path}?{query}" for path in built for query in queries]


@dataclass
class Walk:
    """One person's walk through every route, and the server errors met on it."""

    app: Flask
    client: FlaskClient
    headers: dict[str, str]
    errors: list[str] = field(default_factory=list)
    answers: dict[tuple[str, str], int] = field(default_factory=dict)

    def ask(self, method: str, url: str, **body: Any) -> None:
        headers = self.headers if url.startswith("/api/") else {}
        try:
            status = self.client.open(url, method=method, headers=headers, **body).status_code
        except Exception as exc:  # noqa: BLE001 - a raised exception is the 500 to report
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            self.errors.append(f"{method} {url}: {type(exc).__name__}: {exc} ({where})")
            with self.app.app_context():
                db.session().rollback()
            return
        self.answers.setdefault((method, url), status)
        if status >= 500:
            self.errors.append(f"{method} {url}: {status}")


def walk(app: Flask, demo: Demo, who: str) -> Walk:
    client = _client(app, demo, who)
    token = form_token(client)
    headers = {"Authorization": f"Bearer {demo.tokens[who]}"} if who != VISITOR else {}
    person = Walk(app, client, headers)
    for rule, method in routes(app):
        for url in addresses(app, demo, rule, method):
            if method == "GET":
                person.ask(method, url)
            elif url.startswith("/api/"):
                person.ask(method, url, json={})
            else:
                person.ask(method, url, data={})
                person.ask(method, url, data={"csrf_token": token})
    return person


def test_every_route_has_real_values_for_its_arguments(served: Flask) -> None:
    assert unfillable(served) == []


def test_the_walk_asks_for_strengths_of_every_kind_and_status(served: Flask, demo: Demo) -> None:
    with served.app_context():
        query = sa.select(Asset.kind, Asset.status).where(Asset.id.in_(demo.assets))
        asked = set(db.session().execute(query))
    statuses = (Status.PUBLISHED, Status.HIDDEN, Status.WITHDRAWN)
    assert asked == {(kind, status) for kind in Kind for status in statuses}


@pytest.mark.parametrize("who", ROLES)
def test_no_route_answers_a_server_error(served: Flask, demo: Demo, who: str) -> None:
    if missing := unfillable(served):
        pytest.fail("The walk cannot fill these routes: " + "; ".join(missing))
    done = walk(served, demo, who)
    assert done.errors == [], f"{who} met {len(done.errors)} server errors:\n" + "\n".join(
        done.errors
    )
    assert done.answers[("GET", "/account")] == (302 if who == VISITOR else 200)


@contextlib.contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """Record every SQL statement the app runs meanwhile: through SQLAlchemy, and on SQLite
    also what the driver runs directly (a nearby search's read connection)."""
    seen: list[str] = []
    engine = db.database(app).engine

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    def connected(driver: Any, _record: Any) -> None:
        driver.set_trace_callback(seen.append)

    sa.event.listen(engine, "before_cursor_execute", executed)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", connected)
        engine.dispose()
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", executed)
        if engine.dialect.name == "sqlite":
            sa.event.remove(engine, "connect", connected)
            engine.dispose()


@pytest.mark.parametrize("who", [who for who in ROLES if who != "resident"])
def test_no_route_reads_a_skills_exact_point_for_anyone_but_its_owner(
    served: Flask, demo: Demo, who: str
) -> None:
    with statements(served) as seen:
        walk(served, demo, who)
    assert seen, "the walk ran no SQL: the recording is broken"
    reads = sorted({" ".join(s.split())[:160] for s in seen if READS_EXACT_POINT.search(s)})
    assert reads == [], f"{who} read the exact point:\n" + "\n".join(reads)


def test_the_owners_own_pages_do_read_their_skills_exact_point(served: Flask, demo: Demo) -> None:
    with statements(served) as seen:
        walk(served, demo, "resident")
    assert any(READS_EXACT_POINT.search(statement) for statement in seen)
