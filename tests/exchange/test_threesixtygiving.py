from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import sqlalchemy as sa
from shapely.geometry import box
from sqlalchemy import orm

from assetmap import create_app
from assetmap.config import DEFAULTS
from assetmap.domain.assets import validate_asset
from assetmap.domain.funds import ProposalStatus, TieBreak, VotingMethod
from assetmap.domain.vocab import Status
from assetmap.exchange import threesixtygiving
from assetmap.exchange.threesixtygiving import Funder
from assetmap.storage import assets, fund_awards, users
from assetmap.storage.models import (
    Asset,
    FundProposal,
    FundProposalStrength,
    FundRound,
    FundRoundArea,
    Neighbourhood,
)
from assetmap.storage.neighbourhoods import Area, replace_neighbourhoods

SCHEMA = orjson.loads((Path(__file__).parent / "threesixtygiving_schema.json").read_bytes())
FUNDER = Funder("360G-fromefund", "GB-LAE-FRO", "Frome Town Council", "https://map.example.org")
MARKET = Area("E05012345", "Market", box(-2.33, 51.22, -2.32, 51.24))
KEYFORD = Area("frome-keyford", "Keyford", box(-2.32, 51.22, -2.31, 51.24))
PUBLISHED = dt.datetime(2027, 4, 30, 23, 30, tzinfo=dt.UTC)
# What a person wrote or is that must never leave in an award.
PERSONAL = (
    "Jane Smith",
    "jane.smith@example.org",
    "07700 900123",
    "Bike repair with Jane",
    "Jane's allotment",
)
REQUIRED_COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Last Modified",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
)


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def _asset(session: orm.Session, owner: int | None, **values: Any) -> int:
    draft = validate_asset({"lon": -2.325, "lat": 51.23, "themes": ["sport"], **values})
    return assets.add_asset(session, draft, owner_id=owner, cell_m=400).id


def _round(session: orm.Session, title: str, areas: list[int], published: bool) -> FundRound:
    made = FundRound(
        title=title,
        purpose="Small projects in the town centre",
        budget_pence=500_000,
        method=VotingMethod.BUDGET,
        tie_break=TieBreak.SMALLER_FIRST,
        proposers=["resident"],
        proposals_open=dt.date(2027, 1, 1),
        proposals_close=dt.date(2027, 1, 31),
        voting_open=dt.date(2027, 2, 1),
        voting_close=dt.date(2027, 2, 28),
        results_on=dt.date(2027, 3, 7),
        published_at=PUBLISHED if published else None,
        counted_at=PUBLISHED if published else None,
        areas=[FundRoundArea(neighbourhood_id=n) for n in areas],
    )
    session.add(made)
    session.flush()
    return made


def _proposal(
    session: orm.Session,
    fund_round: FundRound,
    title: str,
    pence: int,
    strengths: list[int],
    *,
    status: ProposalStatus = ProposalStatus.FUNDED,
    by: int | None = None,
) -> int:
    made = FundProposal(
        round_id=fund_round.id,
        title=title,
        summary=f"{title}: what it will do",
        who_will_do_it="Jane Smith, jane.smith@example.org, 07700 900123",
        amount_pence=pence,
        proposed_by=by,
        status=status,
        strengths=[FundProposalStrength(asset_id=a) for a in strengths],
    )
    session.add(made)
    session.flush()
    return made.id


def build_awards(session: orm.Session) -> dict[str, int]:
    """A published round of two neighbourhoods (three funded projects, one not funded) and a
    round not yet published with a proposal marked funded; return their ids."""
    replace_neighbourhoods(session, [MARKET, KEYFORD])
    session.flush()
    places = dict(session.execute(sa.select(Neighbourhood.code, Neighbourhood.id)).all())
    jane = users.create_user(
        session, "jane.smith@example.org", role="resident", display_name="Jane Smith"
    ).id
    group = _asset(session, jane, kind="group", title="Frome Wheelers", contact="07700 900123")
    skill = _asset(
        session,
        jane,
        kind="skill",
        title="Bike repair with Jane",
        share_modes=["do"],
        contact="jane.smith@example.org",
    )
    space = _asset(session, jane, kind="space", title="Jane's allotment")
    done = _round(session, "Market fund 2027", [places["frome-keyford"], places["E05012345"]], True)
    waiting = _round(session, "Keyford fund 2027", [places["frome-keyford"]], False)
    ids = {
        "round": done.id,
        "unpublished": waiting.id,
        "group": group,
        "by_group": _proposal(session, done, "Bikes for all", 125_000, [skill, group], by=jane),
        "by_person": _proposal(session, done, "Repair café", 30_050, [skill], by=jane),
        "by_space": _proposal(session, done, "Seed swap", 9_900, [space], by=jane),
        "not_funded": _proposal(
            session, done, "Too dear", 400_000, [group], status=ProposalStatus.NOT_FUNDED
        ),
        "too_early": _proposal(session, waiting, "Not yet", 1_000, [group]),
    }
    session.commit()
    return ids


def package(session: orm.Session, round_id: int | None = None) -> dict[str, Any]:
    found = fund_awards.awards(session, round_id, batch_size=2)
    document: dict[str, Any] = orjson.loads(b"".join(threesixtygiving.json_chunks(found, FUNDER)))
    return document


def table(session: orm.Session, round_id: int | None = None) -> list[dict[str, str]]:
    found = fund_awards.awards(session, round_id, batch_size=2)
    data = b"".join(threesixtygiving.csv_chunks(found, FUNDER)).decode()
    return list(csv.DictReader(io.StringIO(data)))


def by_title(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {grant["title"]: grant for grant in document["grants"]}


def test_the_package_validates_against_the_standards_required_fields(
    session: orm.Session,
) -> None:
    build_awards(session)
    document = package(session)
    problems = [f"{e.json_path}: {e.message}" for e in validator().iter_errors(document)]
    assert problems == []
    assert len(document["grants"]) == 3


def test_only_funded_projects_of_published_rounds_are_awards(session: orm.Session) -> None:
    build_awards(session)
    assert set(by_title(package(session))) == {"Bikes for all", "Repair café", "Seed swap"}


def test_a_round_not_yet_published_gives_nothing(session: orm.Session) -> None:
    ids = build_awards(session)
    assert package(session, ids["unpublished"])["grants"] == []
    assert table(session, ids["unpublished"]) == []


def test_one_rounds_awards_alone(session: orm.Session) -> None:
    ids = build_awards(session)
    assert len(package(session, ids["round"])["grants"]) == 3
    assert package(session, ids["round"] + 100)["grants"] == []


def test_a_grant_says_who_funded_what_how_much_and_when(session: orm.Session) -> None:
    ids = build_awards(session)
    grant = by_title(package(session))["Repair café"]
    assert grant["id"] == f"360G-fromefund-assetmap-grant-{ids['by_person']}"
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == 300.5
    assert grant["awardDate"] == "2027-05-01"
    assert grant["dateModified"] == "2027-04-30T23:30:00+00:00"
    assert grant["fundingOrganization"] == [{"id": "GB-LAE-FRO", "name": "Frome Town Council"}]
    assert grant["grantProgramme"] == [
        {"code": f"360G-fromefund-assetmap-round-{ids['round']}", "title": "Market fund 2027"}
    ]
    assert grant["url"] == f"https://map.example.org/funds/{ids['round']}"
    assert by_title(package(session))["Bikes for all"]["amountAwarded"] == 1250


def test_the_beneficiary_locations_are_the_rounds_neighbourhoods(session: orm.Session) -> None:
    build_awards(session)
    grant = by_title(package(session))["Bikes for all"]
    assert grant["beneficiaryLocation"] == [
        {"name": "Keyford", "geoCode": "frome-keyford"},
        {"name": "Market", "geoCode": "E05012345", "geoCodeType": "WD"},
    ]


def test_a_project_built_on_a_group_is_a_grant_to_that_group(session: orm.Session) -> None:
    ids = build_awards(session)
    grant = by_title(package(session))["Bikes for all"]
    assert grant["recipientOrganization"] == [
        {"id": f"360G-fromefund-assetmap-group-{ids['group']}", "name": "Frome Wheelers"}
    ]
    assert "recipientIndividual" not in grant


def test_a_project_built_on_no_group_is_a_grant_to_an_unnamed_individual(
    session: orm.Session,
) -> None:
    ids = build_awards(session)
    found = by_title(package(session))
    for title, key in (("Repair café", "by_person"), ("Seed swap", "by_space")):
        assert found[title]["recipientIndividual"] == {
            "id": f"360G-fromefund-assetmap-individual-{ids[key]}",
            "name": "Individual",
        }
        assert "recipientOrganization" not in found[title]


@pytest.mark.parametrize("fmt", ["360giving", "360giving-csv"])
def test_no_person_their_skill_or_contact_ever_leaves(session: orm.Session, fmt: str) -> None:
    build_awards(session)
    found = fund_awards.awards(session)
    written = b"".join(threesixtygiving.WRITERS[fmt](found, FUNDER)).decode()
    assert [said for said in PERSONAL if said in written] == []
    assert "Jane" not in written


def test_a_hidden_group_is_not_named(session: orm.Session) -> None:
    ids = build_awards(session)
    session.execute(
        sa.update(Asset)
        .where(Asset.id == ids["group"])
        .values(status=Status.HIDDEN, hidden_reason="abuse")
    )
    session.commit()
    grant = by_title(package(session))["Bikes for all"]
    assert "Frome Wheelers" not in orjson.dumps(grant).decode()
    assert grant["recipientIndividual"]["name"] == "Individual"


def test_the_csv_has_the_standards_column_titles(session: orm.Session) -> None:
    build_awards(session)
    found = fund_awards.awards(session)
    header = next(
        csv.reader(io.StringIO(b"".join(threesixtygiving.csv_chunks(found, FUNDER)).decode()))
    )
    assert set(REQUIRED_COLUMNS) <= set(header)
    assert {"Recipient Org:Identifier", "Recipient Org:Name"} <= set(header)
    assert {"Recipient Ind:Identifier", "Recipient Ind:Name"} <= set(header)
    assert len(header) == len(set(header))


def test_the_csv_holds_each_grant_once_with_its_other_neighbourhoods_in_rows_of_their_own(
    session: orm.Session,
) -> None:
    ids = build_awards(session)
    rows = table(session)
    grant = f"360G-fromefund-assetmap-grant-{ids['by_group']}"
    mine = [row for row in rows if row["Identifier"] == grant]
    assert [row["Beneficiary Location:Name"] for row in mine] == ["Keyford", "Market"]
    assert mine[0]["Recipient Org:Name"] == "Frome Wheelers"
    assert mine[0]["Amount Awarded"] == "1250"
    assert mine[1]["Amount Awarded"] == "" and mine[1]["Title"] == ""
    assert mine[1]["Beneficiary Location:Geographic Code Type"] == "WD"
    amounts = [row["Amount Awarded"] for row in rows if row["Amount Awarded"]]
    assert sorted(amounts) == ["1250", "300.5", "99"]


def test_the_csv_makes_a_title_a_spreadsheet_would_run_harmless(session: orm.Session) -> None:
    ids = build_awards(session)
    session.execute(
        sa.update(FundProposal)
        .where(FundProposal.id == ids["by_person"])
        .values(title='=HYPERLINK("http://evil.example")')
    )
    session.commit()
    titles = {row["Title"] for row in table(session)}
    assert '\'=HYPERLINK("http://evil.example")' in titles


def test_no_awards_give_a_package_of_no_grants_which_the_standard_counts_only_as_empty(
    session: orm.Session,
) -> None:
    document = package(session)
    assert document == {"version": "1.4", "grants": []}
    problems = list(validator().iter_errors(document))
    assert [p.validator for p in problems] == ["minItems"]
    assert table(session) == []


def test_many_awards_stream_in_batches_with_each_grant_once(session: orm.Session) -> None:
    build_awards(session)
    fund_round = session.scalars(
        sa.select(FundRound).where(FundRound.published_at.is_not(None))
    ).one()
    for number in range(7):
        _proposal(session, fund_round, f"Project {number}", 100 * (number + 1), [])
    session.commit()
    document = package(session)
    ids = [grant["id"] for grant in document["grants"]]
    assert len(ids) == 10 == len(set(ids))
    assert list(validator().iter_errors(document)) == []


def test_the_default_funder_is_made_up_and_says_so() -> None:
    funder = Funder.from_config(DEFAULTS)
    assert funder.grant_prefix == "360G-assetmap-example"
    assert funder.funder_id and funder.funder_name


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [
        ("GRANT_PREFIX", "fromefund", "ASSETMAP_GRANT_PREFIX must be a 360Giving publisher prefix"),
        ("GRANT_PREFIX", "360G-", "ASSETMAP_GRANT_PREFIX must be a 360Giving publisher prefix"),
        ("FUNDER_ID", " ", "ASSETMAP_FUNDER_ID must be set"),
        ("FUNDER_NAME", "", "ASSETMAP_FUNDER_NAME must be set"),
    ],
)
def test_the_app_refuses_to_start_with_a_funder_it_cannot_publish_as(
    sqlite_url: str, option: str, value: str, said: str
) -> None:
    with pytest.raises(ValueError, match=said):
        create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "SECRET_KEY": "t", option: value})
