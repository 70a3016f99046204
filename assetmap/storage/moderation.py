"""Reports, hiding and restoring strengths, and owners' answers. Nothing here deletes.

Hiding and restoring write a revision with the reason, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _
from assetmap.domain.moderation import Outcome, Problem, check_reason
from assetmap.domain.vocab import Action, Status
from assetmap.storage import assets as store
from assetmap.storage.assets import AssetNotFound, _record
from assetmap.storage.database import begin_write
from assetmap.storage.models import Asset, OwnerAnswer, Report, Revision, utcnow


def _asset(session: orm.Session, asset_id: int) -> Asset:
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise AssetNotFound(asset_id)
    return asset


def _reason(text: str, field: str = "reason") -> str:
    try:
        return check_reason(text)
    except ValueError as exc:
        raise ValidationError({field: str(exc)}) from None


def add_report(
    session: orm.Session, asset_id: int, problem: str, reason: str, *, by: int | None
) -> Report:
    """Record a report on a published strength."""
    try:
        chosen = Problem(problem)
    except ValueError:
        raise ValidationError({"problem": _("choose wrong, out of date or abusive")}) from None
    text = _reason(reason)
    begin_write(session)
    asset = _asset(session, asset_id)
    if asset.status is not Status.PUBLISHED:
        raise AssetNotFound(asset_id)
    report = Report(
        asset_id=asset.id, reporter_id=by, problem=chosen.value, reason=text, created_at=utcnow()
    )
    session.add(report)
    session.flush()
    return report


def open_reports(session: orm.Session) -> list[Report]:
    """Return the reports nobody has dealt with yet, oldest first."""
    query = (
        sa.select(Report)
        .where(Report.closed_at.is_(None))
        .options(orm.joinedload(Report.asset))
        .order_by(Report.created_at, Report.id)
    )
    return list(session.scalars(query))


def get_report(session: orm.Session, report_id: int) -> Report | None:
    """Return the report with this id, or None."""
    return session.get(Report, report_id)


def _close(
    session: orm.Session, reports: Iterable[Report], by: int | None, outcome: Outcome
) -> None:
    now = utcnow()
    for report in reports:
        if report.closed_at is None:
            report.closed_at, report.closed_by, report.outcome = now, by, outcome.value


def dismiss_report(session: orm.Session, report_id: int, *, by: int | None) -> Report:
    """Close a report without hiding its strength."""
    begin_write(session)
    report = session.get(Report, report_id)
    if report is None:
        raise LookupError(f"Report {report_id} doesn't exist.")
    _close(session, [report], by, Outcome.DISMISSED)
    session.flush()
    return report


def hide_asset(session: orm.Session, asset_id: int, *, by: int | None, reason: str) -> Asset:
    """Take a published strength out of public view, saying why; its open reports close."""
    text = _reason(reason)
    begin_write(session)
    asset = _asset(session, asset_id)
    if asset.status is not Status.PUBLISHED:
        raise ValidationError(
            {
                "status": _(
                    "only a published strength can be hidden, not %(status)s",
                    status=asset.status.value,
                )
            }
        )
    _record(session, asset, by, Action.HIDE, {"status": ["published", "hidden"]}, text)
    asset.status, asset.hidden_reason, asset.updated_at = Status.HIDDEN, text, utcnow()
    pending = [r for r in open_reports_of(session, asset.id)]
    _close(session, pending, by, Outcome.HIDDEN)
    session.flush()
    return asset


def restore_asset(
    session: orm.Session, asset_id: int, *, by: int | None, reason: str = ""
) -> Asset:
    """Show a hidden strength again; the hiding stays in its history."""
    begin_write(session)
    asset = _asset(session, asset_id)
    if asset.status is not Status.HIDDEN:
        raise ValidationError(
            {
                "status": _(
                    "only a hidden strength can be restored, not %(status)s",
                    status=asset.status.value,
                )
            }
        )
    _record(session, asset, by, Action.RESTORE, {"status": ["hidden", "published"]}, reason.strip())
    asset.status, asset.hidden_reason, asset.updated_at = Status.PUBLISHED, "", utcnow()
    session.flush()
    return asset


def confirm(session: orm.Session, asset_id: int, *, by: int | None) -> Asset:
    """Mark a strength as still current today, and show it again if it was hidden only
    because nobody had confirmed it."""
    asset = store.confirm_asset(session, asset_id, by=by)
    if hidden_for_freshness(session, asset):
        restore_asset(session, asset_id, by=by, reason="confirmed as still current")
    return asset


def open_reports_of(session: orm.Session, asset_id: int) -> list[Report]:
    """Return a strength's open reports, oldest first."""
    query = (
        sa.select(Report)
        .where(Report.asset_id == asset_id, Report.closed_at.is_(None))
        .order_by(Report.id)
    )
    return list(session.scalars(query))


def add_answer(session: orm.Session, asset_id: int, text: str, *, by: int) -> OwnerAnswer:
    """Record the owner's answer to a moderator about their strength."""
    clean = _reason(text, "answer")
    begin_write(session)
    asset = _asset(session, asset_id)
    answer = OwnerAnswer(asset_id=asset.id, user_id=by, text=clean, at=utcnow())
    session.add(answer)
    session.flush()
    return answer


def answers_for(session: orm.Session, asset_ids: Iterable[int]) -> dict[int, list[OwnerAnswer]]:
    """Return owners' answers by strength, oldest first: only those given since it was last
    hidden, so an answer about an earlier hiding does not stand for one about this."""
    hides = last_hides(session, asset_ids)
    found: dict[int, list[OwnerAnswer]] = {asset_id: [] for asset_id in hides}
    if hides:
        query = (
            sa.select(OwnerAnswer)
            .where(OwnerAnswer.asset_id.in_(list(hides)))
            .order_by(OwnerAnswer.id)
        )
        for answer in session.scalars(query):
            since = hides[answer.asset_id]
            if since is None or answer.at >= since.at:
                found[answer.asset_id].append(answer)
    return found


@dataclass(frozen=True)
class Hiding:
    """The latest hiding of a strength: when, by whom (None: by assetmap), and whether it was
    hidden only because nobody confirmed it."""

    at: dt.datetime
    by: int | None

    @property
    def unconfirmed(self) -> bool:
        """Return whether assetmap hid it because nobody confirmed it, not a moderator."""
        return self.by is None


def last_hides(session: orm.Session, asset_ids: Iterable[int]) -> dict[int, Hiding | None]:
    """Return the latest hiding of each strength, None for one never hidden."""
    ids = list(asset_ids)
    found: dict[int, Hiding | None] = dict.fromkeys(ids)
    if ids:
        query = (
            sa.select(Revision.asset_id, Revision.at, Revision.user_id)
            .where(Revision.asset_id.in_(ids), Revision.action == Action.HIDE)
            .order_by(Revision.id)
        )
        for asset_id, at, user_id in session.execute(query):
            found[asset_id] = Hiding(at=at, by=user_id)
    return found


def hidden_assets(session: orm.Session) -> list[Asset]:
    """Return hidden strengths, most recently changed first."""
    query = sa.select(Asset).where(Asset.status == Status.HIDDEN).order_by(Asset.updated_at.desc())
    return list(session.scalars(query))


def hidden_for_freshness(session: orm.Session, asset: Asset) -> bool:
    """Return whether the asset is hidden because nobody confirmed it, not by a moderator."""
    if asset.status is not Status.HIDDEN:
        return False
    last = last_hides(session, [asset.id])[asset.id]
    return last is not None and last.unconfirmed
