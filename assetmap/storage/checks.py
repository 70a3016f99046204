"""Strength checks: run them, keep what they found, record decisions, publish, hear back.

A check is a list of revisions. Each revision holds the proposal, the findings frozen when it
ran (public records only) and, once made, the decision; an edit, a new run or a decision adds
a revision and leaves the earlier ones as they were. Writes flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

import numpy as np
import shapely
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.catchments import EDGE_M, Catchment, How, NamedArea
from assetmap.domain.checks import Decision, Proposal, ResponseDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.findings import INSIDE, NEARBY, PUBLIC_FIELDS, finding
from assetmap.domain.geo import BBox
from assetmap.domain.i18n import _
from assetmap.domain.outlines import lies_within
from assetmap.domain.query import AssetFilter, AssetSummary
from assetmap.domain.vocab import Status
from assetmap.storage.assets import assets_in_bbox
from assetmap.storage.database import begin_write
from assetmap.storage.models import (
    Asset,
    CheckResponse,
    CheckRevision,
    Neighbourhood,
    StrengthCheck,
    User,
    utcnow,
)
from assetmap.storage.neighbourhoods import REACH_TOLERANCE_M, neighbourhoods_reached

_CHUNK = 500
_PUBLIC_COLUMNS = [
    Asset.public_lon
    if name == "lon"
    else Asset.public_lat
    if name == "lat"
    else getattr(Asset, name)
    for name in PUBLIC_FIELDS
]


class CheckNotFound(LookupError):
    """No check has the id asked for."""

    def __init__(self, check_id: int) -> None:
        super().__init__(_("Strength check %(id)s doesn't exist.", id=check_id))
        self.check_id = check_id


def neighbourhood_areas(session: orm.Session) -> dict[str, NamedArea]:
    """Return every neighbourhood by code: its name and boundary (EPSG:4326), by name."""
    rows = session.execute(
        sa.select(Neighbourhood.code, Neighbourhood.name, Neighbourhood.boundary).order_by(
            Neighbourhood.name
        )
    ).all()
    return {code: NamedArea(name, shapely.from_wkb(wkb)) for code, name, wkb in rows}


def catchment_neighbourhoods(session: orm.Session, catchment: Catchment) -> frozenset[int | None]:
    """Return the ids of the neighbourhoods a catchment reaches; None among them where it
    reaches land in no neighbourhood (or names one no longer stored).

    A catchment of neighbourhoods reaches those it names; any other, those its outline overlaps
    (see ``neighbourhoods_reached``).
    """
    if catchment.how is not How.NEIGHBOURHOODS:
        return neighbourhoods_reached(session, catchment.outline())
    query = sa.select(Neighbourhood.code, Neighbourhood.id).where(
        Neighbourhood.code.in_([code for code, _ in catchment.neighbourhoods])
    )
    ids: dict[str, int] = {row[0]: row[1] for row in session.execute(query)}
    return frozenset(ids.get(code) for code, _ in catchment.neighbourhoods)


def catchment_reach(
    session: orm.Session, catchment: Catchment, scope: Collection[int]
) -> frozenset[int | None]:
    """Return which of the ``scope`` neighbourhoods a catchment reaches; None among them where
    it reaches anywhere else.

    A catchment of neighbourhoods reaches those it names (None for one no longer stored). Any
    other reaches beyond the scope unless its whole outline lies within the scope's
    neighbourhoods grown by ``REACH_TOLERANCE_M``: drawn edges seldom follow theirs exactly.
    """
    if catchment.how is How.NEIGHBOURHOODS:
        named = catchment_neighbourhoods(session, catchment)
        return frozenset(n if n in scope else None for n in named)
    rows = session.execute(
        sa.select(Neighbourhood.id, Neighbourhood.boundary).where(
            Neighbourhood.id.in_(sorted(scope))
        )
    ).all()
    outline = catchment.outline()
    areas = shapely.from_wkb([row[1] for row in rows])
    reached: set[int | None] = {
        row[0] for row, area in zip(rows, areas, strict=True) if area.intersects(outline)
    }
    if not lies_within(outline, list(areas), REACH_TOLERANCE_M):
        reached.add(None)
    return frozenset(reached)


def find_strengths(
    session: orm.Session, proposal: Proposal, *, edge_m: float = EDGE_M
) -> list[dict]:
    """Return the published strengths related to the proposal in its catchment and near it.

    Related means carrying one of its themes or matching one of its key words (and, where the
    proposal names kinds, of those kinds). Inside ones come first by kind and title, then
    those within ``edge_m`` geodesic metres outside the edge, nearest first.
    """
    candidates, matched = _related(session, proposal, proposal.catchment.search_box(edge_m))
    lons = np.array([c.lon for c in candidates], dtype=float)
    lats = np.array([c.lat for c in candidates], dtype=float)
    inside = proposal.catchment.contains(lons, lats)
    outside = np.flatnonzero(~inside)
    distances = proposal.catchment.edge_distances(lons[outside], lats[outside])
    where: dict[int, tuple[str, float | None]] = {
        candidates[i].id: (INSIDE, None) for i in np.flatnonzero(inside)
    }
    for i, distance in zip(outside.tolist(), distances.tolist(), strict=True):
        if distance <= edge_m:
            where[candidates[i].id] = (NEARBY, distance)
    records = _public_records(session, where)
    found = [
        finding(records[i], where=where[i][0], distance_m=where[i][1], matched=matched[i])
        for i in where
    ]
    return sorted(found, key=_order)


def _related(
    session: orm.Session, proposal: Proposal, box: BBox
) -> tuple[list[AssetSummary], dict[int, list[str]]]:
    kinds = frozenset(proposal.kinds)
    matched: dict[int, list[str]] = defaultdict(list)
    by_id: dict[int, AssetSummary] = {}
    if proposal.themes:
        wanted = frozenset(proposal.themes)
        for item in assets_in_bbox(session, box, AssetFilter(kinds=kinds, themes=wanted)):
            by_id[item.id] = item
            matched[item.id] += [theme.value for theme in item.themes if theme in wanted]
    for word in proposal.words:
        for item in assets_in_bbox(session, box, AssetFilter(kinds=kinds, words=(word,))):
            by_id[item.id] = item
            matched[item.id].append(word)
    return list(by_id.values()), matched


def _public_records(session: orm.Session, ids: Collection[int]) -> dict[int, dict]:
    records: dict[int, dict] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in session.execute(sa.select(*_PUBLIC_COLUMNS).where(Asset.id.in_(chunk))):
            record = dict(zip(PUBLIC_FIELDS, row, strict=True))
            record["kind"] = record["kind"].value
            records[record["id"]] = record
    return records


def _order(record: dict) -> tuple:
    if record["where"] == INSIDE:
        return (0, 0.0, record["kind"], record["title"].lower(), record["id"])
    return (1, record["distance_m"], "", "", record["id"])


def start_check(
    session: orm.Session, proposal: Proposal, *, by: int | None, now: dt.datetime | None = None
) -> StrengthCheck:
    """Store a new check and its first revision, run now."""
    begin_write(session)
    now = now or utcnow()
    check = StrengthCheck(created_by=by, created_at=now)
    session.add(check)
    _add_revision(session, check, proposal, by, "Started and run", now=now)
    return check


def revise_check(
    session: orm.Session,
    check_id: int,
    proposal: Proposal,
    *,
    by: int | None,
    change: str = "Proposal changed and run again",
) -> CheckRevision:
    """Run a changed proposal as a new revision; a decision made on the old findings stays
    with the old revision."""
    begin_write(session)
    return _add_revision(session, require_check(session, check_id), proposal, by, change)


def rerun_check(session: orm.Session, check_id: int, *, by: int | None) -> CheckRevision:
    """Run the current proposal again on today's map, as a new revision awaiting a decision;
    the decision in force stays with the revision it was made on."""
    check = require_check(session, check_id)
    proposal = Proposal.from_json(current(check).proposal)
    decided = in_force(check)
    change = "Run again on today's map; awaits a decision"
    if decided is not None:
        change += f" (the decision on revision {decided.number} stands until one is recorded)"
    return revise_check(session, check_id, proposal, by=by, change=change)


def preview_rerun(session: orm.Session, check: StrengthCheck) -> list[dict]:
    """Return what running the check's current proposal again would find now; nothing is
    stored."""
    return find_strengths(session, Proposal.from_json(current(check).proposal))


def record_decision(
    session: orm.Session, check_id: int, decision: Decision, *, by: int | None
) -> CheckRevision:
    """Record a decision as a new revision holding the current proposal and findings."""
    begin_write(session)
    check = require_check(session, check_id)
    latest = current(check)
    revision = CheckRevision(
        number=latest.number + 1,
        name=latest.name,
        proposal=latest.proposal,
        findings=latest.findings,
        run_at=latest.run_at,
        decision=decision.as_json(),
        change="Decision recorded" if latest.decision is None else "Decision changed",
        made_by=by,
        made_at=utcnow(),
    )
    check.revisions.append(revision)
    session.flush()
    return revision


def publish_check(session: orm.Session, check_id: int, *, by: int | None) -> StrengthCheck:
    """Publish a check whose current revision holds a decision."""
    begin_write(session)
    check = require_check(session, check_id)
    if current(check).decision is None:
        raise ValidationError({"decision": _("record a decision before publishing the check")})
    if check.published_at is None:
        check.published_at, check.published_by = utcnow(), by
        session.flush()
    return check


def _add_revision(
    session: orm.Session,
    check: StrengthCheck,
    proposal: Proposal,
    by: int | None,
    change: str,
    *,
    now: dt.datetime | None = None,
) -> CheckRevision:
    now = now or utcnow()
    revision = CheckRevision(
        number=len(check.revisions) + 1,
        name=proposal.name,
        proposal=proposal.as_json(),
        findings=find_strengths(session, proposal),
        run_at=now,
        decision=None,
        change=change,
        made_by=by,
        made_at=now,
    )
    check.revisions.append(revision)
    session.flush()
    return revision


def get_check(session: orm.Session, check_id: int) -> StrengthCheck | None:
    """Return the check with this id, or None."""
    return session.get(StrengthCheck, check_id)


def require_check(session: orm.Session, check_id: int) -> StrengthCheck:
    """Return the check with this id, or raise CheckNotFound."""
    check = get_check(session, check_id)
    if check is None:
        raise CheckNotFound(check_id)
    return check


def current(check: StrengthCheck) -> CheckRevision:
    """Return the check's newest revision."""
    return check.revisions[-1]


def in_force(check: StrengthCheck) -> CheckRevision | None:
    """Return the check's newest revision holding a decision, or None.

    A published check shows this revision, with the findings its decision was made on, until
    a decision is recorded on a newer one.
    """
    return next((r for r in reversed(check.revisions) if r.decision is not None), None)


def revision_of(check: StrengthCheck, number: int) -> CheckRevision | None:
    """Return the check's revision with this number, or None."""
    return next((r for r in check.revisions if r.number == number), None)


def all_checks(session: orm.Session) -> list[StrengthCheck]:
    """Return every check, the most recently started first."""
    query = sa.select(StrengthCheck).order_by(
        StrengthCheck.created_at.desc(), StrengthCheck.id.desc()
    )
    return list(session.scalars(query))


def published_checks(session: orm.Session, limit: int | None = None) -> list[StrengthCheck]:
    """Return the published checks, the most recently published first."""
    query = (
        sa.select(StrengthCheck)
        .where(StrengthCheck.published_at.is_not(None))
        .order_by(StrengthCheck.published_at.desc(), StrengthCheck.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def add_response(
    session: orm.Session, check_id: int, draft: ResponseDraft, *, by: int | None
) -> CheckResponse:
    """Store a resident's response to a published check."""
    begin_write(session)
    check = require_check(session, check_id)
    if check.published_at is None:
        raise ValidationError({"check": _("only a published check can be answered")})
    response = CheckResponse(
        user_id=by,
        created_at=utcnow(),
        missed=draft.missed,
        take_part=draft.take_part.value if draft.take_part else "",
        comment=draft.comment,
        action_note="",
    )
    check.responses.append(response)
    session.flush()
    return response


def mark_acted_upon(
    session: orm.Session, check_id: int, response_id: int, note: str, *, by: int | None
) -> CheckResponse:
    """Mark a response to this check as acted upon, saying what was done."""
    begin_write(session)
    response = session.get(CheckResponse, response_id)
    if response is None or response.check_id != check_id:
        raise LookupError(
            _(
                "Response %(response)s to check %(check)s doesn't exist.",
                response=response_id,
                check=check_id,
            )
        )
    response.acted_on_at, response.acted_on_by, response.action_note = utcnow(), by, note
    session.flush()
    return response


def still_published(session: orm.Session, ids: Iterable[int]) -> dict[int, dt.date]:
    """Return which of these strengths are published now, with when each was last confirmed.

    Withdrawn and hidden strengths are not, nor is any whose owner's account was deleted.
    """
    wanted = sorted(set(ids))
    found: dict[int, dt.date] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            sa.select(Asset.id, Asset.last_confirmed, Asset.owner_id, User.email)
            .outerjoin(User, User.id == Asset.owner_id)
            .where(Asset.id.in_(wanted[start : start + _CHUNK]), Asset.status == Status.PUBLISHED)
        )
        for asset_id, confirmed, owner_id, email in session.execute(query):
            if owner_id is None or not _deleted_account(owner_id, email):
                found[asset_id] = confirmed
    return found


def _deleted_account(user_id: int, email: str | None) -> bool:
    # Deleting an account keeps its row under this address (``accounts.delete_account``).
    return email == f"deleted-{user_id}@invalid"
