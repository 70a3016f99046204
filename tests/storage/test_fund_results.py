from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.errors import ValidationError
from assetmap.domain.funds import Consent, ProposalStatus, TieBreak, VotingMethod
from assetmap.storage import assets as asset_store
from assetmap.storage import fund_results as results
from assetmap.storage import users
from assetmap.storage.database import Database
from assetmap.storage.models.funds import (
    FundBallot,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundUpdate,
)

VOTING = dt.date(2027, 3, 10)
COUNTING = dt.date(2027, 3, 20)
PROPOSED = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


def add_round(
    session: orm.Session, budget: int = 1000_00, tie_break: TieBreak = TieBreak.SMALLER_FIRST
) -> FundRound:
    fund_round = FundRound(
        title="Spring fund",
        budget_pence=budget,
        method=VotingMethod.APPROVAL,
        tie_break=tie_break,
        proposers=["resident"],
        proposals_open=dt.date(2027, 1, 1),
        proposals_close=dt.date(2027, 2, 28),
        voting_open=dt.date(2027, 3, 1),
        voting_close=dt.date(2027, 3, 14),
        results_on=dt.date(2027, 3, 21),
    )
    session.add(fund_round)
    session.flush()
    return fund_round


def add_proposal(
    session: orm.Session,
    fund_round: FundRound,
    title: str,
    amount: int,
    *,
    status: ProposalStatus = ProposalStatus.ELIGIBLE,
    minutes: int = 0,
) -> int:
    proposal = FundProposal(
        round_id=fund_round.id,
        title=title,
        amount_pence=amount,
        status=status,
        created_at=PROPOSED + dt.timedelta(minutes=minutes),
    )
    session.add(proposal)
    session.flush()
    return proposal.id


def vote(session: orm.Session, fund_round: FundRound, *ballots: list[int]) -> None:
    for number, chosen in enumerate(ballots):
        holder = f"{number:064x}"
        session.add(FundBallot(round_id=fund_round.id, holder=holder, chosen=chosen))
    session.flush()


def by_title(session: orm.Session, fund_round: FundRound) -> dict[str, dict[str, Any]]:
    assert fund_round.result is not None
    return {line["title"]: line for line in fund_round.result["proposals"]}


def test_the_count_is_what_anyone_gets_again_from_the_published_totals(
    session: orm.Session,
) -> None:
    fund_round = add_round(session, budget=850_00)
    a = add_proposal(session, fund_round, "Allotment tools", 400_00)
    b = add_proposal(session, fund_round, "Choir music", 300_00, minutes=1)
    c = add_proposal(session, fund_round, "Cafe oven", 500_00, minutes=2)
    d = add_proposal(session, fund_round, "Bike trailer", 150_00, minutes=3)
    vote(session, fund_round, [a, b], [a, c], [c], [b, d], [a, c, d], [c])
    results.count_round(session, fund_round.id, today=COUNTING)
    results.publish(session, fund_round.id, by=None, today=COUNTING)
    session.commit()
    published = json.loads(json.dumps(session.get_one(FundRound, fund_round.id).result))
    again = results.recount(published)
    assert [(n.proposal_id, n.rank, n.funded, n.left_pence) for n in again] == [
        (line["proposal_id"], line["rank"], line["funded"], line["left_pence"])
        for line in published["proposals"]
    ]
    assert [n.proposal_id for n in again if n.funded] == [c, d]
    assert published["ballots"] == 6


def test_a_project_that_no_longer_fits_is_skipped_and_the_next_is_funded(
    session: orm.Session,
) -> None:
    fund_round = add_round(session, budget=1000_00)
    big = add_proposal(session, fund_round, "Hall roof", 700_00)
    wide = add_proposal(session, fund_round, "Park benches", 400_00)
    small = add_proposal(session, fund_round, "Seed library", 250_00)
    vote(session, fund_round, [big, wide, small], [big, wide, small], [big, wide], [big])
    results.count_round(session, fund_round.id, today=COUNTING)
    lines = by_title(session, fund_round)
    assert (lines["Hall roof"]["funded"], lines["Hall roof"]["left_pence"]) == (True, 300_00)
    assert (lines["Park benches"]["funded"], lines["Park benches"]["left_pence"]) == (
        False,
        300_00,
    )
    assert (lines["Seed library"]["funded"], lines["Seed library"]["left_pence"]) == (True, 50_00)
    assert [line["rank"] for line in lines.values()] == [1, 2, 3]


@pytest.mark.parametrize(
    ("tie_break", "first"),
    [(TieBreak.SMALLER_FIRST, "Later but smaller"), (TieBreak.EARLIER_FIRST, "Earlier")],
)
def test_a_tie_is_broken_by_the_rule_the_round_stated(
    session: orm.Session, tie_break: TieBreak, first: str
) -> None:
    fund_round = add_round(session, budget=600_00, tie_break=tie_break)
    earlier = add_proposal(session, fund_round, "Earlier", 500_00)
    later = add_proposal(session, fund_round, "Later but smaller", 300_00, minutes=5)
    vote(session, fund_round, [earlier], [later])
    results.count_round(session, fund_round.id, today=COUNTING)
    lines = by_title(session, fund_round)
    assert lines[first]["rank"] == 1 and lines[first]["funded"]
    assert not [line for line in lines.values() if line["rank"] == 2][0]["funded"]
    assert fund_round.result is not None
    assert fund_round.result["rule"]["tie_break"] == tie_break.value
    assert tie_break.label in fund_round.result["rule"]["words"]


def test_only_eligible_proposals_are_counted(session: orm.Session) -> None:
    fund_round = add_round(session)
    kept = add_proposal(session, fund_round, "Allotment tools", 100_00)
    refused = add_proposal(
        session, fund_round, "Refused", 100_00, status=ProposalStatus.NOT_ELIGIBLE
    )
    waiting = add_proposal(session, fund_round, "Waiting", 100_00, status=ProposalStatus.SUBMITTED)
    vote(session, fund_round, [kept, refused, waiting], [refused])
    results.count_round(session, fund_round.id, today=COUNTING)
    assert list(by_title(session, fund_round)) == ["Allotment tools"]


@pytest.mark.parametrize("today", [dt.date(2027, 2, 1), VOTING, dt.date(2027, 3, 14)])
def test_votes_are_not_counted_before_voting_has_closed(
    session: orm.Session, today: dt.date
) -> None:
    fund_round = add_round(session)
    add_proposal(session, fund_round, "Allotment tools", 100_00)
    with pytest.raises(ValidationError) as refused:
        results.count_round(session, fund_round.id, today=today)
    assert "voting has closed" in str(refused.value.errors["round"])
    with pytest.raises(ValidationError):
        results.preview(session, fund_round.id, today=today)
    assert fund_round.result is None and fund_round.counted_at is None


def test_a_result_is_not_published_before_it_is_counted(session: orm.Session) -> None:
    fund_round = add_round(session)
    add_proposal(session, fund_round, "Allotment tools", 100_00)
    with pytest.raises(ValidationError) as refused:
        results.publish(session, fund_round.id, by=None, today=COUNTING)
    assert "Count the votes" in str(refused.value.errors["round"])
    assert fund_round.published_at is None


def test_a_result_is_published_once_and_then_never_counted_again(session: orm.Session) -> None:
    planner = users.create_user(session, "pat@example.org", role="planner")
    fund_round = add_round(session)
    funded = add_proposal(session, fund_round, "Allotment tools", 100_00)
    unvoted = add_proposal(session, fund_round, "Nobody wanted it", 100_00)
    vote(session, fund_round, [funded])
    results.count_round(session, fund_round.id, today=COUNTING)
    results.publish(session, fund_round.id, by=planner.id, today=COUNTING)
    session.commit()
    assert fund_round.published_by == planner.id and fund_round.published_at is not None
    assert session.get_one(FundProposal, funded).status is ProposalStatus.FUNDED
    assert session.get_one(FundProposal, unvoted).status is ProposalStatus.NOT_FUNDED
    first = dict(fund_round.result or {})
    with pytest.raises(ValidationError) as twice:
        results.publish(session, fund_round.id, by=None, today=COUNTING)
    assert "already published" in str(twice.value.errors["round"])
    with pytest.raises(ValidationError) as recounted:
        results.count_round(session, fund_round.id, today=COUNTING)
    assert "already published" in str(recounted.value.errors["round"])
    session.rollback()
    assert session.get_one(FundRound, fund_round.id).result == first


def test_a_second_planner_publishing_what_they_saw_before_is_refused(
    database: Database, session: orm.Session
) -> None:
    fund_round = add_round(session)
    add_proposal(session, fund_round, "Allotment tools", 100_00)
    session.commit()
    with database.session() as other:
        seen = other.get_one(FundRound, fund_round.id)
        other.commit()
        results.count_round(session, fund_round.id, today=COUNTING)
        results.publish(session, fund_round.id, by=None, today=COUNTING)
        session.commit()
        assert seen.published_at is None
        with pytest.raises(ValidationError) as refused:
            results.publish(other, fund_round.id, by=None, today=COUNTING)
        assert "already published" in str(refused.value.errors["round"])


def test_a_publish_that_fails_changes_nothing(session: orm.Session) -> None:
    fund_round = add_round(session)
    funded = add_proposal(session, fund_round, "Allotment tools", 100_00)
    vote(session, fund_round, [funded])
    results.count_round(session, fund_round.id, today=COUNTING)
    session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        results.publish(session, fund_round.id, by=987654, today=COUNTING)
    session.rollback()
    assert session.get_one(FundRound, fund_round.id).published_at is None
    assert session.get_one(FundProposal, funded).status is ProposalStatus.ELIGIBLE


def test_the_stored_result_holds_totals_and_never_a_ballot(session: orm.Session) -> None:
    fund_round = add_round(session)
    a = add_proposal(session, fund_round, "Allotment tools", 100_00)
    b = add_proposal(session, fund_round, "Choir music", 100_00)
    vote(session, fund_round, [a, b], [b])
    results.count_round(session, fund_round.id, today=COUNTING)
    results.publish(session, fund_round.id, by=None, today=COUNTING)
    session.commit()
    result = session.get_one(FundRound, fund_round.id).result
    assert result is not None
    assert set(result) == {"rule", "budget_pence", "ballots", "proposals"}
    assert {key for line in result["proposals"] for key in line} == {
        "proposal_id",
        "title",
        "proposed_at",
        "votes",
        "amount_pence",
        "rank",
        "funded",
        "left_pence",
    }
    stored = json.dumps(result)
    holders = session.scalars(sa.select(FundBallot.holder)).all()
    assert holders and not any(holder in stored for holder in holders)
    assert "chosen" not in stored and "holder" not in stored


def test_an_update_is_for_a_funded_project_only(session: orm.Session) -> None:
    fund_round = add_round(session)
    funded = add_proposal(session, fund_round, "Allotment tools", 100_00)
    lost = add_proposal(session, fund_round, "Choir music", 100_00)
    vote(session, fund_round, [funded])
    results.count_round(session, fund_round.id, today=COUNTING)
    results.publish(session, fund_round.id, by=None, today=COUNTING)
    session.commit()
    proposal = results.funded_proposal(session, fund_round.id, lost)
    with pytest.raises(ValidationError) as refused:
        results.add_update(session, proposal, "We began.", milestone=False, by=None)
    assert "funded" in str(refused.value.errors["proposal"])
    session.rollback()
    done = results.funded_proposal(session, fund_round.id, funded)
    results.add_update(session, done, "  Tools bought.  ", milestone=True, by=None)
    session.commit()
    assert [(u.body, u.milestone) for u in session.scalars(sa.select(FundUpdate))] == [
        ("Tools bought.", True)
    ]


@pytest.mark.parametrize(("body", "said"), [("   ", "Say what"), ("x" * 4001, "4000")])
def test_an_update_says_something_and_not_too_much(
    session: orm.Session, body: str, said: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        results.check_update(body)
    assert said in str(refused.value.errors["body"])


def test_a_proposal_of_another_round_is_not_found(session: orm.Session) -> None:
    one, other = add_round(session), add_round(session)
    elsewhere = add_proposal(session, other, "Elsewhere", 100_00)
    with pytest.raises(results.ProposalNotFound):
        results.funded_proposal(session, one.id, elsewhere)


def test_the_log_reads_published_rounds_and_funded_updates_newest_first(
    session: orm.Session,
) -> None:
    older, newer, unpublished = add_round(session), add_round(session), add_round(session)
    older.title, newer.title = "Older fund", "Newer fund"
    ids = {}
    for fund_round in (older, newer, unpublished):
        ids[fund_round.id] = add_proposal(session, fund_round, f"Idea {fund_round.id}", 100_00)
        vote(session, fund_round, [ids[fund_round.id]])
    for fund_round in (older, newer):
        results.count_round(session, fund_round.id, today=COUNTING)
        results.publish(session, fund_round.id, by=None, today=COUNTING)
        session.commit()
    newer_proposal = session.get_one(FundProposal, ids[newer.id])
    older_proposal = session.get_one(FundProposal, ids[older.id])
    results.add_update(session, newer_proposal, "First news.", milestone=False, by=None)
    results.add_update(session, older_proposal, "Second news.", milestone=True, by=None)
    session.commit()
    assert [r.title for r in results.published_rounds(session)] == ["Newer fund", "Older fund"]
    logged = results.logged_updates(session)
    assert [(item.update.body, item.round_title) for item in logged] == [
        ("Second news.", "Older fund"),
        ("First news.", "Newer fund"),
    ]


def test_a_funded_project_shows_a_skill_only_where_its_owner_agreed(
    session: orm.Session, make_draft: Callable[..., AssetDraft]
) -> None:
    owner = users.create_user(session, "sam@example.org", role="resident")
    group = asset_store.add_asset(
        session, make_draft(kind="group", title="Tuesday choir"), owner_id=owner.id, cell_m=400.0
    )
    asked = asset_store.add_asset(
        session, make_draft(kind="skill", title="Piano lessons"), owner_id=owner.id, cell_m=400.0
    )
    agreed = asset_store.add_asset(
        session, make_draft(kind="skill", title="Sewing"), owner_id=owner.id, cell_m=400.0
    )
    fund_round = add_round(session)
    proposal = add_proposal(session, fund_round, "Choir music", 100_00)
    consents = {group.id: Consent.NOT_NEEDED, asked.id: Consent.ASKED, agreed.id: Consent.AGREED}
    for asset_id, consent in consents.items():
        session.add(FundProposalStrength(proposal_id=proposal, asset_id=asset_id, consent=consent))
    session.flush()
    built = results.strengths_of(session, [proposal])[proposal]
    assert [b.title for b in built] == ["Sewing", "Tuesday choir"]
