"""Proposals to a community fund's round: adding one built on mapped strengths, asking a
skill's owner to agree, checking each against the round's rules, and reading them for pages.

A strength is read here at its public point and by its title and kind alone: nothing returned
names who owns a skill or who proposed an idea (``ProposalView.by`` says only in what capacity).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import (
    TEXT_MAX,
    TITLE_MAX,
    Consent,
    ProposalStatus,
    Stage,
    pounds,
)
from assetmap.domain.i18n import _, lazy
from assetmap.domain.permissions import can_propose, can_use_neighbourhood
from assetmap.domain.query import split_words
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.funds import round_neighbourhoods, stage_of
from assetmap.storage.models import (
    Asset,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    User,
    utcnow,
)

STRENGTHS_MAX = 10
CHOICES_MAX = 20
REASON_MAX = 1000
# A proposal may be checked, or withdrawn, until voting opens.
BEFORE_VOTING = frozenset({Stage.PROPOSING, Stage.CHECKING})


class ProposedBy(enum.StrEnum):
    """In what capacity someone proposed an idea: all the public is told of who did."""

    RESIDENT = "resident"
    GROUP = "group"
    CONNECTOR = "connector"
    ORGANISERS = "organisers"

    @property
    def label(self) -> str:
        return str(_BY_LABELS[self])


_BY_LABELS: dict[ProposedBy, Any] = {
    ProposedBy.RESIDENT: lazy("Proposed by a resident"),
    ProposedBy.GROUP: lazy("Proposed by a group"),
    ProposedBy.CONNECTOR: lazy("Proposed by a community connector for someone without an account"),
    ProposedBy.ORGANISERS: lazy("Proposed by the fund's organisers"),
}


@dataclasses.dataclass(frozen=True)
class Idea:
    """What someone proposes: checked by ``add_proposal``."""

    title: str
    summary: str
    who_will_do_it: str
    amount_pence: int
    strength_ids: tuple[int, ...]
    on_behalf: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class StrengthRef:
    """A strength a proposal builds on: its title and kind at its public point, never who
    owns it; ``consent`` says whether a skill's owner agreed."""

    asset_id: int
    kind: Kind
    title: str
    lon: float
    lat: float
    language: str
    consent: Consent

    @property
    def public(self) -> bool:
        """Return whether the public may see that the proposal builds on it."""
        return self.consent in (Consent.NOT_NEEDED, Consent.AGREED)


@dataclasses.dataclass(frozen=True)
class ProposalView:
    """A proposal as its pages show it, with the published strengths it names."""

    id: int
    round_id: int
    title: str
    summary: str
    who_will_do_it: str
    amount_pence: int
    status: ProposalStatus
    reason: str
    by: ProposedBy
    proposed_by: int | None
    created_at: dt.datetime
    strengths: list[StrengthRef]

    @property
    def amount(self) -> str:
        return pounds(self.amount_pence)

    @property
    def public_strengths(self) -> list[StrengthRef]:
        return [ref for ref in self.strengths if ref.public]

    @property
    def waiting_for(self) -> list[StrengthRef]:
        """Return the skills whose owners have not agreed (asked, or declined)."""
        return [ref for ref in self.strengths if not ref.public]


def lives_in(user: User, area: Collection[int]) -> bool:
    """Return whether the person says they live in the area, with a confirmed address."""
    return user.confirmed_at is not None and user.home_neighbourhood_id in area


def runs_a_group_in(session: orm.Session, user_id: int, area: Collection[int]) -> bool:
    """Return whether the person owns a published group filed in the area."""
    found = session.scalar(
        sa.select(Asset.id)
        .where(
            Asset.owner_id == user_id,
            Asset.kind == Kind.GROUP,
            Asset.status == Status.PUBLISHED,
            Asset.neighbourhood_id.in_(list(area)),
        )
        .limit(1)
    )
    return found is not None


def may_propose(
    session: orm.Session, fund: FundRound, user: User | None, *, on_behalf: bool
) -> bool:
    """Return whether the person may propose to the round: for themselves, as a resident or a
    group's owner; or ``on_behalf`` of someone without an account, as a connector (or staff)
    working in the area. Staff always may, as ``can_propose`` says."""
    if user is None:
        return False
    area = round_neighbourhoods(session, fund.id)
    if on_behalf:
        reaches = any(can_use_neighbourhood(user, n) for n in area)
        return reaches and can_propose(
            user, fund.proposers, lives_in_area=False, runs_a_group_in_area=False
        )
    # A connector's own rule is for someone without an account, never for themselves.
    for_themselves = [p for p in fund.proposers if p != "coach"]
    return can_propose(
        user,
        for_themselves,
        lives_in_area=lives_in(user, area),
        runs_a_group_in_area=runs_a_group_in(session, user.id, area),
    )


def _check_text(idea: Idea) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not idea.title.strip():
        errors["title"] = _("Enter a name for the idea")
    elif len(idea.title) > TITLE_MAX:
        errors["title"] = _("The name must be %(most)d characters or fewer", most=TITLE_MAX)
    if not idea.summary.strip():
        errors["summary"] = _("Say what the idea will do")
    elif len(idea.summary) > TEXT_MAX:
        said = _("What it will do must be %(most)d characters or fewer", most=TEXT_MAX)
        errors["summary"] = said
    if not idea.who_will_do_it.strip():
        errors["who_will_do_it"] = _("Say who will do it")
    elif len(idea.who_will_do_it) > TEXT_MAX:
        said = _("Who will do it must be %(most)d characters or fewer", most=TEXT_MAX)
        errors["who_will_do_it"] = said
    return errors


def _check_amount(idea: Idea, fund: FundRound) -> dict[str, str]:
    if idea.amount_pence <= 0:
        return {"amount": _("Enter an amount more than £0")}
    if idea.amount_pence > fund.budget_pence:
        said = _(
            "The amount must be at most the round's budget of %(budget)s",
            budget=pounds(fund.budget_pence),
        )
        return {"amount": said}
    return {}


def _strengths(
    session: orm.Session, ids: Sequence[int], area: Collection[int]
) -> tuple[list[tuple[int, Kind, int | None]], dict[str, str]]:
    """Return each chosen strength's id, kind and owner, or the error saying why not."""
    chosen = list(dict.fromkeys(ids))
    if not chosen:
        return [], {"strengths": _("Choose at least one strength the idea builds on")}
    if len(chosen) > STRENGTHS_MAX:
        said = _("Choose at most %(most)d strengths", most=STRENGTHS_MAX)
        return [], {"strengths": said}
    rows = session.execute(
        sa.select(Asset.id, Asset.kind, Asset.owner_id).where(
            Asset.id.in_(chosen),
            Asset.status == Status.PUBLISHED,
            Asset.neighbourhood_id.in_(list(area)),
        )
    ).all()
    if len(rows) != len(chosen):
        said = _("Choose only strengths on the map in this round's area")
        return [], {"strengths": said}
    if any(row.kind is Kind.SKILL and row.owner_id is None for row in rows):
        said = _("Choose only skills whose owner can be asked to agree")
        return [], {"strengths": said}
    return [(row.id, row.kind, row.owner_id) for row in rows], {}


def add_proposal(
    session: orm.Session, round_id: int, idea: Idea, *, by: User, today: dt.date
) -> tuple[FundProposal, list[int]]:
    """Add a proposal to a round taking ideas, all or nothing, or raise ``ValidationError``
    naming each field refused; return it and the skills whose owners must now be asked.

    A group or space needs nobody's agreement; a skill needs its owner's (asked here, unless
    the proposer is its owner)."""
    begin_write(session)
    fund = session.get(FundRound, round_id)
    if fund is None or stage_of(fund, today) is not Stage.PROPOSING:
        raise ValidationError({"round": _("This round is not taking ideas now.")})
    if not may_propose(session, fund, by, on_behalf=idea.on_behalf):
        raise ValidationError({"round": _("You cannot propose an idea to this round.")})
    area = round_neighbourhoods(session, round_id)
    chosen, problems = _strengths(session, idea.strength_ids, area)
    errors = _check_text(idea) | _check_amount(idea, fund) | problems
    if errors:
        raise ValidationError(errors)
    proposal = FundProposal(
        round_id=round_id,
        title=idea.title.strip(),
        summary=idea.summary.strip(),
        who_will_do_it=idea.who_will_do_it.strip(),
        amount_pence=idea.amount_pence,
        proposed_by=by.id,
        on_behalf=idea.on_behalf,
    )
    to_ask = [n for n, kind, owner in chosen if kind is Kind.SKILL and owner != by.id]
    for asset_id, kind, _owner in chosen:
        consent = Consent.NOT_NEEDED if kind is not Kind.SKILL else Consent.AGREED
        if asset_id in to_ask:
            consent = Consent.ASKED
        proposal.strengths.append(FundProposalStrength(asset_id=asset_id, consent=consent))
    session.add(proposal)
    session.flush()
    return proposal, to_ask


def _by() -> sa.ColumnElement[str]:
    """Return, for each proposal row, in what capacity it was proposed (``ProposedBy``)."""
    area = sa.select(FundRoundArea.neighbourhood_id).where(
        FundRoundArea.round_id == FundProposal.round_id
    )
    lives = sa.and_(User.confirmed_at.is_not(None), User.home_neighbourhood_id.in_(area))
    group = orm.aliased(Asset)
    runs = (
        sa.select(group.id)
        .where(
            group.owner_id == FundProposal.proposed_by,
            group.kind == Kind.GROUP,
            group.status == Status.PUBLISHED,
            group.neighbourhood_id.in_(area),
        )
        .exists()
    )
    return sa.case(
        (FundProposal.on_behalf, ProposedBy.CONNECTOR.value),
        (User.id.is_(None), ProposedBy.RESIDENT.value),
        (lives, ProposedBy.RESIDENT.value),
        (runs, ProposedBy.GROUP.value),
        else_=ProposedBy.ORGANISERS.value,
    )


def proposals_of(
    session: orm.Session, round_id: int, proposal_id: int | None = None
) -> list[ProposalView]:
    """Return a round's proposals (or the one of them asked for), oldest first, each with the
    published strengths it names: two queries."""
    query = (
        sa.select(FundProposal, _by())
        .outerjoin(User, User.id == FundProposal.proposed_by)
        .where(FundProposal.round_id == round_id)
        .order_by(FundProposal.created_at, FundProposal.id)
    )
    if proposal_id is not None:
        query = query.where(FundProposal.id == proposal_id)
    rows = session.execute(query).all()
    strengths = _strengths_of(session, [proposal.id for proposal, _by_value in rows])
    return [
        ProposalView(
            id=p.id,
            round_id=p.round_id,
            title=p.title,
            summary=p.summary,
            who_will_do_it=p.who_will_do_it,
            amount_pence=p.amount_pence,
            status=p.status,
            reason=p.reason,
            by=ProposedBy(by),
            proposed_by=p.proposed_by,
            created_at=p.created_at,
            strengths=strengths.get(p.id, []),
        )
        for p, by in rows
    ]


def get_proposal(session: orm.Session, round_id: int, proposal_id: int) -> ProposalView | None:
    """Return one proposal of a round as its page shows it, or None."""
    found = proposals_of(session, round_id, proposal_id)
    return found[0] if found else None


def _strengths_of(
    session: orm.Session, proposal_ids: Sequence[int]
) -> dict[int, list[StrengthRef]]:
    if not proposal_ids:
        return {}
    rows = session.execute(
        sa.select(
            FundProposalStrength.proposal_id,
            FundProposalStrength.consent,
            Asset.id,
            Asset.kind,
            Asset.title,
            Asset.public_lon,
            Asset.public_lat,
            Asset.language,
        )
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.proposal_id.in_(list(proposal_ids)),
            Asset.status == Status.PUBLISHED,
        )
        .order_by(FundProposalStrength.proposal_id, Asset.kind, Asset.title, Asset.id)
    ).all()
    found: dict[int, list[StrengthRef]] = defaultdict(list)
    for proposal_id, consent, asset_id, kind, title, lon, lat, language in rows:
        found[proposal_id].append(StrengthRef(asset_id, kind, title, lon, lat, language, consent))
    return found


@dataclasses.dataclass(frozen=True, slots=True)
class ConsentRequest:
    """A proposal that builds on someone's skill, waiting for them to agree: what it is and
    the round it is in, never who proposed it."""

    proposal_id: int
    round_id: int
    round_title: str
    title: str
    summary: str
    amount_pence: int
    skill_id: int
    skill_title: str
    skill_language: str

    @property
    def amount(self) -> str:
        return pounds(self.amount_pence)


def consent_requests(session: orm.Session, owner_id: int) -> list[ConsentRequest]:
    """Return the proposals waiting for the person to agree to their published skills being
    named, oldest first, in one query."""
    rows = session.execute(
        sa.select(
            FundProposal.id,
            FundRound.id,
            FundRound.title,
            FundProposal.title,
            FundProposal.summary,
            FundProposal.amount_pence,
            Asset.id,
            Asset.title,
            Asset.language,
        )
        .select_from(FundProposalStrength)
        .join(FundProposal, FundProposal.id == FundProposalStrength.proposal_id)
        .join(FundRound, FundRound.id == FundProposal.round_id)
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.consent == Consent.ASKED,
            Asset.owner_id == owner_id,
            Asset.kind == Kind.SKILL,
            Asset.status == Status.PUBLISHED,
        )
        .order_by(FundProposal.created_at, FundProposal.id, Asset.id)
    ).all()
    return [ConsentRequest(*row) for row in rows]


def answer_consent(
    session: orm.Session, proposal_id: int, skill_id: int, agree: bool, *, by: int
) -> None:
    """Record the skill's owner agreeing to, or declining, a proposal naming it, or raise
    ``ValidationError``: only its owner answers, and only a request still waiting."""
    begin_write(session)
    row = session.execute(
        sa.select(FundProposalStrength)
        .join(Asset, Asset.id == FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.proposal_id == proposal_id,
            FundProposalStrength.asset_id == skill_id,
            FundProposalStrength.consent == Consent.ASKED,
            Asset.owner_id == by,
            Asset.kind == Kind.SKILL,
        )
    ).scalar_one_or_none()
    if row is None:
        said = _("This request doesn't exist, or was already answered.")
        raise ValidationError({"request": said})
    row.consent = Consent.AGREED if agree else Consent.DECLINED
    session.flush()


def check_proposal(
    session: orm.Session,
    proposal_id: int,
    eligible: bool,
    reason: str,
    *,
    by: int,
    today: dt.date,
) -> FundProposal:
    """Mark a proposal eligible, or not eligible with the reason why, while its round takes
    or checks ideas; or raise ``ValidationError``. Permission is the caller's to check
    (``domain.permissions.can_run_funds``)."""
    begin_write(session)
    proposal = session.get(FundProposal, proposal_id)
    if proposal is None or stage_of(proposal.round, today) not in BEFORE_VOTING:
        raise ValidationError({"eligible": _("Ideas can only be checked before voting opens.")})
    reason = reason.strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Say why the idea is not eligible")})
    if len(reason) > REASON_MAX:
        said = _("The reason must be %(most)d characters or fewer", most=REASON_MAX)
        raise ValidationError({"reason": said})
    if eligible and _unagreed(session, proposal_id):
        said = _("It cannot be voted on until the owner of each skill it names has agreed.")
        raise ValidationError({"eligible": said})
    proposal.status = ProposalStatus.ELIGIBLE if eligible else ProposalStatus.NOT_ELIGIBLE
    proposal.reason = "" if eligible else reason
    proposal.checked_by, proposal.checked_at = by, utcnow()
    session.flush()
    return proposal


def _unagreed(session: orm.Session, proposal_id: int) -> bool:
    found = session.scalar(
        sa.select(FundProposalStrength.asset_id)
        .where(
            FundProposalStrength.proposal_id == proposal_id,
            FundProposalStrength.consent.in_([Consent.ASKED, Consent.DECLINED]),
        )
        .limit(1)
    )
    return found is not None


def withdraw_proposal(session: orm.Session, proposal_id: int, *, by: int, today: dt.date) -> None:
    """Take back one's own proposal before voting opens, or raise ``ValidationError``."""
    begin_write(session)
    proposal = session.get(FundProposal, proposal_id)
    if proposal is None or proposal.proposed_by != by:
        raise ValidationError(
            {"proposal": _("Only the person who proposed an idea can withdraw it.")}
        )
    if stage_of(proposal.round, today) not in BEFORE_VOTING:
        said = _("An idea can only be withdrawn before voting opens.")
        raise ValidationError({"proposal": said})
    session.delete(proposal)
    session.flush()


@dataclasses.dataclass(frozen=True, slots=True)
class StrengthChoice:
    """A strength someone may build an idea on: its title and kind, never who owns it."""

    id: int
    kind: Kind
    title: str
    language: str


def strength_choices(
    session: orm.Session,
    round_id: int,
    text: str,
    *,
    also: Sequence[int] = (),
    limit: int = CHOICES_MAX,
) -> list[StrengthChoice]:
    """Return the published strengths in the round's area whose title holds ``text`` or whose
    words match it, and those of ``also`` (chosen before) that still are there, in one query."""
    area = sa.select(FundRoundArea.neighbourhood_id).where(FundRoundArea.round_id == round_id)
    words = split_words(text)
    matches: list[sa.ColumnElement[bool]] = [Asset.id.in_(list(also))] if also else []
    if words:
        phrase = " ".join(text.split()).lower()
        matches.append(sa.func.lower(Asset.title).contains(phrase, autoescape=True))
        matches.append(backend_for(session).words_match(words))
    if not matches:
        return []
    rows = session.execute(
        sa.select(Asset.id, Asset.kind, Asset.title, Asset.language)
        .where(
            Asset.status == Status.PUBLISHED,
            Asset.neighbourhood_id.in_(area),
            sa.or_(*matches),
        )
        .order_by(Asset.title, Asset.id)
        .limit(limit + len(also))
    ).all()
    return [StrengthChoice(*row) for row in rows]


def skills_to_ask(session: orm.Session, asset_ids: Sequence[int]) -> list[tuple[User, str, str]]:
    """Return, for each of these published skills, its owner (to mail, never to show), its
    title and the language it is written in, in one query."""
    if not asset_ids:
        return []
    rows = session.execute(
        sa.select(User, Asset.title, Asset.language)
        .join(Asset, Asset.owner_id == User.id)
        .where(
            Asset.id.in_(list(asset_ids)),
            Asset.kind == Kind.SKILL,
            Asset.status == Status.PUBLISHED,
        )
        .order_by(Asset.id)
    ).all()
    return [(user, title, language) for user, title, language in rows]
