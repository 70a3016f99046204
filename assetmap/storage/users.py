"""Reading and writing users."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.users import check_email, check_user
from assetmap.storage.db import begin_write
from assetmap.storage.models import User


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
) -> User:
    """Add a user, refusing an address that is already taken."""
    clean_email, clean_role, name = check_user(email, role, display_name)
    begin_write(session)
    if get_user_by_email(session, clean_email) is not None:
        raise ValidationError({"email": f"{clean_email} already has an account"})
    user = User(email=clean_email, role=clean_role, display_name=name, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user
