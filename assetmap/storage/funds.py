"""Community fund rounds: open one (from scratch or from a strength check), change it until
voting opens, list them with their stage, and read one with its area.

A round is read from what a person typed (``read_round``): every field is checked before
anything is written, and every fault is named at once. Writes flush; the caller commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.checks import Proposal
from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import (
    TEXT_MAX,
    TITLE_MAX,
    Proposer,
    RoundDates,
    Stage,
    TieBreak,
    VotingMethod,
    parse_pounds,
    stage_on,
)
from assetmap.domain.i18n import _, format_date
from assetmap.domain.permissions import Actor, can_run_funds, can_use_neighbourhood
from assetmap.storage.checks import catchment_neighbourhoods, current, require_check
from assetmap.storage.database import begin_write
from assetmap.storage.models import FundRound, FundRoundArea, Neighbourhood

DATE_FIELDS = ("proposals_open", "proposals_close", "voting_open", "voting_close", "results_on")
# The stages in which a round may still be changed: voting has not opened.
CHANGEABLE = frozenset({Stage.UPCOMING, Stage.PROPOSING, Stage.CHECKING})
# A day as typed in a form's three boxes: (day, month, year).
Typed = tuple[str, str, str]


class RoundNotFound(LookupError):
    """No round has the id asked for."""

    def __init__(self, round_id: int) -> None:
        super().__init__(_("Fund round %(id)s doesn't exist.", id=round_id))
        self.round_id = round_id


class RoundFixed(ValueError):
    """The round can no longer be changed; the message says why."""


class OutsideScope(PermissionError):
    """The round's area reaches beyond the neighbourhoods this person may act in."""


@dataclass(frozen=True)
class RoundDraft:
    """A round as checked, ready to store."""

    title: str
    purpose: str
    budget_pence: int
    method: VotingMethod
    tie_break: TieBreak
    proposers: tuple[Proposer, ...]
    dates: RoundDates
    neighbourhoods: tuple[int, ...]


@dataclass(frozen=True)
class RoundView:
    """A round as pages show it: its stage today, and its area's neighbourhoods by name."""

    round: FundRound
    stage: Stage
    area: tuple[tuple[int, str], ...]  # (id, name), by name

    @property
    def area_names(self) -> list[str]:
        """Return the names of the round's neighbourhoods."""
        return [name for _id, name in self.area]


def dates_of(fund: FundRound) -> RoundDates:
    """Return a stored round's dates."""
    return RoundDates(*(getattr(fund, name) for name in DATE_FIELDS))


def stage_of(fund: FundRound, today: dt.date) -> Stage:
    """Return the stage a stored round is at on ``today``."""
    return stage_on(dates_of(fund), today, published=fund.published_at is not None)


def may_run(user: Actor | None, neighbourhoods: Collection[int]) -> bool:
    """Return whether the user may open or change a round over these neighbourhoods: staff,
    within their own neighbourhoods where they are limited to some."""
    return can_run_funds(user) and all(can_use_neighbourhood(user, n) for n in neighbourhoods)


def read_round(
    session: orm.Session, values: Mapping[str, Any], *, user: Actor | None
) -> RoundDraft:
    """Check a round as typed; raise ValidationError naming every field at fault.

    ``values`` holds ``title``, ``purpose``, ``budget`` (pounds as typed, "£1,250"), ``method``
    and ``tie_break`` (their values), ``proposers`` and ``neighbourhoods`` (lists of values and
    ids), and each of ``DATE_FIELDS`` as a ``dt.date``, a "YYYY-MM-DD" string or the
    ``(day, month, year)`` typed in a form.
    """
    errors: dict[str, str] = {}
    title = _text(values.get("title"), "title", TITLE_MAX, errors)
    purpose = _text(values.get("purpose"), "purpose", TEXT_MAX, errors)
    budget = _budget(values.get("budget"), errors)
    method = _choice(VotingMethod, values.get("method"), "method", errors)
    tie_break = _choice(TieBreak, values.get("tie_break"), "tie_break", errors)
    proposers = _proposers(values.get("proposers"), errors)
    days = {name: _day(values.get(name), name, errors) for name in DATE_FIELDS}
    dates = _dates(days, errors)
    neighbourhoods = _neighbourhoods(session, values.get("neighbourhoods"), user, errors)
    if errors or budget is None or dates is None:
        raise ValidationError(errors)
    return RoundDraft(title, purpose, budget, method, tie_break, proposers, dates, neighbourhoods)


def _text(value: Any, field: str, most: int, errors: dict[str, str]) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = _("is required")
    elif len(text) > most:
        errors[field] = _(
            "must be at most %(most)s characters: you wrote %(got)s", most=most, got=len(text)
        )
    return text


def _budget(value: Any, errors: dict[str, str]) -> int | None:
    if not str(value or "").strip():
        errors["budget"] = _("is required")
        return None
    try:
        return parse_pounds(str(value), "budget")
    except ValidationError as exc:
        errors.update(exc.errors)
        return None


def _choice(kind: type[Any], value: Any, field: str, errors: dict[str, str]) -> Any:
    if value in {member.value for member in kind}:
        return kind(value)
    errors[field] = _("choose one of the options") if not value else _("is not one of the options")
    return None


def _proposers(value: Any, errors: dict[str, str]) -> tuple[Proposer, ...]:
    given = list(value or [])
    known = {member.value for member in Proposer}
    if not given:
        errors["proposers"] = _("choose who may propose ideas")
    elif any(item not in known for item in given):
        errors["proposers"] = _("is not one of the options")
    return tuple(member for member in Proposer if member.value in given)


def _day(value: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        value = tuple(reversed(value.strip().split("-"))) if value.strip() else ("", "", "")
    parts = tuple(str(part).strip() for part in (value or ("", "", "")))
    if not any(parts):
        errors[field] = _("is required")
        return None
    try:
        day, month, year = (int(part) for part in parts) if _digits(parts) else (0, 0, 0)
        if not 1000 <= year <= 9999:
            raise ValueError(year)
        return dt.date(year, month, day)
    except ValueError:
        errors[field] = _("must be a real date, like 27 3 2027")
        return None


def _digits(parts: tuple[str, ...]) -> bool:
    return len(parts) == 3 and all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts)


def _dates(days: dict[str, dt.date | None], errors: dict[str, str]) -> RoundDates | None:
    if any(day is None for day in days.values()):
        return None
    dates = RoundDates(**days)  # type: ignore[arg-type]
    try:
        dates.check()
    except ValidationError as exc:
        errors.update(exc.errors)
        return None
    return dates


def _neighbourhoods(
    session: orm.Session, value: Any, user: Actor | None, errors: dict[str, str]
) -> tuple[int, ...]:
    given = [str(item).strip() for item in (value or [])]
    if not given:
        errors["neighbourhoods"] = _("choose at least one neighbourhood")
        return ()
    wanted = {int(item) for item in given if item.isascii() and item.isdigit() and len(item) < 10}
    found = set(
        session.scalars(sa.select(Neighbourhood.id).where(Neighbourhood.id.in_(sorted(wanted))))
    )
    if len(found) != len(set(given)):
        errors["neighbourhoods"] = _("choose neighbourhoods from the list")
    elif not all(can_use_neighbourhood(user, n) for n in found):
        errors["neighbourhoods"] = _("must be within your neighbourhoods")
    return tuple(sorted(found))


def create_round(
    session: orm.Session,
    values: Mapping[str, Any],
    *,
    user: Actor | None,
    check_id: int | None = None,
) -> FundRound:
    """Check and store a new round (started from strength check ``check_id`` where given)."""
    if not can_run_funds(user):
        raise OutsideScope(_("Only planners and admins may open a fund round."))
    draft = read_round(session, values, user=user)
    begin_write(session)
    fund = FundRound(check_id=check_id, created_by=user.id if user else None)
    _write(fund, draft)
    fund.areas = [FundRoundArea(neighbourhood_id=n) for n in draft.neighbourhoods]
    session.add(fund)
    session.flush()
    return fund


def change_round(
    session: orm.Session,
    round_id: int,
    values: Mapping[str, Any],
    *,
    user: Actor | None,
    today: dt.date,
) -> FundRound:
    """Check and store a round's changes; raise RoundFixed once voting has opened, and
    OutsideScope where the round or its new area reaches beyond the user's neighbourhoods."""
    begin_write(session)
    fund = changeable(session, round_id, user=user, today=today)
    draft = read_round(session, values, user=user)
    _write(fund, draft)
    held = {area.neighbourhood_id: area for area in fund.areas}
    for gone in set(held) - set(draft.neighbourhoods):
        fund.areas.remove(held[gone])
    fund.areas.extend(
        FundRoundArea(neighbourhood_id=n) for n in draft.neighbourhoods if n not in held
    )
    session.flush()
    return fund


def changeable(
    session: orm.Session, round_id: int, *, user: Actor | None, today: dt.date
) -> FundRound:
    """Return the round if this user may change it today; raise RoundNotFound, OutsideScope
    or RoundFixed (saying why) otherwise."""
    fund = require_round(session, round_id)
    if not may_run(user, [area.neighbourhood_id for area in fund.areas]):
        raise OutsideScope(_("Fund round %(id)s reaches beyond your neighbourhoods.", id=round_id))
    stage = stage_of(fund, today)
    if stage not in CHANGEABLE:
        raise RoundFixed(_fixed_reason(fund, stage))
    return fund


def _fixed_reason(fund: FundRound, stage: Stage) -> str:
    if stage is Stage.DECIDED:
        return _("The result of this round is published, so the round can no longer be changed.")
    return _(
        "Voting opened on %(day)s. Once voting opens, the budget, how people vote and how ties "
        "are broken are fixed, so the round can no longer be changed.",
        day=format_date(fund.voting_open),
    )


def _write(fund: FundRound, draft: RoundDraft) -> None:
    fund.title, fund.purpose = draft.title, draft.purpose
    fund.budget_pence, fund.method, fund.tie_break = (
        draft.budget_pence,
        draft.method,
        draft.tie_break,
    )
    fund.proposers = [member.value for member in draft.proposers]
    for name in DATE_FIELDS:
        setattr(fund, name, getattr(draft.dates, name))


def from_check(session: orm.Session, check_id: int) -> dict[str, Any]:
    """Return a new round's values prefilled from a strength check: "Fund what we found", over
    the neighbourhoods its catchment reaches (raise ``CheckNotFound`` for no such check)."""
    check = require_check(session, check_id)
    proposal = Proposal.from_json(current(check).proposal)
    reached = catchment_neighbourhoods(session, proposal.catchment)
    title = str(_("Fund what we found: %(name)s", name=proposal.name))
    purpose = str(_("Fund what we found: %(purpose)s", purpose=proposal.purpose))
    return {
        "title": title[:TITLE_MAX],
        "purpose": purpose[:TEXT_MAX],
        "neighbourhoods": [str(n) for n in sorted(n for n in reached if n is not None)],
    }


def get_round(session: orm.Session, round_id: int, *, today: dt.date) -> RoundView | None:
    """Return the round with its stage today and its area's names, or None."""
    fund = session.get(FundRound, round_id)
    if fund is None:
        return None
    areas = _areas(session, [fund.id])
    return RoundView(fund, stage_of(fund, today), tuple(areas.get(fund.id, ())))


def require_round(session: orm.Session, round_id: int) -> FundRound:
    """Return the round with this id, or raise RoundNotFound."""
    fund = session.get(FundRound, round_id)
    if fund is None:
        raise RoundNotFound(round_id)
    return fund


def list_rounds(session: orm.Session, *, today: dt.date) -> list[RoundView]:
    """Return every round, the newest first, with its stage today and its area's names."""
    query = sa.select(FundRound).order_by(FundRound.created_at.desc(), FundRound.id.desc())
    funds = list(session.scalars(query))
    areas = _areas(session, [fund.id for fund in funds])
    return [RoundView(f, stage_of(f, today), tuple(areas.get(f.id, ()))) for f in funds]


def _areas(session: orm.Session, round_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    query = (
        sa.select(FundRoundArea.round_id, Neighbourhood.id, Neighbourhood.name)
        .join(Neighbourhood, Neighbourhood.id == FundRoundArea.neighbourhood_id)
        .where(FundRoundArea.round_id.in_(sorted(set(round_ids))))
        .order_by(Neighbourhood.name, Neighbourhood.id)
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for round_id, n, name in session.execute(query):
        found.setdefault(round_id, []).append((n, name))
    return found


def round_neighbourhoods(session: orm.Session, round_id: int) -> frozenset[int]:
    """Return the ids of the neighbourhoods a round's area is made of."""
    query = sa.select(FundRoundArea.neighbourhood_id).where(FundRoundArea.round_id == round_id)
    return frozenset(session.scalars(query))
