"""Personal API tokens: made for a person, shown to them once, kept only as a hash.

A token is 32 random bytes, so a SHA-256 of it is as hard to guess as the token itself and can
be looked up directly: the lookup compares hashes, never the secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _
from assetmap.storage.database import begin_write
from assetmap.storage.models import ApiToken, utcnow

PREFIX = "amt_"
NAME_MAX = 100
TOKENS_MAX = 20
# Last use is written at most this often, so reading with a token rarely takes a write lock.
TOUCH_EVERY = dt.timedelta(hours=1)
_SHAPE = re.compile(r"^amt_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class NewToken:
    """A token just made: the stored row and the secret, which is never kept."""

    token: ApiToken
    secret: str


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 a token is stored and looked up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_name(name: str) -> str:
    """Return a token's name trimmed, or raise ValueError saying what is wrong."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError(_("enter a name that says what the token is for"))
    if len(name) > NAME_MAX:
        raise ValueError(f"must be at most {NAME_MAX} characters, got {len(name)}")
    return name


def create_token(session: orm.Session, user_id: int, name: str) -> NewToken:
    """Make a token for a user; the secret is returned once and only its hash is stored."""
    try:
        name = check_name(name)
    except ValueError as exc:
        raise ValidationError({"name": str(exc)}) from None
    begin_write(session)
    if len(list_tokens(session, user_id)) >= TOKENS_MAX:
        raise ValidationError(
            {"name": _("you have %(most)d tokens; revoke one first", most=TOKENS_MAX)}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id, name=name, token_hash=hash_secret(secret), created_at=utcnow()
    )
    session.add(token)
    session.flush()
    return NewToken(token, secret)


def find_token(session: orm.Session, secret: str) -> ApiToken | None:
    """Return the live (unrevoked) token with this secret, or None."""
    if not _SHAPE.match(secret):
        return None
    digest = hash_secret(secret)
    token = session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
    )
    # The lookup is by hash; the final comparison is also constant-time, whatever the index does.
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    return token


def needs_touch(token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Return whether the token's last use is unrecorded or older than ``TOUCH_EVERY``."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def touch_token(session: orm.Session, token_id: int, now: dt.datetime | None = None) -> None:
    """Record that a token was used now."""
    begin_write(session)
    session.execute(
        sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now or utcnow())
    )


def list_tokens(session: orm.Session, user_id: int) -> list[ApiToken]:
    """Return a user's live tokens, newest first."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(session.scalars(query))


def revoke_all(session: orm.Session, user_id: int) -> int:
    """Revoke every live token a user holds; return how many there were."""
    begin_write(session)
    result = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def revoke_token(session: orm.Session, user_id: int, token_id: int) -> bool:
    """Revoke one of a user's own tokens; return False if they hold no such live token."""
    begin_write(session)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    session.flush()
    return True
