"""Reading and writing users."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain import passwords
from assetmap.domain.errors import ValidationError
from assetmap.domain.users import check_email, check_user
from assetmap.domain.vocab import Role
from assetmap.storage.database import begin_write
from assetmap.storage.models import User, utcnow

PASSWORD_MIN = 10
PASSWORD_MAX = 200
# Checked against when no such user exists, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = passwords.hash_password("not a real password")


def get_user(session: orm.Session, user_id: int) -> User | None:
    """Return the user with this id, or None."""
    return session.get(User, user_id)


def check_password(password: str) -> str:
    """Return the password if it is long enough and not too long, or raise ValueError."""
    if len(password) < PASSWORD_MIN:
        raise ValueError(f"must be at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise ValueError(f"must be at most {PASSWORD_MAX} characters")
    return password


def hash_password(password: str) -> str:
    """Return a salted scrypt hash of a password that meets the rule."""
    return passwords.hash_password(check_password(password))


def new_password_hash(password: str) -> str:
    """Return a hash of a new password, or raise ValidationError saying why it is refused."""
    try:
        return hash_password(password)
    except ValueError as exc:
        raise ValidationError({"password": str(exc)}) from None


def set_password(user: User, password: str) -> None:
    """Store a salted scrypt hash of a new password, and end every session the person has."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End every session the person has, on every device: each carries the epoch it began in."""
    user.session_epoch = (user.session_epoch or 0) + 1


def confirm_email(user: User) -> None:
    """Record that the person has shown the address is theirs, unless already recorded."""
    if user.confirmed_at is None:
        user.confirmed_at = utcnow()


def authenticate(session: orm.Session, email: str, password: str) -> User | None:
    """Return the user whose address and password these are, or None."""
    user = get_user_by_email(session, email)
    hashed = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if passwords.password_matches(hashed, password) and user is not None and user.password_hash:
        return user
    return None


def require_user(session: orm.Session, email: str) -> User:
    """Return the user with this address, or raise ValidationError saying nobody has it."""
    user = get_user_by_email(session, email)
    if user is None:
        raise ValidationError({"email": f"no account has the address {email.strip()!r}"})
    return user


def set_password_of(session: orm.Session, email: str, password: str) -> User:
    """Give the person with this address a new password, ending every session they have, or
    raise ValidationError naming the address or the password and why, changing nothing."""
    hashed = new_password_hash(password)
    begin_write(session)
    user = require_user(session, email)
    user.password_hash = hashed
    end_sessions(user)
    session.flush()
    return user


def get_user_by_email(session: orm.Session, email: str) -> User | None:
    """Return the user with this address (the domain part compared without case), or None."""
    try:
        email = check_email(email)
    except ValueError:
        return None
    return session.scalar(sa.select(User).where(User.email == email))


def create_user(
    session: orm.Session,
    email: str,
    *,
    role: str = "resident",
    display_name: str = "",
    password_hash: str | None = None,
    confirmed: bool = True,
    password: str | None = None,
) -> User:
    """Add a user, refusing an address that is already taken.

    Someone who signs up themselves is added with ``confirmed=False`` until they follow the link
    mailed to them; a user an administrator adds is confirmed from the start. A ``password``
    is checked against the rule and stored as its hash, in place of ``password_hash``.
    """
    clean_email, clean_role, name = check_user(email, role, display_name)
    if password is not None:
        password_hash = new_password_hash(password)
    begin_write(session)
    _refuse_taken(session, clean_email)
    user = User(
        email=clean_email,
        role=clean_role,
        display_name=name,
        password_hash=password_hash,
        confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    return user


def check_new_user(
    session: orm.Session, email: str, role: str, display_name: str = ""
) -> tuple[str, Role, str]:
    """Return a clean ``(email, role, display_name)`` for a new account, or raise
    ValidationError naming each field that is wrong, an address already taken among them."""
    clean_email, clean_role, name = check_user(email, role, display_name)
    _refuse_taken(session, clean_email)
    return clean_email, clean_role, name


def _refuse_taken(session: orm.Session, email: str) -> None:
    if get_user_by_email(session, email) is not None:
        raise ValidationError({"email": f"{email} already has an account"})
