from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner

from assetmap.domain.vocab import Kind, Role
from assetmap.storage import stats
from assetmap.storage import users as user_store
from assetmap.web import db


def test_init_db_is_idempotent(runner: FlaskCliRunner) -> None:
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0
        assert "The sqlite database is up to date." in result.output


def test_seed_demo_loads_the_neighbourhood_once(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "demo strengths" in result.output
    with app.app_context(), db.database().session() as session:
        counts = stats.count_by_kind(session)
    assert sum(counts.values()) >= 300
    assert all(counts[kind] > 30 for kind in Kind)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "the demo was not loaded again" in again.output


def test_create_user_with_a_role(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "Planner@Example.ORG", "--role", "planner", "--name", "Pat"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context(), db.database().session() as session:
        user = user_store.get_user_by_email(session, "planner@example.org")
    assert user is not None and user.role is Role.PLANNER and user.display_name == "Pat"


def test_create_user_refuses_a_bad_role_or_a_taken_address(runner: FlaskCliRunner) -> None:
    bad = runner.invoke(args=["create-user", "a@example.org", "--role", "mayor"])
    assert bad.exit_code != 0
    assert "role: must be one of resident, coach, planner, admin" in bad.output
    runner.invoke(args=["create-user", "a@example.org"])
    taken = runner.invoke(args=["create-user", "a@example.org"])
    assert "email: a@example.org already has an account" in taken.output
