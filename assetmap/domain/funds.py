"""Community funds: a round of money for an area, proposals built on mapped strengths, a secret
vote by the people who live there, and a count anyone can redo from the published totals.

Money is whole pence (``int``), in pounds sterling. A round moves through its stages by its
dates (``stage_on``); nothing here reads a clock. The count (``count``) is a pure function of
the published totals, the budget and the round's tie-break rule, stated before voting opens:

1. proposals are ranked by votes, most first; a tie is broken by the round's rule;
2. down that ranking, each proposal is funded if what is left of the budget covers it, and
   otherwise skipped as no longer fitting, and the next one is tried.

So anyone with the totals can check the result.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assetmap.domain.errors import ValidationError
from assetmap.domain.i18n import _, lazy

TITLE_MAX = 120
TEXT_MAX = 4000
# The most a round may hold, in pence (£10 million): a guard against a slip of the keyboard.
BUDGET_MAX_PENCE = 10_000_000_00
# An amount as people type it: ASCII digits, commas only between thousands (so "12,50", a
# decimal comma, is refused rather than read as £1,250), and at most two digits of pence.
_AMOUNT = re.compile(r"(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<part>[0-9]{0,2}))?")
# More whole pounds than this many digits is over any budget: refused before converting.
_WHOLE_DIGITS_MAX = len(str(BUDGET_MAX_PENCE // 100))


class VotingMethod(enum.StrEnum):
    """How a voter chooses: projects whose amounts fit in the budget, or any number."""

    BUDGET = "budget"
    APPROVAL = "approval"

    @property
    def label(self) -> str:
        return str(_METHOD_LABELS[self])


class TieBreak(enum.StrEnum):
    """How proposals with the same number of votes are ordered, stated before voting opens."""

    SMALLER_FIRST = "smaller-first"
    EARLIER_FIRST = "earlier-first"

    @property
    def label(self) -> str:
        return str(_TIE_LABELS[self])


class Stage(enum.StrEnum):
    """Where a round is, by its dates and whether its result is published."""

    UPCOMING = "upcoming"
    PROPOSING = "proposing"
    CHECKING = "checking"
    VOTING = "voting"
    COUNTING = "counting"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        return str(_STAGE_LABELS[self])


class Proposer(enum.StrEnum):
    """Who a round lets propose: residents of its area, the owners of groups in it, and
    coaches (for someone without an account)."""

    RESIDENT = "resident"
    GROUP_OWNER = "group-owner"
    COACH = "coach"

    @property
    def label(self) -> str:
        return str(_PROPOSER_LABELS[self])


class ProposalStatus(enum.StrEnum):
    """Where a proposal is: sent, checked against the round's rules, then funded or not."""

    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not-eligible"
    FUNDED = "funded"
    NOT_FUNDED = "not-funded"

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])


class Consent(enum.StrEnum):
    """Whether a strength's owner agreed to a proposal building on it (a skill's must)."""

    NOT_NEEDED = "not-needed"
    ASKED = "asked"
    AGREED = "agreed"
    DECLINED = "declined"


_METHOD_LABELS: dict[VotingMethod, Any] = {
    VotingMethod.BUDGET: lazy("Choose projects that fit within the budget"),
    VotingMethod.APPROVAL: lazy("Approve as many projects as you like"),
}
_TIE_LABELS: dict[TieBreak, Any] = {
    TieBreak.SMALLER_FIRST: lazy("the project asking for less money comes first"),
    TieBreak.EARLIER_FIRST: lazy("the project proposed first comes first"),
}
_STAGE_LABELS: dict[Stage, Any] = {
    Stage.UPCOMING: lazy("Opening soon"),
    Stage.PROPOSING: lazy("Taking ideas"),
    Stage.CHECKING: lazy("Checking ideas"),
    Stage.VOTING: lazy("Voting"),
    Stage.COUNTING: lazy("Counting votes"),
    Stage.DECIDED: lazy("Decided"),
}
_PROPOSER_LABELS: dict[Proposer, Any] = {
    Proposer.RESIDENT: lazy("People who live in the area"),
    Proposer.GROUP_OWNER: lazy("People who run a group in the area"),
    Proposer.COACH: lazy("Community connectors, for someone without an account"),
}
_STATUS_LABELS: dict[ProposalStatus, Any] = {
    ProposalStatus.SUBMITTED: lazy("Waiting to be checked"),
    ProposalStatus.ELIGIBLE: lazy("Can be voted on"),
    ProposalStatus.NOT_ELIGIBLE: lazy("Not eligible"),
    ProposalStatus.FUNDED: lazy("Funded"),
    ProposalStatus.NOT_FUNDED: lazy("Not funded"),
}


@dataclass(frozen=True)
class RoundDates:
    """The days a round takes ideas, votes and gives its result (all inclusive)."""

    proposals_open: dt.date
    proposals_close: dt.date
    voting_open: dt.date
    voting_close: dt.date
    results_on: dt.date

    def check(self) -> None:
        """Raise ValidationError naming the first date out of order."""
        order = [
            ("proposals_close", self.proposals_open, self.proposals_close),
            ("voting_open", self.proposals_close, self.voting_open),
            ("voting_close", self.voting_open, self.voting_close),
            ("results_on", self.voting_close, self.results_on),
        ]
        # Voting opens after ideas close (they are checked in between), and the result is
        # given after the last day of voting: both days are inclusive.
        strict = ("voting_open", "results_on")
        for field, before, after in order:
            if after < before or (field in strict and after == before):
                raise ValidationError({field: _("must come after the date before it")})


def stage_on(dates: RoundDates, today: dt.date, *, published: bool) -> Stage:
    """Return the stage a round is at on ``today``."""
    if published:
        return Stage.DECIDED
    if today < dates.proposals_open:
        return Stage.UPCOMING
    if today <= dates.proposals_close:
        return Stage.PROPOSING
    if today < dates.voting_open:
        return Stage.CHECKING
    if today <= dates.voting_close:
        return Stage.VOTING
    return Stage.COUNTING


def pounds(pence: int) -> str:
    """Return an amount as people write it: "£1,250" or "£12.50"."""
    whole, part = divmod(abs(pence), 100)
    amount = f"£{whole:,}" if part == 0 else f"£{whole:,}.{part:02d}"
    return f"-{amount}" if pence < 0 else amount


def parse_pounds(text: str, field: str) -> int:
    """Return whole pence from "£1,250", "1250" or "12.50"; raise ValidationError naming
    ``field`` otherwise (or for nothing, or for more than the largest budget)."""
    found = _AMOUNT.fullmatch(text.strip().removeprefix("£").strip())
    if found is None:
        raise ValidationError({field: _("must be an amount of money, like 1250 or 1,250.50")})
    whole, part = found["whole"].replace(",", ""), found["part"] or ""
    if len(whole.lstrip("0")) > _WHOLE_DIGITS_MAX:
        raise ValidationError({field: _("must be at most %(most)s", most=pounds(BUDGET_MAX_PENCE))})
    pence = int(whole) * 100 + (int(part.ljust(2, "0")) if part else 0)
    if pence <= 0:
        raise ValidationError({field: _("must be more than £0")})
    if pence > BUDGET_MAX_PENCE:
        raise ValidationError({field: _("must be at most %(most)s", most=pounds(BUDGET_MAX_PENCE))})
    return pence


def check_ballot(
    method: VotingMethod,
    budget_pence: int,
    chosen: Sequence[int],
    amounts: Mapping[int, int],
) -> None:
    """Raise ValidationError (field ``choices``) unless ``chosen`` is a ballot the round
    accepts: proposals it can vote on (``amounts``: eligible proposal id to pence), each once,
    at least one, and, for a budget vote, together within the budget."""
    if not chosen:
        raise ValidationError({"choices": _("choose at least one project")})
    if len(set(chosen)) != len(chosen) or any(key not in amounts for key in chosen):
        raise ValidationError({"choices": _("choose only projects from this list, each once")})
    if method is VotingMethod.BUDGET:
        total = sum(amounts[key] for key in chosen)
        if total > budget_pence:
            raise ValidationError(
                {
                    "choices": _(
                        "add up to %(total)s, more than the budget of %(budget)s",
                        total=pounds(total),
                        budget=pounds(budget_pence),
                    )
                }
            )


@dataclass(frozen=True)
class Tally:
    """A proposal as the count sees it: its votes, amount and when it was proposed."""

    proposal_id: int
    votes: int
    amount_pence: int
    proposed_at: dt.datetime


@dataclass(frozen=True)
class Counted:
    """A proposal's place in the count: its rank, whether it was funded, and what was left
    of the budget after it was considered."""

    proposal_id: int
    rank: int
    votes: int
    amount_pence: int
    funded: bool
    left_pence: int


def ranking(tallies: Sequence[Tally], tie_break: TieBreak) -> list[Tally]:
    """Return the proposals most votes first, ties broken by the round's rule, then by id."""
    if tie_break is TieBreak.SMALLER_FIRST:
        return sorted(
            tallies, key=lambda t: (-t.votes, t.amount_pence, t.proposed_at, t.proposal_id)
        )
    return sorted(tallies, key=lambda t: (-t.votes, t.proposed_at, t.proposal_id))


def count(tallies: Sequence[Tally], budget_pence: int, tie_break: TieBreak) -> list[Counted]:
    """Return the result: down the ranking, fund each proposal the budget left still covers,
    skip any that no longer fits. A proposal with no votes is never funded."""
    left = budget_pence
    result = []
    for rank, tally in enumerate(ranking(tallies, tie_break), start=1):
        funded = tally.votes > 0 and tally.amount_pence <= left
        if funded:
            left -= tally.amount_pence
        result.append(
            Counted(tally.proposal_id, rank, tally.votes, tally.amount_pence, funded, left)
        )
    return result
