"""Trust and safety through the web: reports, moderation, history, roles, freshness, limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap import create_app
from assetmap.domain.vocab import Action, Status
from assetmap.storage import assets as store
from assetmap.storage.models import Asset, Revision, RoleChange, User
from assetmap.web import db
from tests.trust.world import World, client_as, config, copy
from tests.web.helpers import form_token, stored


def serve(world: World, folder: Path, **extra: object) -> Flask:
    return create_app(config(copy(world, folder), **extra))


def client_for(app: Flask, world: World, who: str) -> tuple[FlaskClient, str]:
    client = client_as(app, world, who)
    return client, form_token(client)


def outbox(app: Flask) -> list[str]:
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    return [path.read_text() for path in sorted(folder.glob("*.eml"))] if folder.exists() else []


def test_a_visitor_reports_a_strength_and_an_admin_sees_it_in_the_queue(
    served: Flask, world: World
) -> None:
    visitor, token = client_for(served, world, "visitor")
    data = {"problem": "abusive", "reason": "It names a neighbour rudely", "csrf_token": token}
    assert visitor.post(f"/assets/{world.ids['skill']}/report", data=data).status_code == 302
    admin, _ = client_for(served, world, "admin")
    assert "It names a neighbour rudely" in admin.get("/moderation").get_data(as_text=True)


def test_a_report_without_a_reason_is_refused_beside_the_field(served: Flask, world: World) -> None:
    visitor, token = client_for(served, world, "visitor")
    data = {"problem": "wrong", "reason": "", "csrf_token": token}
    response = visitor.post(f"/assets/{world.ids['skill']}/report", data=data)
    assert response.status_code == 400
    assert "Say what is wrong" in response.get_data(as_text=True)


def test_hiding_needs_a_reason_and_changes_nothing_without_one(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    response = admin.post(
        f"/moderation/assets/{world.ids['group']}/hide", data={"reason": " ", "csrf_token": token}
    )
    assert response.status_code == 400
    assert stored(served, world.ids["group"]).status is Status.PUBLISHED


def test_a_hidden_strength_tells_its_owner_why_and_can_be_restored(
    served: Flask, world: World
) -> None:
    admin, token = client_for(served, world, "admin")
    reason = "The meeting place closed in May"
    hide = {"reason": reason, "csrf_token": token}
    assert admin.post(f"/moderation/assets/{world.ids['group']}/hide", data=hide).status_code == 302
    assert served.test_client().get(f"/assets/{world.ids['group']}").status_code == 404
    assert any(reason in message for message in outbox(served))
    owner, owner_token = client_for(served, world, "owner")
    assert reason in owner.get("/strengths/mine").get_data(as_text=True)
    answer = {"answer": "We meet at the library now", "csrf_token": owner_token}
    assert owner.post(f"/strengths/{world.ids['group']}/answer", data=answer).status_code == 302
    assert "We meet at the library now" in admin.get("/moderation").get_data(as_text=True)
    restore = {"csrf_token": token}
    path = f"/moderation/assets/{world.ids['group']}/restore"
    assert admin.post(path, data=restore).status_code == 302
    assert served.test_client().get(f"/assets/{world.ids['group']}").status_code == 200


def test_hiding_and_restoring_are_revisions_with_the_reason(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    hide = {"reason": "Duplicate of another group", "csrf_token": token}
    admin.post(f"/moderation/assets/{world.ids['group']}/hide", data=hide)
    admin.post(f"/moderation/assets/{world.ids['group']}/restore", data={"csrf_token": token})
    with served.app_context():
        rows = db.session().execute(
            sa.select(Revision.action, Revision.reason, Revision.user_id)
            .where(Revision.asset_id == world.ids["group"])
            .order_by(Revision.id)
        )
        tail = [tuple(row) for row in rows][-2:]
    assert tail == [
        (Action.HIDE, "Duplicate of another group", world.users["admin"]),
        (Action.RESTORE, "", world.users["admin"]),
    ]


def test_an_admin_restores_an_earlier_version_as_a_new_revision(
    served: Flask, world: World
) -> None:
    admin, token = client_for(served, world, "admin")
    edit = {"csrf_token": token}
    page = admin.get(f"/strengths/{world.ids['group']}/edit").get_data(as_text=True)
    assert "Frome choir" in page
    before = len(asset_revisions(served, world.ids["group"]))
    with served.app_context():
        session = db.session()
        store.update_asset(
            session, world.ids["group"], {"title": "Vandalised"}, by=None, cell_m=400.0
        )
        session.commit()
        first = asset_revisions(served, world.ids["group"])[0]
    path = f"/assets/{world.ids['group']}/history/{first}/restore"
    assert admin.post(path, data=edit).status_code == 302
    assert stored(served, world.ids["group"]).title == "Frome choir"
    # The vandalism and the restoring are each a revision of their own.
    assert len(asset_revisions(served, world.ids["group"])) == before + 2


def asset_revisions(app: Flask, asset_id: int) -> list[int]:
    with app.app_context():
        query = sa.select(Revision.id).where(Revision.asset_id == asset_id).order_by(Revision.id)
        return list(db.session().scalars(query))


def test_an_admin_changes_a_role_and_the_change_is_recorded(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    data = {"role": "coach", "moderates": "y", "csrf_token": token}
    assert admin.post(f"/admin/users/{world.users['resident']}", data=data).status_code == 302
    with served.app_context():
        session = db.session()
        user = session.get(User, world.users["resident"])
        change = session.scalars(sa.select(RoleChange)).one()
        assert (user.role.value, user.moderates) == ("coach", True)  # type: ignore[union-attr]
        assert change.changed_by == world.users["admin"]
        assert change.changes == {"role": ["resident", "coach"], "moderates": [False, True]}


def test_a_role_the_app_does_not_have_is_refused(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    data = {"role": "superuser", "csrf_token": token}
    assert admin.post(f"/admin/users/{world.users['resident']}", data=data).status_code == 400
    with served.app_context():
        assert db.session().get(User, world.users["resident"]).role.value == "resident"  # type: ignore[union-attr]


def test_nobody_changes_their_own_role(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    data = {"role": "resident", "csrf_token": token}
    assert admin.post(f"/admin/users/{world.users['admin']}", data=data).status_code == 400


def test_a_moderating_coach_sees_the_queue(served: Flask, world: World) -> None:
    admin, token = client_for(served, world, "admin")
    data = {"role": "coach", "moderates": "y", "csrf_token": token}
    admin.post(f"/admin/users/{world.users['coach']}", data=data)
    coach, _ = client_for(served, world, "coach")
    assert coach.get("/moderation").status_code == 200


def age(app: Flask, asset_id: int, days: int) -> None:
    with app.app_context():
        session = db.session()
        found = session.get(Asset, asset_id)
        found.last_confirmed = dt.date.today() - dt.timedelta(days=days)  # type: ignore[union-attr]
        session.commit()


def test_an_old_strength_shows_as_unconfirmed_on_its_page_and_in_the_api(
    served: Flask, world: World
) -> None:
    age(served, world.ids["group"], 400)
    client = served.test_client()
    assert "Unconfirmed" in client.get(f"/assets/{world.ids['group']}").get_data(as_text=True)
    feature = client.get(f"/api/assets/{world.ids['group']}").get_json()
    assert feature["properties"]["unconfirmed"] is True


def test_freshness_reminds_an_owner_once_per_interval(served: Flask, world: World) -> None:
    age(served, world.ids["group"], 200)
    runner = served.test_cli_runner()
    first = runner.invoke(args=["freshness"])
    second = runner.invoke(args=["freshness"])
    assert "Reminded the owners of 1 strengths; hid 0." in first.output
    assert "Reminded the owners of 0 strengths; hid 0." in second.output
    assert sum("still current?" in message for message in outbox(served)) == 1


def test_freshness_hides_a_long_unconfirmed_strength_with_the_reason(
    served: Flask, world: World
) -> None:
    age(served, world.ids["group"], 600)
    result = served.test_cli_runner().invoke(args=["freshness"])
    assert "hid 1." in result.output
    hidden = stored(served, world.ids["group"])
    assert hidden.status is Status.HIDDEN
    assert hidden.hidden_reason.startswith("Not confirmed as still current since")


def test_confirming_a_strength_hidden_for_being_unconfirmed_shows_it_again(
    served: Flask, world: World
) -> None:
    age(served, world.ids["group"], 600)
    served.test_cli_runner().invoke(args=["freshness"])
    owner, token = client_for(served, world, "owner")
    owner.post(f"/strengths/{world.ids['group']}/confirm", data={"csrf_token": token})
    assert stored(served, world.ids["group"]).status is Status.PUBLISHED


def test_too_many_sign_ins_are_answered_429_with_a_page(world: World, tmp_path: Path) -> None:
    app = serve(world, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="3 per minute")
    client, token = client_for(app, world, "visitor")
    data = {"email": "resident@example.org", "password": "wrong", "csrf_token": token}
    statuses = [client.post("/sign-in", data=data).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    last = client.post("/sign-in", data=data)
    assert "text/html" in last.content_type and "Retry-After" in last.headers


def test_too_many_api_writes_are_answered_429_with_the_json_error(
    world: World, tmp_path: Path
) -> None:
    app = serve(world, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_WRITE="2 per minute")
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {world.tokens['resident']}"}
    statuses = [client.post("/api/assets", json={}, headers=bearer).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    body = client.post("/api/assets", json={}, headers=bearer).get_json()
    assert body["error"]["status"] == 429


def test_a_write_says_where_its_address_stands_and_a_read_is_not_counted(
    world: World, tmp_path: Path
) -> None:
    app = serve(world, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_WRITE="2 per minute")
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {world.tokens['resident']}"}
    reads = [client.get("/api/assets") for _ in range(5)]
    assert [r.status_code for r in reads] == [200] * 5
    assert not any("X-RateLimit-Limit" in r.headers for r in reads)
    first, second, refused = (client.post("/api/assets", json={}, headers=bearer) for _ in "abc")
    assert [first.headers["X-RateLimit-Remaining"], second.headers["X-RateLimit-Remaining"]] == [
        "1",
        "0",
    ]
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60


def test_an_endpoint_with_its_own_limit_does_not_spend_the_shared_one(
    world: World, tmp_path: Path
) -> None:
    app = serve(
        world,
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_WRITE="1 per minute",
        RATELIMIT_SIGN_IN="2 per minute",
    )
    client, token = client_for(app, world, "visitor")
    data = {"email": "resident@example.org", "password": "wrong", "csrf_token": token}
    assert [client.post("/sign-in", data=data).status_code for _ in range(3)] == [400, 400, 429]
    bearer = {"Authorization": f"Bearer {world.tokens['resident']}"}
    statuses = [client.post("/api/assets", json={}, headers=bearer).status_code for _ in range(2)]
    assert statuses == [400, 429]


def test_reports_are_limited_per_address(world: World, tmp_path: Path) -> None:
    app = serve(world, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_REPORT="1 per minute")
    client, token = client_for(app, world, "visitor")
    data = {"problem": "wrong", "reason": "Closed", "csrf_token": token}
    path = f"/assets/{world.ids['skill']}/report"
    assert [client.post(path, data=data).status_code for _ in range(2)] == [302, 429]


def test_an_oversized_form_is_refused_with_413(served: Flask, world: World) -> None:
    client, token = client_for(served, world, "visitor")
    data = {"problem": "wrong", "reason": "x" * (2 * 1024 * 1024), "csrf_token": token}
    response = client.post(f"/assets/{world.ids['skill']}/report", data=data)
    assert response.status_code == 413


def test_an_oversized_api_body_is_refused_with_the_json_error(served: Flask, world: World) -> None:
    bearer = {"Authorization": f"Bearer {world.tokens['resident']}"}
    body = b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = served.test_client().post(
        "/api/assets", data=body, headers=bearer, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_the_published_development_key_is_refused_outside_development(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="ASSETMAP_SECRET_KEY"):
        create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "dev-only-change-me"})


def test_without_a_key_one_is_made_and_kept_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("ASSETMAP_SECRET_KEY", raising=False)
    first = create_app({"DATABASE_URL": sqlite_url}).config["SECRET_KEY"]
    second = create_app({"DATABASE_URL": sqlite_url}).config["SECRET_KEY"]
    assert len(first) == 64 and first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
