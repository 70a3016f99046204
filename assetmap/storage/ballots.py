"""Voting in a community fund's round: who may vote, a secret ballot cast and changed until
voting closes, votes a coach records for someone without an account (and their audit), and
the totals, once voting has closed.

A ballot is held under a key only the running app can make: an HMAC of ``round:user`` under
the app's secret, which the web passes in as bytes. A person's own choices are read back by
making their key again; the database alone cannot join a ballot to its voter, as ``FundVoter``
and ``FundBallot`` share no id and no time. A recorded vote's ballot has a random key, so
nobody can read or change it later.

Nor does where or when a row was written give a ballot away. Each new ballot swaps places with
one chosen at random (``_place``), so the order rows lie in (SQLite's rowid, PostgreSQL's
ctid) is a shuffle, not the order people voted in; and every write rewrites all the round's
ballots (``_rewrite``), so on PostgreSQL they all carry the same writing transaction
(``xmin``), where otherwise a ballot's would be its voter's.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import ProposalStatus, RoundDates, Stage, check_ballot, stage_on
from assetmap.domain.i18n import _
from assetmap.domain.places import normalise, normalise_postcode
from assetmap.domain.provenance import local_day
from assetmap.storage.backends import backend_for
from assetmap.storage.database import begin_write
from assetmap.storage.models import (
    FundBallot,
    FundProposal,
    FundRound,
    FundRoundArea,
    FundVoter,
    Place,
    User,
    utcnow,
)
from assetmap.storage.neighbourhoods import locate

# Proposals that were on the ballot: eligible while voting, funded or not once counted.
ON_BALLOT = (ProposalStatus.ELIGIBLE, ProposalStatus.FUNDED, ProposalStatus.NOT_FUNDED)
NAME_MAX = 100
_FULL_POSTCODE = re.compile(r"^[A-Z0-9]{2,4} [0-9][A-Z]{2}$")
_TRIES = 3


class Refusal(enum.StrEnum):
    """Why someone may not vote in a round."""

    SIGN_IN = "sign-in"
    CONFIRM_EMAIL = "confirm-email"
    NO_HOME = "no-home"
    OUTSIDE_AREA = "outside-area"
    NOT_OPEN = "not-open"


class VoteRefused(Exception):
    """This person may not vote in this round now."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(f"Vote refused: {reason.value}.")
        self.reason = reason


class AlreadyRecorded(Exception):
    """A vote for this person (by name and postcode) is already recorded in the round."""


class VotingNotClosed(Exception):
    """Totals are asked for before voting has closed."""


class RoundNotFound(LookupError):
    """No round has the id asked for."""

    def __init__(self, round_id: int) -> None:
        super().__init__(f"Fund round {round_id} doesn't exist.")
        self.round_id = round_id


@dataclass(frozen=True)
class Recorder:
    """A coach's recorded votes in a round: how many, and on which days, never for whom."""

    user_id: int | None
    name: str
    votes: int
    days: tuple[dt.date, ...]


def today() -> dt.date:
    """Return the register's local day now."""
    return local_day(utcnow())


def stage_of(round_: FundRound, on: dt.date) -> Stage:
    """Return the stage the round is at on the day ``on``."""
    dates = RoundDates(
        round_.proposals_open,
        round_.proposals_close,
        round_.voting_open,
        round_.voting_close,
        round_.results_on,
    )
    return stage_on(dates, on, published=round_.published_at is not None)


def area_of(session: orm.Session, round_id: int) -> frozenset[int]:
    """Return the ids of the neighbourhoods of the round's area."""
    query = sa.select(FundRoundArea.neighbourhood_id).where(FundRoundArea.round_id == round_id)
    return frozenset(session.scalars(query))


def refusal(
    session: orm.Session, round_: FundRound, user: User | None, on: dt.date
) -> Refusal | None:
    """Return why ``user`` (None: a visitor) may not vote in the round on ``on``, or None."""
    if user is None:
        return Refusal.SIGN_IN
    if user.confirmed_at is None:
        return Refusal.CONFIRM_EMAIL
    if user.home_neighbourhood_id is None:
        return Refusal.NO_HOME
    if user.home_neighbourhood_id not in area_of(session, round_.id):
        return Refusal.OUTSIDE_AREA
    if stage_of(round_, on) is not Stage.VOTING:
        return Refusal.NOT_OPEN
    return None


def holder(secret: bytes, round_id: int, user_id: int) -> str:
    """Return the key a person's ballot in a round is held under."""
    return hmac.new(secret, f"{round_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def person_key(secret: bytes, round_id: int, name: str, postcode: str) -> str:
    """Return the key that tells a person whose vote a coach records from everyone else in
    the round (the round is in it, so the same person cannot be followed between rounds)."""
    message = f"person:{round_id}:{normalise(name)}:{postcode}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def options(session: orm.Session, round_id: int) -> list[FundProposal]:
    """Return the proposals people can vote for in the round, first proposed first."""
    query = (
        sa.select(FundProposal)
        .where(FundProposal.round_id == round_id, FundProposal.status == ProposalStatus.ELIGIBLE)
        .order_by(FundProposal.created_at, FundProposal.id)
    )
    return list(session.scalars(query))


def cast(
    session: orm.Session,
    round_id: int,
    user_id: int,
    chosen: Sequence[int],
    *,
    secret: bytes,
    on: dt.date,
) -> bool:
    """Cast the person's ballot, or replace the one they cast before, and commit; return
    whether it is their first. Raises VoteRefused, or ValidationError (``choices``) for a
    ballot the round does not accept, storing nothing."""
    for attempt in range(_TRIES):
        try:
            first = _cast_once(session, round_id, user_id, list(chosen), secret, on)
            session.commit()
            return first
        except sa.exc.IntegrityError:
            # The same person's other cast got there first: this one now replaces it.
            session.rollback()
            if attempt == _TRIES - 1:
                raise
        except Exception:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _cast_once(
    session: orm.Session, round_id: int, user_id: int, chosen: list[int], secret: bytes, on: dt.date
) -> bool:
    round_ = _locked_round(session, round_id)
    user = session.get(User, user_id, populate_existing=True)
    reason = refusal(session, round_, user, on)
    if reason is not None:
        raise VoteRefused(reason)
    _check(session, round_, chosen)
    key = holder(secret, round_id, user_id)
    voted = sa.select(FundVoter.id).where(
        FundVoter.round_id == round_id, FundVoter.user_id == user_id
    )
    if session.scalar(voted) is not None:
        updated = session.execute(
            sa.update(FundBallot)
            .where(FundBallot.round_id == round_id, FundBallot.holder == key)
            .values(chosen=chosen)
        )
        if updated.rowcount == 1:  # type: ignore[attr-defined]
            _rewrite(session, round_id)
            return False
    else:
        session.add(
            FundVoter(
                round_id=round_id,
                user_id=user_id,
                neighbourhood_id=user.home_neighbourhood_id if user else None,
                voted_on=on,
            )
        )
        session.flush()
    _place(session, round_id, key, chosen)
    return True


def _locked_round(session: orm.Session, round_id: int) -> FundRound:
    """Start a writing transaction holding the round's row, so one round's ballots are written
    one at a time (SQLite's write lock; a row lock on PostgreSQL)."""
    begin_write(session)
    query = sa.select(FundRound).where(FundRound.id == round_id).with_for_update()
    round_ = session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if round_ is None:
        raise RoundNotFound(round_id)
    return round_


def _check(session: orm.Session, round_: FundRound, chosen: list[int]) -> None:
    amounts = {proposal.id: proposal.amount_pence for proposal in options(session, round_.id)}
    check_ballot(round_.method, round_.budget_pence, chosen, amounts)


def _place(session: orm.Session, round_id: int, key: str, chosen: list[int]) -> None:
    """Add a ballot where a ballot chosen at random was, and that one as the newest row: an
    inside-out Fisher-Yates shuffle, so the rows' order is uniformly random at every size."""
    held = session.scalar(
        sa.select(sa.func.count()).select_from(FundBallot).where(FundBallot.round_id == round_id)
    )
    spot = secrets.randbelow((held or 0) + 1)
    if spot == held:
        session.execute(sa.insert(FundBallot).values(round_id=round_id, holder=key, chosen=chosen))
        _rewrite(session, round_id)
        return
    ballots = sa.select(FundBallot.holder, FundBallot.chosen).where(FundBallot.round_id == round_id)
    moved = session.execute(ballots.order_by(FundBallot.holder).offset(spot).limit(1)).one()
    session.execute(
        sa.update(FundBallot)
        .where(FundBallot.round_id == round_id, FundBallot.holder == moved.holder)
        .values(holder=key, chosen=chosen)
    )
    session.execute(
        sa.insert(FundBallot).values(round_id=round_id, holder=moved.holder, chosen=moved.chosen)
    )
    _rewrite(session, round_id)


def _rewrite(session: orm.Session, round_id: int) -> None:
    """Write every ballot of the round again, unchanged, in this transaction, where rows keep
    their writer's transaction id (PostgreSQL): then every ballot carries this vote's, and
    none points to its own voter's. SQLite keeps no such id, so nothing is rewritten there."""
    if not backend_for(session).stamps_writers:
        return
    session.execute(
        sa.update(FundBallot)
        .where(FundBallot.round_id == round_id)
        .values(chosen=FundBallot.chosen)
    )


def own_choices(
    session: orm.Session, round_id: int, user_id: int, *, secret: bytes
) -> list[int] | None:
    """Return the proposals the person chose in the round, or None if they have not voted.
    Only for the person themselves: a page passes the signed-in person's own id alone."""
    query = sa.select(FundBallot.chosen).where(
        FundBallot.round_id == round_id, FundBallot.holder == holder(secret, round_id, user_id)
    )
    chosen = session.scalar(query)
    return None if chosen is None else list(chosen)


def place_of(session: orm.Session, postcode: str) -> int | None:
    """Return the neighbourhood a full postcode lies in, by the gazetteer (the postcode, else
    its sector); raise ValidationError (``postcode``) for one it does not know."""
    code = normalise_postcode(postcode)
    if code is None or not _FULL_POSTCODE.match(code):
        raise ValidationError({"postcode": _("Enter a full postcode, like BA11 1JP")})
    for key in (code, code[:-2]):
        query = sa.select(Place.lon, Place.lat).where(
            Place.kind == "postcode", Place.key == normalise(key)
        )
        found = session.execute(query.limit(1)).first()
        if found is not None:
            return locate(session, [found.lon], [found.lat])[0]
    raise ValidationError({"postcode": _("We do not know this postcode: check it is right")})


def record(
    session: orm.Session,
    round_id: int,
    coach_id: int,
    *,
    name: str,
    postcode: str,
    chosen: Sequence[int],
    secret: bytes,
    on: dt.date,
) -> None:
    """Record, and commit, the vote of someone without an account that a coach took: their
    name and postcode are never stored, only a key made from them. Raises ValidationError
    naming the field, AlreadyRecorded, or VoteRefused (``NOT_OPEN``); stores nothing then."""
    try:
        _record_once(session, round_id, coach_id, name, postcode, list(chosen), secret, on)
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        raise AlreadyRecorded from None
    except Exception:
        session.rollback()
        raise


def _record_once(
    session: orm.Session,
    round_id: int,
    coach_id: int,
    name: str,
    postcode: str,
    chosen: list[int],
    secret: bytes,
    on: dt.date,
) -> None:
    name = " ".join(name.split())
    if not normalise(name):
        raise ValidationError({"name": _("Enter their name")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("Their name must be at most %(most)d characters", most=NAME_MAX)}
        )
    round_ = _locked_round(session, round_id)
    if stage_of(round_, on) is not Stage.VOTING:
        raise VoteRefused(Refusal.NOT_OPEN)
    neighbourhood = place_of(session, postcode)
    if neighbourhood is None or neighbourhood not in area_of(session, round_id):
        raise ValidationError({"postcode": _("This postcode is not in the fund's area")})
    _check(session, round_, chosen)
    key = person_key(secret, round_id, name, normalise_postcode(postcode) or "")
    taken = sa.select(FundVoter.id).where(
        FundVoter.round_id == round_id, FundVoter.person_key == key
    )
    if session.scalar(taken) is not None:
        raise AlreadyRecorded
    session.add(
        FundVoter(
            round_id=round_id,
            person_key=key,
            recorded_by=coach_id,
            neighbourhood_id=neighbourhood,
            voted_on=on,
        )
    )
    session.flush()
    _place(session, round_id, secrets.token_hex(32), chosen)


def voter_count(session: orm.Session, round_id: int) -> int:
    """Return how many people have voted in the round so far."""
    query = sa.select(sa.func.count()).select_from(FundVoter).where(FundVoter.round_id == round_id)
    return session.scalar(query) or 0


def has_voted(session: orm.Session, round_id: int, user_id: int) -> bool:
    """Return whether the person has voted in the round."""
    query = sa.select(FundVoter.id).where(
        FundVoter.round_id == round_id, FundVoter.user_id == user_id
    )
    return session.scalar(query) is not None


def recorders(session: orm.Session, round_id: int) -> list[Recorder]:
    """Return, for each coach who recorded votes in the round, how many and on which days,
    most first; never for whom."""
    query = (
        sa.select(
            FundVoter.recorded_by,
            User.display_name,
            User.email,
            FundVoter.voted_on,
            sa.func.count(),
        )
        .outerjoin(User, User.id == FundVoter.recorded_by)
        .where(FundVoter.round_id == round_id, FundVoter.person_key.is_not(None))
        .group_by(FundVoter.recorded_by, User.display_name, User.email, FundVoter.voted_on)
    )
    found: dict[int | None, Recorder] = {}
    for coach, display_name, email, day, votes in session.execute(query):
        was = found.get(coach) or Recorder(coach, display_name or email or "", 0, ())
        found[coach] = Recorder(coach, was.name, was.votes + votes, tuple(sorted({*was.days, day})))
    return sorted(found.values(), key=lambda r: (-r.votes, r.name, r.user_id or 0))


def totals(session: orm.Session, round_id: int, on: dt.date | None = None) -> dict[int, int]:
    """Return each proposal on the round's ballot and how many ballots chose it (0 included);
    raise VotingNotClosed while the round is still voting, or before."""
    round_ = session.get(FundRound, round_id)
    if round_ is None:
        raise RoundNotFound(round_id)
    if stage_of(round_, on or today()) not in (Stage.COUNTING, Stage.DECIDED):
        raise VotingNotClosed(f"Voting in fund round {round_id} has not closed.")
    proposals = sa.select(FundProposal.id).where(
        FundProposal.round_id == round_id, FundProposal.status.in_(ON_BALLOT)
    )
    counted = {proposal_id: 0 for proposal_id in session.scalars(proposals)}
    ballots = sa.select(FundBallot.chosen).where(FundBallot.round_id == round_id)
    votes = Counter(choice for chosen in session.scalars(ballots) for choice in chosen)
    return {proposal_id: votes[proposal_id] for proposal_id in sorted(counted)}
