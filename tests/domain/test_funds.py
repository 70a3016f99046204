from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import (
    BUDGET_MAX_PENCE,
    RoundDates,
    Stage,
    Tally,
    TieBreak,
    VotingMethod,
    check_ballot,
    count,
    parse_pounds,
    pounds,
    ranking,
    stage_on,
)

DATES = RoundDates(
    proposals_open=dt.date(2027, 3, 1),
    proposals_close=dt.date(2027, 3, 31),
    voting_open=dt.date(2027, 4, 10),
    voting_close=dt.date(2027, 4, 24),
    results_on=dt.date(2027, 5, 1),
)
EARLY = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
LATE = dt.datetime(2027, 3, 20, 9, tzinfo=dt.UTC)


def tally(proposal_id: int, votes: int, pounds_asked: int, at: dt.datetime = EARLY) -> Tally:
    return Tally(proposal_id, votes, pounds_asked * 100, at)


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (dt.date(2027, 2, 28), Stage.UPCOMING),
        (dt.date(2027, 3, 1), Stage.PROPOSING),
        (dt.date(2027, 3, 31), Stage.PROPOSING),
        (dt.date(2027, 4, 1), Stage.CHECKING),
        (dt.date(2027, 4, 9), Stage.CHECKING),
        (dt.date(2027, 4, 10), Stage.VOTING),
        (dt.date(2027, 4, 24), Stage.VOTING),
        (dt.date(2027, 4, 25), Stage.COUNTING),
        (dt.date(2027, 5, 2), Stage.COUNTING),
    ],
)
def test_a_round_is_at_its_stage_on_each_boundary_day(today: dt.date, stage: Stage) -> None:
    assert stage_on(DATES, today, published=False) is stage


@pytest.mark.parametrize("today", [dt.date(2027, 2, 1), dt.date(2027, 4, 12)])
def test_a_published_round_is_decided_whatever_the_day(today: dt.date) -> None:
    assert stage_on(DATES, today, published=True) is Stage.DECIDED


def test_dates_in_order_pass_and_ideas_may_open_and_close_on_one_day() -> None:
    DATES.check()
    RoundDates(
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 1),
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 3),
    ).check()


@pytest.mark.parametrize(
    ("field", "day"),
    [
        ("proposals_close", dt.date(2027, 2, 28)),
        ("voting_open", dt.date(2027, 3, 31)),
        ("voting_open", dt.date(2027, 3, 15)),
        ("voting_close", dt.date(2027, 4, 9)),
        ("results_on", dt.date(2027, 4, 24)),
        ("results_on", dt.date(2027, 4, 1)),
    ],
)
def test_a_date_out_of_order_is_named(field: str, day: dt.date) -> None:
    dates = RoundDates(**{**DATES.__dict__, field: day})
    with pytest.raises(ValidationError) as caught:
        dates.check()
    assert {k: str(v) for k, v in caught.value.errors.items()} == {
        field: "must come after the date before it"
    }


@pytest.mark.parametrize(
    ("pence", "written"),
    [(125_000, "£1,250"), (1_250, "£12.50"), (5, "£0.05"), (0, "£0"), (-150, "-£1.50")],
)
def test_an_amount_is_written_as_people_write_it(pence: int, written: str) -> None:
    assert pounds(pence) == written


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£1,250", 125_000),
        ("1250", 125_000),
        ("12.50", 1_250),
        ("12.5", 1_250),
        ("  £ 7 ", 700),
        ("1,000,000", 100_000_000),
        ("10,000,000", BUDGET_MAX_PENCE),
    ],
)
def test_an_amount_is_read_as_people_type_it(typed: str, pence: int) -> None:
    assert parse_pounds(typed, "amount") == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "must be an amount of money, like 1250 or 1,250.50"),
        ("twelve", "must be an amount of money, like 1250 or 1,250.50"),
        ("-5", "must be an amount of money, like 1250 or 1,250.50"),
        ("12,50", "must be an amount of money, like 1250 or 1,250.50"),
        ("1,2,3", "must be an amount of money, like 1250 or 1,250.50"),
        ("1.234", "must be an amount of money, like 1250 or 1,250.50"),
        ("1e6", "must be an amount of money, like 1250 or 1,250.50"),
        ("١٢", "must be an amount of money, like 1250 or 1,250.50"),
        ("²", "must be an amount of money, like 1250 or 1,250.50"),
        ("１２", "must be an amount of money, like 1250 or 1,250.50"),
        ("12\x00", "must be an amount of money, like 1250 or 1,250.50"),
        ("$12", "must be an amount of money, like 1250 or 1,250.50"),
        ("0", "must be more than £0"),
        ("0.00", "must be more than £0"),
        ("10,000,000.01", "must be at most £10,000,000"),
        ("9" * 100_000, "must be at most £10,000,000"),
    ],
)
def test_hostile_amounts_are_refused_naming_the_field(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_pounds(typed, "budget")
    assert {k: str(v) for k, v in caught.value.errors.items()} == {"budget": message}


@given(st.integers(min_value=1, max_value=BUDGET_MAX_PENCE))
def test_an_amount_written_is_read_back_the_same(pence: int) -> None:
    assert parse_pounds(pounds(pence), "amount") == pence


@given(st.text(max_size=40))
def test_any_text_is_read_as_an_amount_or_refused_as_one(typed: str) -> None:
    try:
        pence = parse_pounds(typed, "amount")
    except ValidationError as exc:
        assert set(exc.errors) == {"amount"}
    else:
        assert 0 < pence <= BUDGET_MAX_PENCE


AMOUNTS = {1: 2_000_00, 2: 1_500_00, 3: 1_000_00}


def test_a_ballot_within_the_budget_is_accepted() -> None:
    check_ballot(VotingMethod.BUDGET, 3_500_00, [1, 2], AMOUNTS)


def test_an_approval_ballot_may_choose_beyond_the_budget() -> None:
    check_ballot(VotingMethod.APPROVAL, 1_000_00, [1, 2, 3], AMOUNTS)


@pytest.mark.parametrize(
    ("method", "chosen", "message"),
    [
        (VotingMethod.BUDGET, [], "choose at least one project"),
        (VotingMethod.APPROVAL, [], "choose at least one project"),
        (VotingMethod.BUDGET, [1, 1], "choose only projects from this list, each once"),
        (VotingMethod.APPROVAL, [3, 99], "choose only projects from this list, each once"),
        (VotingMethod.BUDGET, [1, 2, 3], "add up to £4,500, more than the budget of £3,500"),
    ],
)
def test_a_ballot_the_round_does_not_accept_is_refused(
    method: VotingMethod, chosen: list[int], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        check_ballot(method, 3_500_00, chosen, AMOUNTS)
    assert {k: str(v) for k, v in caught.value.errors.items()} == {"choices": message}


def test_most_votes_come_first() -> None:
    ranked = ranking([tally(1, 3, 100), tally(2, 9, 100), tally(3, 5, 100)], TieBreak.SMALLER_FIRST)
    assert [t.proposal_id for t in ranked] == [2, 3, 1]


def test_a_tie_goes_to_the_smaller_amount_then_the_earlier_proposal() -> None:
    tied = [tally(1, 5, 900), tally(2, 5, 300, LATE), tally(3, 5, 300, EARLY), tally(4, 6, 999)]
    ranked = ranking(tied, TieBreak.SMALLER_FIRST)
    assert [t.proposal_id for t in ranked] == [4, 3, 2, 1]


def test_a_tie_goes_to_the_earlier_proposal_whatever_it_asks() -> None:
    tied = [tally(1, 5, 300, LATE), tally(2, 5, 900, EARLY)]
    assert [t.proposal_id for t in ranking(tied, TieBreak.EARLIER_FIRST)] == [2, 1]


def test_a_tie_at_the_same_moment_goes_to_the_lower_id() -> None:
    tied = [tally(8, 5, 300), tally(3, 5, 300)]
    for rule in TieBreak:
        assert [t.proposal_id for t in ranking(tied, rule)] == [3, 8]


def test_a_project_that_no_longer_fits_is_skipped_and_a_smaller_one_below_funded() -> None:
    result = count(
        [tally(1, 10, 3_000), tally(2, 8, 2_500), tally(3, 6, 1_500), tally(4, 4, 500)],
        5_000_00,
        TieBreak.SMALLER_FIRST,
    )
    assert [(c.proposal_id, c.rank, c.funded, c.left_pence) for c in result] == [
        (1, 1, True, 2_000_00),
        (2, 2, False, 2_000_00),
        (3, 3, True, 500_00),
        (4, 4, True, 0),
    ]


def test_a_project_with_no_votes_is_never_funded_even_with_money_left() -> None:
    result = count([tally(1, 2, 100), tally(2, 0, 50)], 10_000_00, TieBreak.EARLIER_FIRST)
    assert [(c.proposal_id, c.funded) for c in result] == [(1, True), (2, False)]
    assert result[-1].left_pence == 9_900_00


def test_the_tie_break_decides_who_is_funded_when_only_one_fits() -> None:
    tied = [tally(1, 5, 400, EARLY), tally(2, 5, 300, LATE)]
    smaller = count(tied, 400_00, TieBreak.SMALLER_FIRST)
    earlier = count(tied, 400_00, TieBreak.EARLIER_FIRST)
    assert {c.proposal_id for c in smaller if c.funded} == {2}
    assert {c.proposal_id for c in earlier if c.funded} == {1}


TALLIES = st.lists(
    st.builds(
        Tally,
        proposal_id=st.integers(min_value=1, max_value=10_000),
        votes=st.integers(min_value=0, max_value=50),
        amount_pence=st.integers(min_value=1, max_value=5_000_00),
        proposed_at=st.datetimes(
            min_value=dt.datetime(2027, 1, 1), max_value=dt.datetime(2027, 2, 1)
        ),
    ),
    max_size=30,
    unique_by=lambda t: t.proposal_id,
)


@given(TALLIES, st.integers(min_value=1, max_value=20_000_00), st.sampled_from(TieBreak))
def test_the_funded_total_never_exceeds_the_budget(
    tallies: list[Tally], budget: int, rule: TieBreak
) -> None:
    result = count(tallies, budget, rule)
    funded = sum(c.amount_pence for c in result if c.funded)
    assert funded <= budget
    assert all(c.votes > 0 for c in result if c.funded)
    assert (result[-1].left_pence if result else budget) == budget - funded


@given(TALLIES, st.integers(min_value=1, max_value=20_000_00), st.sampled_from(TieBreak))
def test_the_count_is_the_same_in_whatever_order_the_totals_come(
    tallies: list[Tally], budget: int, rule: TieBreak
) -> None:
    shuffled = list(tallies)
    random.Random(len(tallies)).shuffle(shuffled)
    assert count(shuffled, budget, rule) == count(tallies, budget, rule)
    assert count(tallies, budget, rule) == count(tallies, budget, rule)


@given(TALLIES, st.integers(min_value=1, max_value=20_000_00), st.sampled_from(TieBreak))
def test_no_skipped_project_would_have_fit_in_what_was_left(
    tallies: list[Tally], budget: int, rule: TieBreak
) -> None:
    left = budget
    for counted in count(tallies, budget, rule):
        if counted.votes > 0 and not counted.funded:
            assert counted.amount_pence > left
        left = counted.left_pence
