"""Secret ballots on SQLite and PostGIS: who may vote, one ballot a person, changed not added,
votes coaches record, the audit of them, and totals only once voting has closed."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import ProposalStatus, TieBreak, VotingMethod
from assetmap.storage import ballots
from assetmap.storage import database as db
from assetmap.storage import users as user_store
from assetmap.storage.models import (
    FundBallot,
    FundProposal,
    FundRound,
    FundRoundArea,
    FundVoter,
    Neighbourhood,
    utcnow,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

SECRET = b"the app's secret"
VOTING_DAY = dt.date(2027, 3, 10)
AFTER_CLOSE = dt.date(2027, 3, 22)
WEST = Area("west", "West End", box(-2.34, 51.22, -2.32, 51.24))
EAST = Area("east", "East Side", box(-2.32, 51.22, -2.30, 51.24))
# Market Place's postcode lies in the West End, BA11 1RZ just over in the East Side.
IN_AREA = "ba11 1jp"
OUTSIDE = "BA11 1RZ"


def neighbourhood(session: orm.Session, code: str) -> int:
    return session.scalars(sa.select(Neighbourhood.id).where(Neighbourhood.code == code)).one()


def add_round(
    session: orm.Session,
    *,
    method: VotingMethod = VotingMethod.BUDGET,
    budget_pence: int = 100_000,
    amounts: Sequence[int] = (40_000, 50_000, 30_000),
) -> tuple[int, list[int]]:
    """Add a round for the West End, voting 1-20 March 2027, with eligible proposals asking
    for ``amounts``; return its id and theirs."""
    if not session.scalar(sa.select(sa.func.count()).select_from(Neighbourhood)):
        replace_neighbourhoods(session, [WEST, EAST])
    round_ = FundRound(
        title="West End small grants",
        budget_pence=budget_pence,
        method=method,
        tie_break=TieBreak.SMALLER_FIRST,
        proposers=["resident"],
        proposals_open=dt.date(2027, 1, 1),
        proposals_close=dt.date(2027, 1, 31),
        voting_open=dt.date(2027, 3, 1),
        voting_close=dt.date(2027, 3, 20),
        results_on=dt.date(2027, 3, 31),
        areas=[FundRoundArea(neighbourhood_id=neighbourhood(session, "west"))],
    )
    session.add(round_)
    session.flush()
    proposals = [
        FundProposal(
            round_id=round_.id,
            title=f"Project {n}",
            amount_pence=amount,
            status=ProposalStatus.ELIGIBLE,
        )
        for n, amount in enumerate(amounts)
    ]
    session.add_all(proposals)
    session.commit()
    return round_.id, [proposal.id for proposal in proposals]


def add_resident(
    session: orm.Session, email: str, *, home: str | None = "west", confirmed: bool = True
) -> int:
    user = user_store.create_user(session, email)
    user.confirmed_at = utcnow() if confirmed else None
    user.home_neighbourhood_id = neighbourhood(session, home) if home else None
    session.commit()
    return user.id


def add_coach(session: orm.Session, email: str = "coach@example.org") -> int:
    coach = user_store.create_user(session, email, role="coach", display_name="Cal Coach")
    session.commit()
    return coach.id


def cast(session: orm.Session, round_id: int, user_id: int, chosen: Sequence[int]) -> bool:
    return ballots.cast(session, round_id, user_id, chosen, secret=SECRET, on=VOTING_DAY)


def record(
    session: orm.Session,
    round_id: int,
    coach_id: int,
    chosen: Sequence[int],
    name: str = "Dot Smith",
    postcode: str = IN_AREA,
    on: dt.date = VOTING_DAY,
) -> None:
    ballots.record(
        session,
        round_id,
        coach_id,
        name=name,
        postcode=postcode,
        chosen=chosen,
        secret=SECRET,
        on=on,
    )


def rows(session: orm.Session, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_resident_of_the_area_casts_one_ballot_and_reads_back_their_own_choices(
    session: orm.Session,
) -> None:
    round_id, (first, second, _third) = add_round(session)
    ann = add_resident(session, "ann@example.org")
    assert cast(session, round_id, ann, [first, second]) is True
    assert ballots.own_choices(session, round_id, ann, secret=SECRET) == [first, second]
    assert ballots.has_voted(session, round_id, ann)
    assert ballots.voter_count(session, round_id) == 1
    voter = session.scalars(sa.select(FundVoter)).one()
    assert (voter.user_id, voter.voted_on, voter.recorded_by) == (ann, VOTING_DAY, None)


def test_casting_again_replaces_the_ballot_and_never_adds_one(session: orm.Session) -> None:
    round_id, (first, second, third) = add_round(session)
    ann = add_resident(session, "ann@example.org")
    cast(session, round_id, ann, [first])
    assert cast(session, round_id, ann, [second, third]) is False
    assert ballots.own_choices(session, round_id, ann, secret=SECRET) == [second, third]
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (1, 1)


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ({"confirmed": False}, ballots.Refusal.CONFIRM_EMAIL),
        ({"home": None}, ballots.Refusal.NO_HOME),
        ({"home": "east"}, ballots.Refusal.OUTSIDE_AREA),
    ],
)
def test_only_confirmed_residents_of_the_area_may_vote(
    session: orm.Session, who: dict[str, object], why: ballots.Refusal
) -> None:
    round_id, proposals = add_round(session)
    user_id = add_resident(session, "bo@example.org", **who)  # type: ignore[arg-type]
    with pytest.raises(ballots.VoteRefused) as refused:
        cast(session, round_id, user_id, proposals[:1])
    assert refused.value.reason is why
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (0, 0)


@pytest.mark.parametrize("day", [dt.date(2027, 2, 28), dt.date(2027, 3, 21)])
def test_nobody_votes_before_voting_opens_or_after_it_closes(
    session: orm.Session, day: dt.date
) -> None:
    round_id, proposals = add_round(session)
    ann = add_resident(session, "ann@example.org")
    with pytest.raises(ballots.VoteRefused) as refused:
        ballots.cast(session, round_id, ann, proposals[:1], secret=SECRET, on=day)
    assert refused.value.reason is ballots.Refusal.NOT_OPEN
    round_ = session.get(FundRound, round_id)
    assert round_ is not None
    assert ballots.refusal(session, round_, None, VOTING_DAY) is ballots.Refusal.SIGN_IN


def test_a_ballot_over_the_budget_is_refused_whole_and_the_earlier_one_stands(
    session: orm.Session,
) -> None:
    round_id, (first, second, third) = add_round(session)
    ann = add_resident(session, "ann@example.org")
    cast(session, round_id, ann, [third])
    with pytest.raises(ValidationError) as refused:
        cast(session, round_id, ann, [first, second, third])
    assert "more than the budget" in str(refused.value.errors["choices"])
    assert ballots.own_choices(session, round_id, ann, secret=SECRET) == [third]
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (1, 1)


def test_a_ballot_naming_another_rounds_or_a_not_eligible_proposal_is_refused_whole(
    session: orm.Session,
) -> None:
    round_id, (first, second, _third) = add_round(session)
    _other_round, (elsewhere, *_rest) = add_round(session)
    session.get(FundProposal, second).status = ProposalStatus.NOT_ELIGIBLE  # type: ignore[union-attr]
    session.commit()
    ann = add_resident(session, "ann@example.org")
    for chosen in ([first, elsewhere], [first, second], [first, first], []):
        with pytest.raises(ValidationError):
            cast(session, round_id, ann, chosen)
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (0, 0)


def test_approval_voting_takes_any_number_whatever_they_cost(session: orm.Session) -> None:
    round_id, proposals = add_round(session, method=VotingMethod.APPROVAL, budget_pence=1_000)
    ann = add_resident(session, "ann@example.org")
    cast(session, round_id, ann, proposals)
    assert ballots.own_choices(session, round_id, ann, secret=SECRET) == proposals


def test_totals_are_refused_until_voting_has_closed(session: orm.Session) -> None:
    round_id, proposals = add_round(session)
    cast(session, round_id, add_resident(session, "ann@example.org"), proposals[:1])
    for day in (dt.date(2027, 1, 5), VOTING_DAY, dt.date(2027, 3, 20)):
        with pytest.raises(ballots.VotingNotClosed):
            ballots.totals(session, round_id, day)


def test_changing_a_ballot_moves_its_votes_in_the_totals(session: orm.Session) -> None:
    round_id, (first, second, third) = add_round(session)
    ann, bo, cy = (add_resident(session, f"{n}@example.org") for n in ("ann", "bo", "cy"))
    cast(session, round_id, ann, [first, second])
    cast(session, round_id, bo, [first])
    cast(session, round_id, cy, [second])
    cast(session, round_id, ann, [third])
    totals = ballots.totals(session, round_id, AFTER_CLOSE)
    assert totals == {first: 1, second: 1, third: 1}


def test_no_function_gives_anyones_choices_but_their_own_admins_included(
    session: orm.Session,
) -> None:
    round_id, (first, _second, third) = add_round(session)
    ann = add_resident(session, "ann@example.org")
    admin = user_store.create_user(session, "admin@example.org", role="admin")
    session.commit()
    cast(session, round_id, ann, [first, third])
    assert ballots.own_choices(session, round_id, admin.id, secret=SECRET) is None
    assert ballots.own_choices(session, round_id, ann, secret=b"another secret") is None
    assert ballots.has_voted(session, round_id, ann)
    assert not ballots.has_voted(session, round_id, admin.id)
    assert ballots.own_choices(session, round_id, ann, secret=SECRET) == [first, third]


def test_the_database_without_the_secret_shares_no_id_and_no_time_between_ballot_and_voter(
    session: orm.Session,
) -> None:
    assert {c.name for c in FundBallot.__table__.columns} == {"round_id", "holder", "chosen"}
    assert isinstance(FundVoter.__table__.c.voted_on.type, sa.Date)
    assert not isinstance(FundVoter.__table__.c.voted_on.type, sa.DateTime)
    round_id, (first, *_rest) = add_round(session)
    ann = add_resident(session, "ann@example.org")
    cast(session, round_id, ann, [first])
    voter = session.execute(sa.select(FundVoter.__table__)).one()._asdict()
    ballot = session.execute(sa.select(FundBallot.__table__)).one()._asdict()
    assert ballot["holder"] not in {str(value) for value in voter.values()}
    assert ballot["holder"] != ballots.holder(b"a guessed secret", round_id, ann)
    assert len(ballot["holder"]) == 64 and set(ballot["holder"]) <= set("0123456789abcdef")


def test_ballots_lie_in_a_shuffled_order_not_the_order_people_voted_in(
    session: orm.Session,
) -> None:
    round_id, (first, *_rest) = add_round(session)
    voters = [add_resident(session, f"voter{n}@example.org") for n in range(12)]
    for user_id in voters:
        cast(session, round_id, user_id, [first])
    in_voting_order = [ballots.holder(SECRET, round_id, user_id) for user_id in voters]
    # No ORDER BY: the order the database keeps its rows in (rowid, or ctid).
    stored = list(session.scalars(sa.text("SELECT holder FROM fund_ballot")))
    assert sorted(stored) == sorted(in_voting_order)
    assert stored != in_voting_order


def test_on_postgis_every_ballot_of_a_round_carries_the_same_writing_transaction(
    session: orm.Session,
) -> None:
    if session.bind.dialect.name != "postgresql":  # type: ignore[union-attr]
        pytest.skip("xmin is PostgreSQL's")
    round_id, (first, second, _third) = add_round(session)
    ann, bo, cy = (add_resident(session, f"{n}@example.org") for n in ("ann", "bo", "cy"))
    for user_id in (ann, bo, cy):
        cast(session, round_id, user_id, [first])
    cast(session, round_id, bo, [second])
    written = session.scalars(sa.text("SELECT DISTINCT xmin::text FROM fund_ballot")).all()
    assert len(written) == 1


def test_two_casts_by_one_person_at_once_leave_one_voter_and_one_ballot(
    database: db.Database,
) -> None:
    with database.session() as session:
        round_id, (first, second, third) = add_round(session)
        ann = add_resident(session, "ann@example.org")
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def vote(chosen: list[int]) -> None:
        try:
            with database.session() as session:
                start.wait()
                cast(session, round_id, ann, chosen)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    ways = ([first], [second], [third], [first, third])
    threads = [threading.Thread(target=vote, args=(chosen,)) for chosen in ways]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with database.session() as session:
        assert (rows(session, FundVoter), rows(session, FundBallot)) == (1, 1)
        chosen = ballots.own_choices(session, round_id, ann, secret=SECRET)
        assert chosen in ways


def test_a_coach_records_a_vote_that_counts_and_keeps_no_name_or_postcode(
    session: orm.Session,
) -> None:
    round_id, (first, second, _third) = add_round(session)
    coach = add_coach(session)
    record(session, round_id, coach, [first, second], name="  Dot   SMITH ")
    voter = session.scalars(sa.select(FundVoter)).one()
    assert voter.recorded_by == coach and voter.user_id is None
    stored = " ".join(
        str(value)
        for table in ("fund_voter", "fund_ballot")
        for row in session.execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608
        for value in row
    ).lower()
    assert "dot" not in stored and "smith" not in stored and "ba11" not in stored
    totals = ballots.totals(session, round_id, AFTER_CLOSE)
    assert (totals[first], totals[second]) == (1, 1)


def test_the_same_person_recorded_twice_by_any_coach_is_refused(session: orm.Session) -> None:
    round_id, (first, second, _third) = add_round(session)
    cal, dee = add_coach(session, "cal@example.org"), add_coach(session, "dee@example.org")
    record(session, round_id, cal, [first], name="Dot Smith", postcode="BA11 1JP")
    with pytest.raises(ballots.AlreadyRecorded):
        record(session, round_id, dee, [second], name="dot smith", postcode="ba111jp")
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (1, 1)


def test_a_recorded_vote_outside_the_area_or_at_an_unknown_postcode_is_refused(
    session: orm.Session,
) -> None:
    round_id, (first, *_rest) = add_round(session)
    coach = add_coach(session)
    for postcode, says in (
        (OUTSIDE, "not in the fund's area"),
        ("ZZ9 9ZZ", "do not know"),
        ("BA11", "full postcode"),
    ):
        with pytest.raises(ValidationError) as refused:
            record(session, round_id, coach, [first], postcode=postcode)
        assert says in str(refused.value.errors["postcode"])
    with pytest.raises(ValidationError) as refused:
        record(session, round_id, coach, [first], name="  ")
    assert "name" in refused.value.errors
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (0, 0)


def test_a_recorded_vote_is_refused_outside_voting_and_over_the_budget(
    session: orm.Session,
) -> None:
    round_id, proposals = add_round(session)
    coach = add_coach(session)
    with pytest.raises(ballots.VoteRefused):
        record(session, round_id, coach, proposals[:1], on=AFTER_CLOSE)
    with pytest.raises(ValidationError):
        record(session, round_id, coach, proposals)
    assert (rows(session, FundVoter), rows(session, FundBallot)) == (0, 0)


def test_the_audit_says_how_many_each_coach_recorded_and_on_which_days_never_for_whom(
    session: orm.Session,
) -> None:
    round_id, (first, *_rest) = add_round(session)
    cal, dee = add_coach(session, "cal@example.org"), add_coach(session, "dee@example.org")
    record(session, round_id, cal, [first], name="Dot Smith", on=dt.date(2027, 3, 2))
    record(session, round_id, cal, [first], name="Eve Jones", on=dt.date(2027, 3, 9))
    record(session, round_id, cal, [first], name="Fay Brown", on=dt.date(2027, 3, 9))
    record(session, round_id, dee, [first], name="Gus Green")
    cast(session, round_id, add_resident(session, "ann@example.org"), [first])
    audit = ballots.recorders(session, round_id)
    assert [(r.user_id, r.votes, r.days) for r in audit] == [
        (cal, 3, (dt.date(2027, 3, 2), dt.date(2027, 3, 9))),
        (dee, 1, (VOTING_DAY,)),
    ]
    assert set(vars(audit[0])) == {"user_id", "name", "votes", "days"}


def test_a_recorded_ballot_cannot_be_read_or_changed_by_anyone(session: orm.Session) -> None:
    round_id, (first, second, _third) = add_round(session)
    coach = add_coach(session)
    record(session, round_id, coach, [first])
    assert ballots.own_choices(session, round_id, coach, secret=SECRET) is None
    holder = session.scalars(sa.select(FundBallot.holder)).one()
    assert holder != ballots.holder(SECRET, round_id, coach)
    with pytest.raises(ballots.AlreadyRecorded):
        record(session, round_id, coach, [second])
