"""Community fund awards in the 360Giving Data Standard (1.4): a JSON package and a CSV table.

Each award (``storage.fund_awards.Award``) is one grant with the standard's ten required
fields: ``id``, ``title``, ``description``, ``currency``, ``amountAwarded``, ``awardDate``, the
funder (``fundingOrganization``) and the recipient. The recipient is the group the project
builds on, as an organisation identified within this register; a project that builds on no
group is a grant to an individual, who is never named: ``recipientIndividual`` has an id made
from the grant's own (no person's id is ever used) and the generic name "Individual", as
360Giving's guidance on grants to individuals asks. Beside them: the round's neighbourhoods as
``beneficiaryLocation`` (name and code, and the ONS code type where the code is an ONS one),
the round as ``grantProgramme``, its public page as ``url``, and ``dateModified``.

Ids start with the funder's 360Giving publisher prefix (``Funder.grant_prefix``).

The CSV has the standard's column titles, as its summary spreadsheet template names them. A
round of more than one neighbourhood gives its grant one row, holding the first, and a row
more for each other one, with only the grant's ``Identifier`` and the location's columns: the
standard's way of adding to a grant in further rows, which keeps every amount counted once.

Both are streamed: bytes are yielded as awards arrive, whatever their number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from assetmap.domain.provenance import local_day
from assetmap.exchange.cells import spreadsheet_safe
from assetmap.storage.fund_awards import Award, AwardArea

STANDARD_VERSION = "1.4"
CURRENCY = "GBP"
# The generic name 360Giving asks for in place of an individual recipient's.
INDIVIDUAL = "Individual"
# Awards written to the CSV between yields.
CSV_BATCH = 200
# ONS GSS codes (a letter and eight digits): the entity, by its first three characters, and
# its type in 360Giving's geoCodeType codelist.
_GSS = re.compile(r"^[ENSW]\d{8}$")
_ONS_TYPES = {
    "E00": "OA",
    "W00": "OA",
    "S00": "OA",
    "N00": "SA",
    "E01": "LSOA",
    "W01": "LSOA",
    "E02": "MSOA",
    "W02": "MSOA",
    "S01": "DZ",
    "S02": "IG",
    "E04": "PAR",
    "W04": "COM",
    "E05": "WD",
    "W05": "WD",
    "S13": "WD",
    "E06": "UA",
    "W06": "UA",
    "E07": "NMD",
    "E08": "MD",
    "E09": "LONB",
    "E10": "CTY",
    "S12": "CA",
}


@dataclass(frozen=True)
class Funder:
    """Who publishes the awards: the 360Giving prefix of their ids, the funder's organisation
    identifier and name, and where the register's pages are (for each round's link)."""

    grant_prefix: str
    funder_id: str
    funder_name: str
    public_url: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Funder:
        """Return the funder the app's settings name (``GRANT_PREFIX``, ``FUNDER_ID``,
        ``FUNDER_NAME``, ``PUBLIC_URL``)."""
        return cls(
            grant_prefix=str(config["GRANT_PREFIX"]).strip(),
            funder_id=str(config["FUNDER_ID"]).strip(),
            funder_name=str(config["FUNDER_NAME"]).strip(),
            public_url=str(config.get("PUBLIC_URL") or "").strip().rstrip("/"),
        )

    def id_of(self, what: str, number: int) -> str:
        """Return the id of this register's ``what`` number ``number``, under the prefix."""
        return f"{self.grant_prefix}-assetmap-{what}-{number}"


def grant(award: Award, funder: Funder) -> dict[str, Any]:
    """Return an award as a 360Giving grant."""
    modified = award.published_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    made: dict[str, Any] = {
        "id": funder.id_of("grant", award.proposal_id),
        "title": award.title,
        "description": award.summary.strip() or award.title,
        "currency": CURRENCY,
        "amountAwarded": amount(award.amount_pence),
        "awardDate": local_day(award.published_at).isoformat(),
        **recipient(award, funder),
        "fundingOrganization": [{"id": funder.funder_id, "name": funder.funder_name}],
        "grantProgramme": [
            {"code": funder.id_of("round", award.round_id), "title": award.round_title}
        ],
        "dateModified": modified,
    }
    if award.areas:
        made["beneficiaryLocation"] = [location(area) for area in award.areas]
    if funder.public_url:
        made["url"] = f"{funder.public_url}/funds/{award.round_id}"
    return made


def recipient(award: Award, funder: Funder) -> dict[str, Any]:
    """Return who receives the grant: the first group it builds on, or an unnamed individual."""
    if award.groups:
        group = award.groups[0]
        return {
            "recipientOrganization": [{"id": funder.id_of("group", group.id), "name": group.title}]
        }
    return {
        "recipientIndividual": {
            "id": funder.id_of("individual", award.proposal_id),
            "name": INDIVIDUAL,
        }
    }


def location(area: AwardArea) -> dict[str, str]:
    """Return a neighbourhood as a beneficiary location: its name and code, and the code's
    type where it is an ONS code 360Giving's codelist knows."""
    found = {"name": area.name, "geoCode": area.code}
    kind = _ONS_TYPES.get(area.code[:3]) if _GSS.match(area.code) else None
    if kind is not None:
        found["geoCodeType"] = kind
    return found


def amount(pence: int) -> int | float:
    """Return pence as pounds, a whole number where it is one: 1250 or 12.5."""
    whole, part = divmod(pence, 100)
    return whole if part == 0 else pence / 100


def json_chunks(awards: Iterable[Award], funder: Funder) -> Iterator[bytes]:
    """Yield a 360Giving package, ``{"version": ..., "grants": [...]}``, a grant at a time."""
    yield b'{"version":"' + STANDARD_VERSION.encode() + b'","grants":['
    separator = b"\n"
    for award in awards:
        yield separator + orjson.dumps(grant(award, funder))
        separator = b",\n"
    yield b"\n]}\n"


# Each CSV column: its title in the standard and where its value is in a grant.
_COLUMNS: tuple[tuple[str, tuple[str | int, ...]], ...] = (
    ("Identifier", ("id",)),
    ("Title", ("title",)),
    ("Description", ("description",)),
    ("Currency", ("currency",)),
    ("Amount Awarded", ("amountAwarded",)),
    ("Award Date", ("awardDate",)),
    ("URL", ("url",)),
    ("Recipient Org:Identifier", ("recipientOrganization", 0, "id")),
    ("Recipient Org:Name", ("recipientOrganization", 0, "name")),
    ("Recipient Ind:Identifier", ("recipientIndividual", "id")),
    ("Recipient Ind:Name", ("recipientIndividual", "name")),
    ("Beneficiary Location:Name", ("beneficiaryLocation", 0, "name")),
    ("Beneficiary Location:Geographic Code", ("beneficiaryLocation", 0, "geoCode")),
    ("Beneficiary Location:Geographic Code Type", ("beneficiaryLocation", 0, "geoCodeType")),
    ("Funding Org:Identifier", ("fundingOrganization", 0, "id")),
    ("Funding Org:Name", ("fundingOrganization", 0, "name")),
    ("Grant Programme:Code", ("grantProgramme", 0, "code")),
    ("Grant Programme:Title", ("grantProgramme", 0, "title")),
    ("Last Modified", ("dateModified",)),
)
COLUMNS = tuple(title for title, _path in _COLUMNS)
_LOCATION_COLUMNS = frozenset(
    i for i, (_title, path) in enumerate(_COLUMNS) if path[0] == "beneficiaryLocation"
)


def rows(made: Mapping[str, Any]) -> list[list[Any]]:
    """Return a grant as CSV rows: one, and a row more for each further beneficiary location,
    holding only the grant's identifier and that location."""
    first = [_cell(made, path) for _title, path in _COLUMNS]
    more = []
    for extra in made.get("beneficiaryLocation", [])[1:]:
        only = {"id": made["id"], "beneficiaryLocation": [extra]}
        more.append(
            [
                _cell(only, path) if i == 0 or i in _LOCATION_COLUMNS else ""
                for i, (_title, path) in enumerate(_COLUMNS)
            ]
        )
    return [first, *more]


def _cell(made: Mapping[str, Any], path: tuple[str | int, ...]) -> Any:
    value: Any = made
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError):
            return ""
    return spreadsheet_safe(value) if isinstance(value, str) else value


def csv_chunks(awards: Iterable[Award], funder: Funder) -> Iterator[bytes]:
    """Yield UTF-8 CSV with the standard's column titles, ``CSV_BATCH`` awards at a time."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for count, award in enumerate(awards, start=1):
        writer.writerows(rows(grant(award, funder)))
        if count % CSV_BATCH == 0:
            yield text.getvalue().encode()
            text.seek(0)
            text.truncate()
    if text.tell():
        yield text.getvalue().encode()


WRITERS: dict[str, Callable[[Iterable[Award], Funder], Iterator[bytes]]] = {
    "360giving": json_chunks,
    "360giving-csv": csv_chunks,
}
