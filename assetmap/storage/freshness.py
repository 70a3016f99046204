"""Keeping strengths current: remind owners once per interval, hide long-unconfirmed ones.

Never deletes: a stale strength is hidden with the reason, and its owner can bring it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.freshness import Freshness, stale_reason
from assetmap.domain.vocab import Status
from assetmap.storage.db import begin_write
from assetmap.storage.models import Asset, User, utcnow
from assetmap.storage.moderation import hide_asset

# (to, subject, body) -> None: how the caller sends mail.
Send = Callable[[str, str, str], None]
Compose = Callable[[str, Asset], tuple[str, str]]


@dataclass(frozen=True)
class FreshnessRun:
    """What one run did."""

    reminded: int
    hidden: int


def due_reminders(session: orm.Session, freshness: Freshness, today: dt.date) -> list[Asset]:
    """Return published, owned strengths due a reminder: unconfirmed and not reminded lately."""
    cutoff = freshness.remind_before(today)
    since = dt.datetime.combine(cutoff, dt.time(), tzinfo=dt.UTC)
    query = (
        sa.select(Asset)
        .where(
            Asset.status == Status.PUBLISHED,
            Asset.owner_id.is_not(None),
            Asset.last_confirmed <= cutoff,
            sa.or_(Asset.reminded_at.is_(None), Asset.reminded_at <= since),
        )
        .order_by(Asset.id)
    )
    return list(session.scalars(query))


def stale(session: orm.Session, freshness: Freshness, today: dt.date) -> list[Asset]:
    """Return published strengths not confirmed for longer than the hiding interval."""
    query = (
        sa.select(Asset)
        .where(
            Asset.status == Status.PUBLISHED, Asset.last_confirmed < freshness.hide_before(today)
        )
        .order_by(Asset.id)
    )
    return list(session.scalars(query))


def run_freshness(
    session: orm.Session,
    freshness: Freshness,
    today: dt.date,
    send: Send,
    compose: Compose,
) -> FreshnessRun:
    """Hide stale strengths (telling owners why), then remind owners of the rest that are due.

    ``compose(what, asset)`` returns the subject and body of a "remind" or "hidden" message.
    """
    begin_write(session)
    hidden = 0
    for asset in stale(session, freshness, today):
        hide_asset(
            session,
            asset.id,
            by=None,
            reason=stale_reason(asset.last_confirmed, freshness.hide_days),
        )
        _tell(session, asset, "hidden", send, compose)
        hidden += 1
    reminded = 0
    now = utcnow()
    for asset in due_reminders(session, freshness, today):
        _tell(session, asset, "remind", send, compose)
        asset.reminded_at = now
        reminded += 1
    session.flush()
    return FreshnessRun(reminded=reminded, hidden=hidden)


def _tell(session: orm.Session, asset: Asset, what: str, send: Send, compose: Compose) -> None:
    owner = session.get(User, asset.owner_id) if asset.owner_id is not None else None
    if owner is not None:
        subject, body = compose(what, asset)
        send(owner.email, subject, body)
