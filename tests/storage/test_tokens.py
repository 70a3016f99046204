from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.storage import tokens, users
from assetmap.storage.models import ApiToken, utcnow


@pytest.fixture
def ann_id(session: orm.Session) -> int:
    user = users.create_user(session, "ann@example.org")
    session.commit()
    return user.id


def test_only_a_hash_of_the_token_is_stored(session: orm.Session, ann_id: int) -> None:
    made = tokens.create_token(session, ann_id, "survey script")
    session.commit()
    stored = session.execute(sa.select(ApiToken.name, ApiToken.token_hash)).all()
    assert stored == [("survey script", tokens.hash_secret(made.secret))]
    assert made.secret not in stored[0].token_hash
    assert made.secret.startswith("amt_") and len(made.secret) == 47


def test_the_secret_finds_its_token_and_holder(session: orm.Session, ann_id: int) -> None:
    made = tokens.create_token(session, ann_id, "survey script")
    session.commit()
    found = tokens.find_token(session, made.secret)
    assert found is not None and found.user_id == ann_id and found.user.email == "ann@example.org"


@pytest.mark.parametrize("secret", ["", "amt_", "Bearer", "amt_" + "A" * 43, "x" * 5000])
def test_a_wrong_or_malformed_secret_finds_nothing(
    session: orm.Session, ann_id: int, secret: str
) -> None:
    tokens.create_token(session, ann_id, "survey script")
    session.commit()
    assert tokens.find_token(session, secret) is None


def test_a_revoked_token_no_longer_works(session: orm.Session, ann_id: int) -> None:
    made = tokens.create_token(session, ann_id, "survey script")
    session.commit()
    assert tokens.revoke_token(session, ann_id, made.token.id)
    session.commit()
    assert tokens.find_token(session, made.secret) is None
    assert tokens.list_tokens(session, ann_id) == []


def test_nobody_can_revoke_someone_elses_token(session: orm.Session, ann_id: int) -> None:
    bob = users.create_user(session, "bob@example.org")
    made = tokens.create_token(session, ann_id, "survey script")
    session.commit()
    assert not tokens.revoke_token(session, bob.id, made.token.id)
    session.commit()
    assert tokens.find_token(session, made.secret) is not None


def test_tokens_are_listed_newest_first(session: orm.Session, ann_id: int) -> None:
    for name in ("first", "second"):
        tokens.create_token(session, ann_id, name)
        session.commit()
    assert [t.name for t in tokens.list_tokens(session, ann_id)] == ["second", "first"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("   ", "enter a name that says what the token is for"),
        ("x" * 101, "must be at most 100 characters, got 101"),
    ],
)
def test_a_token_needs_a_name(session: orm.Session, ann_id: int, name: str, reason: str) -> None:
    with pytest.raises(ValidationError) as refused:
        tokens.create_token(session, ann_id, name)
    assert refused.value.errors == {"name": reason}


def test_last_use_is_recorded_at_most_hourly(session: orm.Session, ann_id: int) -> None:
    made = tokens.create_token(session, ann_id, "survey script")
    session.commit()
    assert tokens.needs_touch(made.token)
    used = utcnow()
    tokens.touch_token(session, made.token.id, now=used)
    session.commit()
    session.refresh(made.token)
    assert made.token.last_used_at == used
    assert not tokens.needs_touch(made.token, now=used + dt.timedelta(minutes=59))
    assert tokens.needs_touch(made.token, now=used + dt.timedelta(hours=1))
