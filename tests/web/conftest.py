"""Fixtures the web tests share: the trust world and an app serving a copy of it, and an app
serving a copy of the demo register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from assetmap import create_app
from assetmap.web import db
from tests.exchange.helpers import copy_of, demo_template
from tests.trust.world import World, build, config, copy


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build(tmp_path_factory.mktemp("world"))


@pytest.fixture
def served(world: World, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(config(copy(world, tmp_path)))
    yield app
    db.database(app).dispose()


@pytest.fixture
def demo_register(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """An app serving its own copy of the demo register, with its own instance folder."""
    copy_of(demo_template(tmp_path_factory), tmp_path, "register.db").dispose()
    monkeypatch.setenv("ASSETMAP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'register.db'}",
            "SECRET_KEY": "test",
        }
    )
    yield app
    db.database(app).dispose()
