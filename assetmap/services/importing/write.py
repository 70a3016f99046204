"""Carrying out an import's plan: in one short transaction, after the plan is made.

An import reads, checks and decides first, holding no lock (``importing.plan``). Only then
does it take the write lock, waiting its turn behind other writers, and write what it planned.
Whatever another writer added or changed since the plan was made is checked again first: a
row it now duplicates is skipped, and a strength it changed is left as it is, each saying why.
"""

from __future__ import annotations

import datetime as dt
import operator
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.assets import FIELD_NAMES, AssetDraft
from assetmap.domain.i18n import _
from assetmap.domain.provenance import Assurer
from assetmap.domain.schedules import Schedule
from assetmap.domain.vocab import Status
from assetmap.exchange.report import (
    NOT_LISTED,
    ImportReport,
    Outcome,
    nearest_within,
    title_key,
)
from assetmap.storage import assets as store
from assetmap.storage import bulk, imports
from assetmap.storage.models import utcnow
from assetmap.storage.patterns import (
    TEXT_FIELDS,
    keep_schedules,
    read_patterns,
    read_patterns_from,
)
from assetmap.storage.schedules import set_schedules

Key = tuple[str, str]
SOURCE = Assurer.SOURCE.value


@dataclass(frozen=True)
class Addition:
    """A row the plan adds: where it is in the file, its key, its draft and public point, and
    the schedules the file gives as such (HSDS), if any."""

    where: str
    key: Key
    draft: AssetDraft
    lon: float
    lat: float
    schedules: tuple[Schedule, ...] = ()
    # The draft's ``last_confirmed`` is when its source assured it.
    assured: bool = False


@dataclass(frozen=True)
class Change:
    """What an update does besides changing fields: ``link`` it to a source's record (it had
    no source), ``restore`` it (its source withdrew it when it stopped listing it, and lists it
    again), or move its ``last_confirmed`` on to when its source ``assured`` it."""

    link: Key | None = None
    restore: bool = False
    assured: dt.date | None = None


@dataclass(frozen=True)
class Update:
    """A stored strength the plan changes, and how: ``schedules``, when not None, replace the
    ones it has (the file gives them as such, and they differ)."""

    where: str
    title: str
    asset_id: int
    changes: dict[str, Any]
    schedules: tuple[Schedule, ...] | None = None
    change: Change = field(default_factory=Change)


@dataclass(frozen=True)
class Withdrawal:
    """A strength of the source that its full listing no longer lists, withdrawn for
    ``reason`` (in English, as the register keeps it)."""

    asset_id: int
    title: str
    reason: str


@dataclass
class Plan:
    """What an import will write, decided against the register as of ``revision_id``.

    Additions are spooled to a temporary file a batch at a time, so a long file's drafts are
    not all held in memory.
    """

    revision_id: int
    updates: list[Update] = field(default_factory=list)
    added: int = 0
    # Where the rows came from; for a feed, the ids its records have there (checked now), the
    # strengths it no longer lists to withdraw, and those to note as unlisted only.
    source: str = ""
    checked: list[str] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    unlisted: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Kept open across batches; ``close`` (run by whoever runs the import) removes it.
        self._spool = tempfile.TemporaryFile(prefix="assetmap-import-")  # noqa: SIM115

    def add(self, batch: list[Addition]) -> None:
        """Keep a batch of additions."""
        pickle.dump([_packed(a) for a in batch], self._spool, protocol=pickle.HIGHEST_PROTOCOL)
        self.added += len(batch)

    def additions(self) -> Iterator[list[Addition]]:
        """Yield the additions, a batch at a time, in the order they were kept."""
        self._spool.seek(0)
        while True:
            try:
                packed = pickle.load(self._spool)
            except EOFError:
                return
            yield [_unpacked(values) for values in packed]

    def close(self) -> None:
        """Remove the spooled additions."""
        self._spool.close()


# A frozen dataclass with slots unpickles through ``dataclasses.fields`` for every object, which
# for a million additions costs more than writing them; as plain tuples they round-trip at
# pickle's own speed.
_DRAFT_VALUES = operator.attrgetter(*FIELD_NAMES)


def _packed(a: Addition) -> tuple[Any, ...]:
    return (a.where, a.key, _DRAFT_VALUES(a.draft), a.lon, a.lat, a.schedules, a.assured)


def _unpacked(values: tuple[Any, ...]) -> Addition:
    where, key, draft, lon, lat, schedules, assured = values
    return Addition(where, key, AssetDraft(*draft), lon, lat, schedules, assured)


def write_plan(
    session: orm.Session,
    plan: Plan,
    report: ImportReport,
    *,
    cell_m: float,
    area: Area | None = None,
) -> None:
    """Write a plan in a transaction of its own, begun here and left for the caller to commit.

    The session must have no transaction open: this one begins by waiting for the lock.
    A group's meeting pattern or a space's opening times, once written, become schedules where
    they can be read (``storage.patterns``), as the register's own were.
    """
    imports.begin_import(session)
    today = dt.date.today()
    recent = Recent(imports.changed_since(session, plan.revision_id))
    for update in plan.updates:
        if update.change.restore and recent.allows_update(update, report):
            reason = _("Listed again by %(source)s", source=plan.source)
            imports.relist(session, update.asset_id, reason.english)
    with bulk.bulk_load(session, plan.added, owner_id=None, cell_m=cell_m) as load:
        for batch in plan.additions():
            kept = [addition for addition in batch if recent.allows(addition, report)]
            if kept:
                load.add([a.draft for a in kept], [a.key for a in kept])
                _added(session, kept, today)
    retimed = []
    for update in plan.updates:
        if update.asset_id in recent.ids:
            if not update.change.restore:
                recent.allows_update(update, report)
            continue
        try:
            if update.change.link is not None:
                imports.link(session, update.asset_id, *update.change.link)
            if update.changes:
                store.update_asset(
                    session, update.asset_id, update.changes, by=None, cell_m=cell_m, area=area
                )
            if update.schedules is not None:
                set_schedules(session, update.asset_id, update.schedules, by=None)
            if update.change.assured is not None:
                imports.assure(session, [(update.asset_id, update.change.assured)], SOURCE)
        except (store.AssetNotFound, LookupError):
            reason = _(
                "strength %(id)s was removed while this file was being checked", id=update.asset_id
            )
            _skip(report, update, "id", reason, update.asset_id)
            continue
        words = any(field in update.changes for field in TEXT_FIELDS.values())
        if words and update.schedules is None:
            retimed.append(update.asset_id)
    if retimed:
        # The file says something new of when these meet or open: read that instead.
        read_patterns(session, retimed, today=today, again=True)
    _unlisted(session, plan, report, recent)


def _added(session: orm.Session, kept: list[Addition], today: dt.date) -> None:
    """Give strengths just added the schedules their file gives or their words tell, and note
    who assured them."""
    given = {a.key: a.schedules for a in kept if a.schedules}
    if given:
        keep_schedules(session, given)
    timed = [a.key for a in kept if not a.schedules and _has_times(a.draft)]
    if timed:
        read_patterns_from(session, timed, today=today)
    _assured_on_adding(session, kept)


def _assured_on_adding(session: orm.Session, added: list[Addition]) -> None:
    """Note that the strengths just added with a date their source assured them on were
    assured by it."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for addition in added:
        if addition.assured:
            by_source[addition.key[0]].append(addition.key[1])
    for source, ids in by_source.items():
        imports.assured_by_source(session, source, ids, SOURCE)


def _unlisted(session: orm.Session, plan: Plan, report: ImportReport, recent: Recent) -> None:
    """Withdraw what a full listing no longer lists, note what it leaves as unlisted, and
    note every strength it lists as checked now."""
    now = utcnow()
    for withdrawal in plan.withdrawals:
        if withdrawal.asset_id in recent.ids:
            reason = _(
                "strength %(id)s changed while this file was being checked; check the file again",
                id=withdrawal.asset_id,
            )
            report.retract_entry(withdrawal.asset_id, Outcome.WITHDRAWN)
            report.add(
                NOT_LISTED,
                Outcome.LEFT,
                withdrawal.title,
                "id",
                reason,
                withdrawal.asset_id,
            )
            continue
        store.withdraw_asset(session, withdrawal.asset_id, by=None, reason=withdrawal.reason)
        imports.mark_unlisted(session, [withdrawal.asset_id], now)
    if plan.unlisted:
        imports.mark_unlisted(session, plan.unlisted, now)
    if plan.checked:
        imports.mark_checked(session, plan.source, plan.checked, now)


def _has_times(draft: AssetDraft) -> bool:
    field = TEXT_FIELDS.get(draft.kind)
    return field is not None and bool(getattr(draft, field))


class Recent:
    """The strengths added or changed since a plan was made, as a plan's rows meet them."""

    def __init__(self, changed: list[imports.Changed]) -> None:
        self.ids = {row[0] for row in changed}
        self.keys = {(row[5], row[6]): row[0] for row in changed if row[6]}
        self.titles: dict[str, list[tuple[float, float, object]]] = defaultdict(list)
        for asset_id, title, lon, lat, *_rest, status in changed:
            if status is not Status.WITHDRAWN:
                self.titles[title_key(title)].append((lon, lat, asset_id))

    def allows(self, addition: Addition, report: ImportReport) -> bool:
        """Return whether an addition still adds something; if not, report it skipped."""
        found = self.keys.get(addition.key)
        if found is not None:
            reason = _("was added as strength %(id)s while this file was being checked", id=found)
            _skip(report, addition, "id", reason, found)
            return False
        same = self.titles.get(title_key(addition.draft.title))
        near = nearest_within(addition.lon, addition.lat, same) if same else None
        if near is not None:
            asset_id = int(str(near[0]))
            reason = _(
                "same title as strength %(id)s, added while this file was being checked",
                id=asset_id,
            )
            _skip(report, addition, "title", reason, asset_id)
            return False
        return True

    def allows_update(self, update: Update, report: ImportReport) -> bool:
        """Return whether a strength is still as the plan saw it; if not, report it skipped."""
        if update.asset_id not in self.ids:
            return True
        reason = _(
            "strength %(id)s changed while this file was being checked; check the file again",
            id=update.asset_id,
        )
        _skip(report, update, "id", reason, update.asset_id)
        return False


def _skip(
    report: ImportReport, row: Addition | Update, field: str, reason: str, asset_id: int
) -> None:
    """Report a planned row skipped after all, in place of what the plan said of it."""
    if isinstance(row, Addition):
        report.retract(row.where, Outcome.ADDED)
        title = row.draft.title
    else:
        report.retract(row.where, Outcome.UPDATED)
        title = row.title
    report.add(row.where, Outcome.SKIPPED, title, field, reason, asset_id)
