"""Keeping strengths current: remind owners once per interval, hide long-unconfirmed ones.

Never deletes: a stale strength is hidden with the reason, and its owner can bring it back.
Each owner gets one message listing their strengths, not one message per strength.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.freshness import Freshness, stale_reason
from assetmap.domain.vocab import Status
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, User, utcnow
from assetmap.storage.moderation import hide_asset

# (to, subject, body) -> None: how the caller sends mail.
Send = Callable[[str, str, str], None]
Compose = Callable[[str, list[Asset]], tuple[str, str]]


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

    ``compose(what, assets)`` returns the subject and body of a "remind" or "hidden" message
    about one owner's strengths; each owner gets at most one of each.
    """
    begin_write(session)
    hidden = stale(session, freshness, today)
    for asset in hidden:
        hide_asset(
            session,
            asset.id,
            by=None,
            reason=stale_reason(asset.last_confirmed, freshness.hide_days),
        )
    _tell(session, hidden, "hidden", send, compose)
    due = due_reminders(session, freshness, today)
    now = utcnow()
    for asset in due:
        asset.reminded_at = now
    _tell(session, due, "remind", send, compose)
    session.flush()
    return FreshnessRun(reminded=len(due), hidden=len(hidden))


def by_owner(assets: Iterable[Asset]) -> dict[int, list[Asset]]:
    """Return owned strengths grouped by owner, in the order given."""
    grouped: dict[int, list[Asset]] = {}
    for asset in assets:
        if asset.owner_id is not None:
            grouped.setdefault(asset.owner_id, []).append(asset)
    return grouped


def _tell(
    session: orm.Session, assets: list[Asset], what: str, send: Send, compose: Compose
) -> None:
    for owner_id, owned in by_owner(assets).items():
        owner = session.get(User, owner_id)
        if owner is not None:
            subject, body = compose(what, owned)
            send(owner.email, subject, body)
