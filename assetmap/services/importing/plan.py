"""Deciding, row by row, what an import does.

A row is rejected if it breaks a rule of assetmap's; skipped if it is already there (the same
source and source id, unchanged, or the same title within ``TITLE_RADIUS_M``); updated if its
source id is there with other values; otherwise added. A row whose source is this register's
own name (``ImportOptions.register``, as its exports write) is the strength with that id here.

A row saying when its source last assured it (``Record.assured``, HSDS's ``assured_date``)
moves a stored strength's ``last_confirmed`` on to that date where it is later, assured by
the source. A feed's import (``ImportOptions.feed``) also links a row to a stored group or
space of the same title nearby that has no source and no owner (rather than skipping it as a
duplicate), and brings back a strength it withdrew when the source stopped listing it. A full
listing of a source (``ImportOptions.full_listing``) then withdraws the source's strengths it
no longer lists, "No longer listed by" the source, except those someone edited here (an owner,
or a revision by a person): those are left published and noted as unlisted.

Deciding only reads: the planner fills the report and keeps the plan, which
``services.importing.write`` carries out afterwards in one short transaction.

Rows are compared with stored strengths at both sides' public points, so that nothing a
report says can be worked out from where a skill really is.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sqlalchemy import orm

from assetmap.domain.area import Area
from assetmap.domain.assets import FIELD_NAMES, AssetDraft, apply_changes, diff, validate_asset
from assetmap.domain.errors import ValidationError
from assetmap.domain.geo import BBox, bbox_around
from assetmap.domain.i18n import _, lazy
from assetmap.domain.patterns import parse_pattern
from assetmap.domain.privacy import generalise_points, is_generalised
from assetmap.domain.schedules import Schedule
from assetmap.domain.vocab import Kind, Status
from assetmap.exchange.geojson import projected_hint
from assetmap.exchange.importing.columns import SCHEDULE
from assetmap.exchange.importing.records import Record
from assetmap.exchange.report import (
    NOT_LISTED,
    TITLE_RADIUS_M,
    ImportReport,
    Outcome,
    nearest_within,
    title_key,
)
from assetmap.services.importing.write import Addition, Change, Plan, Update, Withdrawal
from assetmap.storage import assets as store
from assetmap.storage import imports
from assetmap.storage.models import Asset, utcnow
from assetmap.storage.neighbourhoods import locate
from assetmap.storage.patterns import TEXT_FIELDS
from assetmap.storage.schedules import schedules_of

Key = tuple[str, str]
# A strength a new one may duplicate: its point, and its asset id or row.
Near = tuple[float, float, object]
OUTSIDE_SCOPE = lazy("is outside your neighbourhoods")
_OWN_ID = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class ImportOptions:
    """How an import checks and stores what it reads.

    ``default_themes`` are given to rows that name none. ``skip_outside`` skips (rather than
    rejects) strengths outside ``area``: an OpenStreetMap extract is often larger than the town.
    ``neighbourhoods``, where given, are the ids of the only neighbourhoods a strength may be
    filed under (by its public point) or already lie in; others are rejected (or skipped, with
    ``skip_outside``). None means anywhere. ``register`` is this register's own name, as its
    exports give it (``export.register_name``); empty: no row is taken for one of its own.
    ``feed``: the file is a directory's feed, whose strengths are linked, noted as checked and
    brought back (see above); ``full_listing``: it lists all that source holds, so what it no
    longer lists is withdrawn or noted.
    """

    cell_m: float
    area: Area | None = None
    default_themes: tuple[str, ...] = ()
    batch_size: int = 5000
    skip_outside: bool = False
    neighbourhoods: frozenset[int] | None = None
    register: str = ""
    feed: bool = False
    full_listing: bool = False


@dataclass
class _Candidate:
    record: Record
    draft: AssetDraft
    key: Key
    # The draft at its public point: where it would be filed, shown and compared.
    shown: AssetDraft | None = None

    @property
    def public(self) -> AssetDraft:
        """Return the draft at its public point (set for every candidate a batch keeps)."""
        if self.shown is None:
            raise ValueError(f"{self.record.where} has no public point yet")
        return self.shown


class Planner:
    """Takes records a batch at a time, fills the report and keeps the plan; writes nothing."""

    def __init__(
        self, session: orm.Session, report: ImportReport, options: ImportOptions, source: str
    ) -> None:
        self.session, self.report, self.options, self.source = session, report, options, source
        self.plan = Plan(imports.last_revision_id(session), source=source)
        self.seen: dict[Key, str] = {}
        self.restorable: set[int] = set()
        self.linked: set[int] = set()
        self.titles: dict[str, list[Near]] = defaultdict(list)
        self.stored = StoredTitles(session, options.cell_m)
        self.today = dt.date.today()
        self.timed: dict[int, list[Schedule]] = {}

    def batch(self, records: Sequence[Record]) -> None:
        """Decide each record of a batch, keeping its additions and updates in the plan."""
        checked = [c for c in map(self._check, records) if c is not None]
        candidates = self._in_scope(_at_public_points(checked, self.options.cell_m))
        keys = [c.key for c in candidates]
        existing = imports.assets_by_source(self.session, keys, self.options.register)
        timed = [asset.id for asset in existing.values() if asset.kind in TEXT_FIELDS]
        self.timed = schedules_of(self.session, timed) if timed else {}
        if self.options.feed:
            withdrawn = [a.id for a in existing.values() if a.status is Status.WITHDRAWN]
            self.restorable = imports.withdrawn_unlisted(self.session, withdrawn)
        fresh = [c for c in candidates if not self._known(c, existing.get(c.key))]
        added = self._not_duplicates(fresh)
        if added and not self.report.dry_run:
            self.plan.add([_addition(c) for c in added])
        if self.options.feed and not self.report.dry_run:
            self.plan.checked.extend(key[1] for key in keys if key[0] == self.source)

    def finish(self) -> None:
        """Once every record is decided: with a full listing, withdraw the source's strengths
        it no longer lists, or, where someone edited them here, leave them noted as unlisted."""
        if not self.options.full_listing:
            return
        allowed = self.options.neighbourhoods
        reason = _("No longer listed by %(source)s", source=self.source)
        for found in imports.listed_by(self.session, self.source):
            if (self.source, found.source_id) in self.seen:
                continue
            if allowed is not None and found.neighbourhood_id not in allowed:
                continue
            where = NOT_LISTED
            if found.edited:
                said = _("%(reason)s; left published, as it was edited here", reason=str(reason))
                self.report.add(where, Outcome.LEFT, found.title, "", said, found.asset_id)
                if not self.report.dry_run:
                    self.plan.unlisted.append(found.asset_id)
                continue
            self.report.add(where, Outcome.WITHDRAWN, found.title, "", reason, found.asset_id)
            if not self.report.dry_run:
                self.plan.withdrawals.append(
                    Withdrawal(found.asset_id, found.title, reason.english)
                )

    def _check(self, record: Record) -> _Candidate | None:
        report = self.report
        if record.errors:
            report.reject(record.where, record.errors, _title(record))
            return None
        if record.skip:
            report.add(record.where, Outcome.SKIPPED, _title(record), reason=record.skip)
            return None
        if record.assured is not None and record.assured > self.today:
            record.assured = None
        draft = self._validate(record)
        if draft is None:
            return None
        key = (
            record.source or self.source,
            record.source_id or new_source_id(),
        )
        if self._is_own(key[0]):
            if not _OWN_ID.fullmatch(key[1]):
                reason = _(
                    "must be a strength's id in %(register)s (a whole number), got %(got)r",
                    register=key[0],
                    got=key[1],
                )
                report.reject(record.where, {"source_id": reason}, draft.title)
                return None
            key = (key[0], str(int(key[1])))
        too_long: dict[str, str] = {
            name: _("must be at most %(most)d characters, got %(got)d", most=limit, got=len(value))
            for name, value, limit in (("source", key[0], 100), ("id", key[1], 200))
            if len(value) > limit
        }
        if too_long:
            report.reject(record.where, too_long, draft.title)
            return None
        earlier = self.seen.get(key)
        if earlier is not None:
            reason = _("has the same id as %(earlier)s", earlier=earlier)
            report.add(record.where, Outcome.SKIPPED, draft.title, "id", reason)
            return None
        self.seen[key] = record.where
        return _Candidate(record, draft, key)

    def _in_scope(self, candidates: list[_Candidate]) -> list[_Candidate]:
        allowed = self.options.neighbourhoods
        if allowed is None or not candidates:
            return candidates
        lons = [c.public.lon for c in candidates]
        lats = [c.public.lat for c in candidates]
        kept = []
        for candidate, area in zip(candidates, locate(self.session, lons, lats), strict=True):
            if area is not None and area in allowed:
                kept.append(candidate)
            else:
                where, title = candidate.record.where, candidate.draft.title
                self._outside(where, title, "location", str(OUTSIDE_SCOPE))
        return kept

    def _outside(self, where: str, title: str, field: str, reason: str) -> None:
        if self.options.skip_outside:
            self.report.add(where, Outcome.SKIPPED, title, field, reason)
        else:
            self.report.reject(where, {field: reason}, title)

    def _validate(self, record: Record) -> AssetDraft | None:
        values = _with_schedule_words(record.values)
        assured = _assured(record)
        if assured is not None:
            values["last_confirmed"] = assured
        if "themes" not in values and self.options.default_themes:
            values["themes"] = list(self.options.default_themes)
        area = None if self.options.skip_outside else self.options.area
        try:
            draft = validate_asset(values, area=area)
        except ValidationError as exc:
            self.report.reject(record.where, _with_hint(exc.errors, values), _title(record))
            return None
        if draft.last_confirmed is not None and draft.last_confirmed > utcnow().date():
            reason = _(
                "must be today or in the past, got %(got)s", got=draft.last_confirmed.isoformat()
            )
            self.report.reject(record.where, {"last_confirmed": reason}, draft.title)
            return None
        area = self.options.area
        outside = area is not None and not area.contains(draft.lon, draft.lat)
        if self.options.skip_outside and outside:
            reason = _("lies outside the area this assetmap covers")
            self.report.add(record.where, Outcome.SKIPPED, draft.title, "location", reason)
            return None
        return draft

    def _is_own(self, source: str) -> bool:
        return bool(self.options.register) and source == self.options.register

    def _known(self, candidate: _Candidate, asset: Asset | None) -> bool:
        where, title = candidate.record.where, candidate.draft.title
        if asset is None:
            if not self._is_own(candidate.key[0]):
                return False
            reason = _("names strength %(id)s, which is no longer here", id=candidate.key[1])
            self.report.add(where, Outcome.SKIPPED, title, "source_id", reason)
            return True
        restore = asset.id in self.restorable
        if asset.status is Status.WITHDRAWN and not restore:
            reason = _(
                "asset %(id)s with this id was withdrawn; it is not brought back", id=asset.id
            )
            self.report.add(where, Outcome.SKIPPED, title, "id", reason, asset.id)
            return True
        allowed = self.options.neighbourhoods
        if allowed is not None and asset.neighbourhood_id not in allowed:
            reason = _("is asset %(id)s, which is outside your neighbourhoods", id=asset.id)
            self._outside(where, title, "id", reason)
            return True
        chosen = self._changes(candidate, asset)
        if chosen is not None:
            change = Change(restore=restore)
            self._decide(candidate, asset, chosen, self._new_schedules(candidate, asset), change)
        return True

    def _changes(self, candidate: _Candidate, asset: Asset) -> dict[str, Any] | None:
        """Return the fields a record changes of a stored strength, or None (and reject the
        record) where the changes break a rule."""
        record = candidate.record
        changes = {k: v for k, v in record.values.items() if k in FIELD_NAMES}
        if _assured(record) is not None:
            # When its source assured it moves on only, as an assurance, never back.
            changes.pop("last_confirmed", None)
        if not record.schedules:
            changes = self._same_times(asset, changes)
        try:
            changed = changed_fields(asset, changes, self.options)
        except ValidationError as exc:
            self.report.reject(record.where, exc.errors, candidate.draft.title)
            return None
        return {k: v for k, v in changes.items() if k in changed}

    def _new_schedules(self, candidate: _Candidate, asset: Asset) -> tuple[Schedule, ...] | None:
        """Return the schedules the file gives as such (HSDS) where they differ from the
        stored strength's, or None."""
        given = tuple(candidate.record.schedules)
        if not given or _sessions(list(given)) == _sessions(self.timed.get(asset.id, [])):
            return None
        return given

    def _same_times(self, asset: Asset, changes: dict[str, Any]) -> dict[str, Any]:
        """Leave out of ``changes`` a meeting pattern or opening times that, read as a stored
        strength's were, say the schedules and note it holds: the same file imported again
        changes nothing."""
        field = TEXT_FIELDS.get(asset.kind)
        stored = self.timed.get(asset.id)
        if field is None or field not in changes or not stored:
            return changes
        text = changes[field] if isinstance(changes[field], str) else ""
        schedules, note = parse_pattern(text, kind=asset.kind, today=self.today)
        if note == getattr(asset, field) and _sessions(schedules) == _sessions(stored):
            return {k: v for k, v in changes.items() if k != field}
        return changes

    def _decide(
        self,
        candidate: _Candidate,
        asset: Asset,
        changes: dict[str, Any],
        schedules: tuple[Schedule, ...] | None = None,
        change: Change | None = None,
    ) -> None:
        where, title = candidate.record.where, candidate.draft.title
        change = change or Change()
        assured = _assured(candidate.record)
        if assured is not None and (asset.last_confirmed is None or assured > asset.last_confirmed):
            change = replace(change, assured=assured)
        moved = bool(changes) or schedules is not None or change.assured is not None
        if not moved and not change.restore and change.link is None:
            if self._is_own(candidate.key[0]):
                reason = _("already here as strength %(id)s, unchanged", id=asset.id)
            else:
                reason = _("already imported as strength %(id)s, unchanged", id=asset.id)
            self.report.add(where, Outcome.SKIPPED, title, "id", reason, asset.id)
            return
        named = [*changes, *(["schedule"] if schedules is not None else [])]
        if change.assured is not None:
            named.append("last_confirmed")
        fields = ", ".join(sorted(named))
        if asset.owner_id is not None:
            if not changes and schedules is None:
                reason = _("already imported as strength %(id)s, unchanged", id=asset.id)
                self.report.add(where, Outcome.SKIPPED, title, "id", reason, asset.id)
                return
            reason = _(
                "is strength %(id)s, which its owner looks after: an import doesn't "
                "change it (the file changes %(fields)s)",
                id=asset.id,
                fields=fields,
            )
            self.report.add(where, Outcome.SKIPPED, title, "id", reason, asset.id)
            return
        said = _changes_said(self.source, fields, change)
        self.report.add(where, Outcome.UPDATED, title, "", said, asset.id)
        if not self.report.dry_run:
            self.plan.updates.append(Update(where, title, asset.id, changes, schedules, change))

    def _not_duplicates(self, fresh: list[_Candidate]) -> list[_Candidate]:
        added = []
        targets = self._link_targets(fresh) if self.options.feed else {}
        for candidate in fresh:
            draft, where = candidate.draft, candidate.record.where
            key, point = title_key(draft.title), candidate.public
            stored = self.stored.titled(point.lon, point.lat, key)
            near = nearest_within(point.lon, point.lat, stored + self.titles[key])
            if near is not None:
                what, metres = near
                target = targets.get(what) if isinstance(what, int) else None
                if target is not None and target.kind is draft.kind and what not in self.linked:
                    self._link(candidate, target)
                    continue
                reason = self._duplicate(what, metres)
                asset_id = what if isinstance(what, int) else None
                self.report.add(where, Outcome.SKIPPED, draft.title, "title", reason, asset_id)
                continue
            self.titles[key].append((point.lon, point.lat, where))
            self.report.add(where, Outcome.ADDED, draft.title)
            added.append(candidate)
        return added

    def _link_targets(self, fresh: list[_Candidate]) -> dict[int, Asset]:
        """Return the stored strengths the batch's new records could be linked to."""
        ids = []
        for candidate in fresh:
            point = candidate.public
            stored = self.stored.titled(point.lon, point.lat, title_key(candidate.draft.title))
            near = nearest_within(point.lon, point.lat, stored)
            if near is not None and isinstance(near[0], int):
                ids.append(near[0])
        targets = imports.link_targets(self.session, ids)
        timed = [i for i, asset in targets.items() if asset.kind in TEXT_FIELDS]
        if timed:
            self.timed.update(schedules_of(self.session, timed))
        return targets

    def _link(self, candidate: _Candidate, asset: Asset) -> None:
        """Take a stored strength with no source for the record, rather than add it again."""
        self.linked.add(asset.id)
        chosen = self._changes(candidate, asset)
        if chosen is not None:
            change = Change(link=candidate.key)
            self._decide(candidate, asset, chosen, self._new_schedules(candidate, asset), change)

    def _duplicate(self, what: object, metres: float) -> str:
        """Say why a row is taken for a duplicate; never how far it is from a person's skill."""
        if not isinstance(what, int):
            return _("same title as %(row)s, %(metres).0f m away", row=what, metres=metres)
        if what in self.stored.skills:
            return _("same title as strength %(id)s, in the same area", id=what)
        return _("same title as strength %(id)s, %(metres).0f m away", id=what, metres=metres)


class StoredTitles:
    """Titles and points of the strengths stored before an import began, by grid cell.

    A cell's strengths (with a margin around it) are read once, when a row first falls in it,
    so an import reads each stored strength near it about once, however long the file.
    """

    CELL_DEG = 0.05

    def __init__(self, session: orm.Session, cell_m: float) -> None:
        self.session = session
        # A skill is indexed at its cell's centre, up to a cell's diagonal from its point.
        self.margin_m = TITLE_RADIUS_M + cell_m
        self.last_id = imports.last_asset_id(session)
        self.cells: dict[tuple[int, int], dict[str, list[Near]]] = {}
        self.skills: set[int] = set()

    def titled(self, lon: float, lat: float, key: str) -> list[Near]:
        """Return stored strengths near ``(lon, lat)`` whose title has this key."""
        if not self.last_id:
            return []
        cell = (math.floor(lon / self.CELL_DEG), math.floor(lat / self.CELL_DEG))
        if cell not in self.cells:
            self.cells[cell] = self._load(cell)
        return self.cells[cell].get(key, [])

    def _load(self, cell: tuple[int, int]) -> dict[str, list[Near]]:
        west, south = cell[0] * self.CELL_DEG, cell[1] * self.CELL_DEG
        low = bbox_around(west, south, self.margin_m)
        high = bbox_around(west + self.CELL_DEG, south + self.CELL_DEG, self.margin_m)
        box = BBox(low.min_lon, low.min_lat, high.max_lon, high.max_lat)
        found: dict[str, list[Near]] = defaultdict(list)
        for asset_id, title, lon, lat, kind in imports.assets_in_area(
            self.session, box, self.last_id
        ):
            found[title_key(title)].append((lon, lat, asset_id))
            if is_generalised(kind):
                self.skills.add(asset_id)
        return found


def changed_fields(asset: Asset, changes: dict[str, Any], options: ImportOptions) -> set[str]:
    """Return which fields ``changes`` would change of a stored strength, compared at its
    public point; a move changes both ``lon`` and ``lat``. Raises ValidationError."""
    before = store.draft_of(asset)
    after = apply_changes(before, changes, area=options.area)
    changed = set(diff(before, store.at_public_point(after, options.cell_m)))
    return changed | {"lon", "lat"} if changed & {"lon", "lat"} else changed


def _with_schedule_words(values: dict[str, Any]) -> dict[str, Any]:
    """Put an export's ``schedule`` column (schedules in words) before the note in the text
    it is read from, as the register's own words were: "First Friday of the month, 7.30pm;
    term time"."""
    words = values.pop(SCHEDULE, None)
    kind = values.get("kind")
    field = TEXT_FIELDS.get(Kind(kind)) if kind in {k.value for k in TEXT_FIELDS} else None
    if field is None or not isinstance(words, str) or not words.strip():
        return values
    note = values.get(field)
    parts = [words.strip(), note.strip() if isinstance(note, str) else ""]
    values[field] = "; ".join(part for part in parts if part)
    return values


def _sessions(schedules: list[Schedule]) -> list[tuple[str, dt.time, dt.time | None]]:
    """What makes schedules read from words the same: not the first date they were read on."""
    return [(s.rule(), s.start_time, s.end_time) for s in schedules]


def new_source_id() -> str:
    """Return an id for a row that has none: random, so it tells nothing of the row."""
    return "id:" + secrets.token_hex(10)


def _at_public_points(candidates: list[_Candidate], cell_m: float) -> list[_Candidate]:
    """Give each candidate its draft at its public point, a skill's generalised at once."""
    drafts = [c.draft for c in candidates]
    lons = np.array([d.lon for d in drafts], dtype=float)
    lats = np.array([d.lat for d in drafts], dtype=float)
    index = np.array([i for i, d in enumerate(drafts) if is_generalised(d.kind)], dtype=int)
    if index.size:
        lons[index], lats[index] = generalise_points(lons[index], lats[index], cell_m)
    for candidate, lon, lat in zip(candidates, lons.tolist(), lats.tolist(), strict=True):
        candidate.shown = replace(candidate.draft, lon=lon, lat=lat)
    return candidates


def _addition(candidate: _Candidate) -> Addition:
    point, record = candidate.public, candidate.record
    schedules = tuple(record.schedules)
    assured = _assured(record) is not None
    return Addition(
        record.where, candidate.key, candidate.draft, point.lon, point.lat, schedules, assured
    )


def _assured(record: Record) -> dt.date | None:
    """Return when a record's source last assured it: its ``assured`` date, or the later of
    that and a ``last_confirmed`` it gives (as assetmap's own HSDS writes), where it says."""
    if record.assured is None:
        return None
    given = record.values.get("last_confirmed")
    try:
        said = dt.date.fromisoformat(str(given)[:10]) if given else None
    except ValueError:
        said = None
    return (
        max(record.assured, said)
        if said is not None and said <= dt.date.today()
        else (record.assured)
    )


def _changes_said(source: str, fields: str, change: Change) -> str:
    """Say what an update does: what it changes, and whether it links or brings back."""
    if change.link is not None:
        return _(
            "is this strength, which had no source: links it to %(source)s (changes %(fields)s)",
            source=source,
            fields=fields or _("nothing else"),
        )
    if change.restore:
        return _(
            "brings back this strength, withdrawn when %(source)s stopped listing it, as it "
            "lists it again (changes %(fields)s)",
            source=source,
            fields=fields or _("nothing else"),
        )
    return _("changes %(fields)s", fields=fields)


def _title(record: Record) -> str:
    title = record.values.get("title")
    return title.strip()[:120] if isinstance(title, str) else ""


def _with_hint(errors: dict[str, str], values: dict[str, Any]) -> dict[str, str]:
    hint = projected_hint(_number(values.get("lon")), _number(values.get("lat")))
    if hint and ("lon" in errors or "lat" in errors):
        errors = {k: v for k, v in errors.items() if k not in ("lon", "lat")}
        errors["location"] = hint
    return errors


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value
