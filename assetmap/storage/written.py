"""What a person wrote or had recorded about them outside their strengths, for "my data".

Each function returns plain JSON values, oldest first, and only the person's own records: the
reports they filed (not the reports others filed about their strengths, which are the
reporters'), their answers to moderators, their responses to strength checks with what staff
did about them, and the changes made to their role.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.storage.models import CheckResponse, OwnerAnswer, Report, RoleChange


def reports_filed(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return the reports the user filed, and what became of each."""
    query = sa.select(Report).where(Report.reporter_id == user_id).order_by(Report.id)
    fields = ("id", "asset_id", "problem", "reason", "created_at", "closed_at", "outcome")
    return [_plain(report, fields) for report in session.scalars(query)]


def answers_given(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return what the user answered moderators about their strengths."""
    query = sa.select(OwnerAnswer).where(OwnerAnswer.user_id == user_id).order_by(OwnerAnswer.id)
    return [_plain(answer, ("asset_id", "at", "text")) for answer in session.scalars(query)]


def responses_given(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return the user's responses to strength checks, with what was done about each."""
    query = (
        sa.select(CheckResponse).where(CheckResponse.user_id == user_id).order_by(CheckResponse.id)
    )
    fields = (
        "check_id",
        "created_at",
        "missed",
        "take_part",
        "comment",
        "acted_on_at",
        "action_note",
    )
    return [_plain(response, fields) for response in session.scalars(query)]


def role_changes_of(session: orm.Session, user_id: int) -> list[dict[str, Any]]:
    """Return each change made to the user's role, neighbourhoods or moderation."""
    query = sa.select(RoleChange).where(RoleChange.user_id == user_id).order_by(RoleChange.id)
    return [_plain(change, ("at", "changes")) for change in session.scalars(query)]


def _plain(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(row, name)) for name in fields}


def _value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value
