"""The people commands: accounts that can sign in at once, new passwords and roles, and the
demo's staff printed with passwords made for each database."""

from __future__ import annotations

import os
import re
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from assetmap import create_app
from assetmap.storage import users as user_store
from assetmap.storage.models import Asset, RoleChange, User
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template
from tests.web.helpers import PASSWORD, add_user, count, export, post, sign_in_as, text

NEW = "a brand new phrase"
REPOSITORY = Path(__file__).resolve().parents[1]
FLASK = Path(sys.executable).with_name("flask")


def signs_in(app: Flask, email: str, password: str) -> FlaskClient | None:
    """Return a client signed in through the sign-in form, or None where it was refused."""
    client = app.test_client()
    answer = post(client, "/sign-in", email=email, password=password)
    return client if answer.status_code == 302 else None


def create(runner: FlaskCliRunner, *args: str, given: str | None = None) -> Result:
    return runner.invoke(args=["create-user", *args], input=given)


def test_create_user_with_a_password_piped_signs_in_at_once(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = create(runner, "pat@example.org", "--role", "planner", "--password", given=NEW)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created planner pat@example.org (id 1).\n"
    client = signs_in(app, "pat@example.org", NEW)
    assert client is not None
    assert client.get("/checks/new").status_code == 200


def test_a_resident_made_at_the_console_counts_as_confirmed(
    app: Flask, runner: FlaskCliRunner
) -> None:
    create(runner, "ann@example.org", "--password", given=f"{NEW}\n")
    client = signs_in(app, "ann@example.org", NEW)
    assert client is not None
    assert client.get("/strengths/new").status_code == 200


@pytest.mark.parametrize("given", [f"{NEW}\n{NEW}\n", f"{NEW}\r\n{NEW}\r\n", f"{NEW}\n{NEW}"])
def test_the_password_may_be_piped_twice(app: Flask, runner: FlaskCliRunner, given: str) -> None:
    assert create(runner, "ann@example.org", "--password", given=given).exit_code == 0
    assert signs_in(app, "ann@example.org", NEW) is not None


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (f"{NEW}\na brand new phrasE\n", "password: the two passwords are not the same"),
        ("too short\ntoo short\n", "password: must be at least 10 characters"),
        ("x" * 201, "password: must be at most 200 characters"),
        ("", "password: standard input was empty"),
        (f"{NEW}\n{NEW}\n{NEW}\n", "password: standard input held more than a password"),
        ("y" * 5000, "password: standard input held more than a password"),
    ],
)
def test_a_refused_password_says_why_and_adds_nobody(
    app: Flask, runner: FlaskCliRunner, given: str, reason: str
) -> None:
    result = create(runner, "ann@example.org", "--role", "coach", "--password", given=given)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {reason}")
    assert count(app, User) == 0


def test_a_password_given_as_an_argument_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = create(runner, "ann@example.org", "--password", NEW)
    assert result.exit_code == 2
    assert count(app, User) == 0


def test_a_taken_address_is_refused_before_the_password_is_asked(
    app: Flask, runner: FlaskCliRunner
) -> None:
    add_user(app, "ann@example.org")
    result = create(runner, "ann@example.org", "--password", given=NEW)
    assert result.stderr == "Error: email: ann@example.org already has an account\n"
    assert signs_in(app, "ann@example.org", PASSWORD) is not None


def test_create_user_without_a_password_says_how_to_give_one(runner: FlaskCliRunner) -> None:
    result = create(runner, "ann@example.org")
    assert "flask --app assetmap set-password ann@example.org" in result.stdout


def test_set_password_signs_the_person_out_everywhere(app: Flask, runner: FlaskCliRunner) -> None:
    add_user(app, "ann@example.org")
    before = app.test_client()
    sign_in_as(before, "ann@example.org")
    assert before.get("/account").status_code == 200
    result = runner.invoke(args=["set-password", "ann@example.org"], input=NEW)
    assert result.exit_code == 0, result.output
    assert before.get("/account").status_code == 302
    assert signs_in(app, "ann@example.org", PASSWORD) is None
    assert signs_in(app, "ann@example.org", NEW) is not None


def test_set_password_for_nobody_says_so(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["set-password", "nobody@example.org"], input=NEW)
    assert result.exit_code == 1
    assert result.stderr == "Error: email: no account has the address 'nobody@example.org'\n"


def test_set_password_refuses_a_short_one_and_keeps_the_old(
    app: Flask, runner: FlaskCliRunner
) -> None:
    add_user(app, "ann@example.org")
    result = runner.invoke(args=["set-password", "ann@example.org"], input="short\n")
    assert result.stderr == "Error: password: must be at least 10 characters\n"
    assert signs_in(app, "ann@example.org", PASSWORD) is not None


@pytest.fixture
def register(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app serving its own copy of the demo register."""
    copy_of(demo_template(tmp_path_factory), tmp_path, "register.db").dispose()
    url = f"sqlite:///{tmp_path / 'register.db'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test"})
    yield app
    db.database(app).dispose()


def test_set_role_limits_a_planner_to_their_neighbourhoods(register: Flask) -> None:
    add_user(register, "pat@example.org")
    args = ["set-role", "pat@example.org", "planner", "--neighbourhood", "frome-keyford"]
    result = register.test_cli_runner().invoke(args=[*args, "--neighbourhood", "Park"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pat@example.org is now a planner in Keyford and Park.")
    client = signs_in(register, "pat@example.org", PASSWORD)
    assert client is not None
    features = orjson.loads(export(client).get_data())["features"]
    assert {f["properties"]["neighbourhood"] for f in features} == {"Keyford", "Park"}


def test_set_role_is_shown_among_the_role_changes(register: Flask) -> None:
    add_user(register, "pat@example.org")
    add_user(register, "boss@example.org", "admin")
    runner = register.test_cli_runner()
    runner.invoke(args=["set-role", "pat@example.org", "planner", "--neighbourhood", "Keyford"])
    admin = signs_in(register, "boss@example.org", PASSWORD)
    assert admin is not None
    page = text(admin.get("/admin/users").get_data(as_text=True))
    assert "Role: Resident to Planner" in page
    assert "Neighbourhoods: All to Keyford" in page


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["nobody@example.org", "coach"],
            "email: no account has the address 'nobody@example.org'",
        ),
        (["pat@example.org", "mayor"], "role: must be one of resident, coach, planner, admin"),
        (
            ["pat@example.org", "planner", "--neighbourhood", "Atlantis"],
            "neighbourhood: 'Atlantis' is unknown; choose a code from: frome-berkley-down",
        ),
        (
            ["pat@example.org", "resident", "--neighbourhood", "Keyford"],
            "neighbourhood: only a coach, planner or admin can be limited to neighbourhoods",
        ),
    ],
)
def test_set_role_refuses_what_it_does_not_know_naming_it(
    register: Flask, args: list[str], said: str
) -> None:
    add_user(register, "pat@example.org", "coach")
    result = register.test_cli_runner().invoke(args=["set-role", *args])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {said}")
    assert count(register, RoleChange) == 0


def test_the_same_role_again_changes_nothing(register: Flask) -> None:
    add_user(register, "pat@example.org", "admin")
    result = register.test_cli_runner().invoke(args=["set-role", "pat@example.org", "admin"])
    assert result.stdout == "pat@example.org is already an admin; nothing changed.\n"
    assert count(register, RoleChange) == 0


def _read_until(fd: int, wanted: bytes, seen: bytearray, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {wanted!r} within {seconds} s; saw {bytes(seen)!r}"
        seen += os.read(fd, 4096)


def test_at_a_terminal_the_password_is_asked_twice_and_never_shown(tmp_path: Path) -> None:
    environ = os.environ | {
        "ASSETMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'tty.db'}",
        "ASSETMAP_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    args = [str(FLASK), "--app", "assetmap"]
    subprocess.run([*args, "init-db"], env=environ, check=True, capture_output=True)
    main, terminal = os.openpty()
    command = [*args, "create-user", "ann@example.org", "--password"]
    with subprocess.Popen(
        command,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=environ,
        start_new_session=True,
    ) as process:
        os.close(terminal)
        seen = bytearray()
        _read_until(main, b"New password: ", seen)
        os.write(main, f"{NEW}\n".encode())
        _read_until(main, b"The same password again: ", seen)
        os.write(main, f"{NEW}\n".encode())
        _read_until(main, b"Created resident ann@example.org", seen)
        assert process.wait(timeout=30) == 0
    os.close(main)
    assert NEW.encode() not in seen
    app = create_app({"TESTING": True, "DATABASE_URL": environ["ASSETMAP_DATABASE_URL"]})
    with app.app_context(), db.database().session() as session:
        assert user_store.authenticate(session, "ann@example.org", NEW) is not None
    db.database(app).dispose()


def seeded(folder: Path, template: Path) -> tuple[Flask, str]:
    """Seed the demo into a new database with its own instance folder; return the app serving
    it and what seed-demo printed."""
    shutil.copy(template, folder / "demo.db")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSETMAP_INSTANCE_PATH", str(folder / "instance"))
        app = create_app(
            {"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}", "SECRET_KEY": "t"}
        )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return app, result.stdout


def sign_ins(printed: str) -> dict[str, tuple[str, str]]:
    """Return each role's email and password, as seed-demo's table shows them."""
    rows = re.findall(r"^  (resident|coach|planner|admin) +(\S+@\S+) +(\S+)$", printed, re.M)
    return {role: (email, password) for role, email, password in rows}


@pytest.fixture(scope="module")
def two_demos(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[list[tuple[Flask, str]]]:
    demos = [seeded(tmp_path_factory.mktemp(name), sqlite_template) for name in ("one", "two")]
    yield demos
    for app, _ in demos:
        db.database(app).dispose()


def test_seed_demo_prints_where_and_how_to_sign_in_in_each_role(
    two_demos: list[tuple[Flask, str]],
) -> None:
    _, printed = two_demos[0]
    assert "sign in at http://127.0.0.1:5000/sign-in as" in printed
    assert set(sign_ins(printed)) == {"resident", "coach", "planner", "admin"}
    assert sign_ins(printed)["admin"][0] == "sam.hollis@example.org"


def page_for(app: Flask, role: str) -> str:
    if role != "coach":
        return {"resident": "/strengths/new", "planner": "/checks/new", "admin": "/admin/users"}[
            role
        ]
    with app.app_context(), db.database().session() as session:
        return f"/connections/new?asset={session.scalar(sa.select(sa.func.min(Asset.id)))}"


@pytest.mark.parametrize("role", ["resident", "coach", "planner", "admin"])
def test_each_printed_sign_in_reaches_a_page_of_its_role(
    two_demos: list[tuple[Flask, str]], role: str
) -> None:
    app, printed = two_demos[0]
    email, password = sign_ins(printed)[role]
    client = signs_in(app, email, password)
    assert client is not None
    assert client.get(page_for(app, role)).status_code == 200


def test_each_database_gets_passwords_of_its_own(two_demos: list[tuple[Flask, str]]) -> None:
    first, second = (sign_ins(printed) for _, printed in two_demos)
    assert {email for email, _ in first.values()} == {email for email, _ in second.values()}
    assert not {word for _, word in first.values()} & {word for _, word in second.values()}
    app, _ = two_demos[1]
    email, password = first["admin"]
    assert signs_in(app, email, password) is None


def files_under(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        skipped = {".git", ".venv"} & set(path.relative_to(folder).parts)
        if path.is_file() and not skipped:
            yield path


def test_the_printed_passwords_are_kept_in_no_file(
    two_demos: list[tuple[Flask, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    passwords = [
        word.encode() for _, printed in two_demos for _, word in sign_ins(printed).values()
    ]
    folders = [REPOSITORY, tmp_path_factory.getbasetemp()]
    for path in (path for folder in folders for path in files_under(folder)):
        held = path.read_bytes()
        assert not [word for word in passwords if word in held], path


def test_seed_demo_on_a_loaded_register_says_how_to_get_in(
    two_demos: list[tuple[Flask, str]],
) -> None:
    app, _ = two_demos[0]
    again = app.test_cli_runner().invoke(args=["seed-demo"])
    assert "the demo was not loaded again" in again.stdout
    assert "  admin     flask --app assetmap set-password sam.hollis@example.org" in again.stdout
