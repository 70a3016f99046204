"""Taking a person's own words out of every table when their account is deleted.

What stays is what is not about them: that a report, an answer, a response or a connection was
made, when, and of what kind; a withdrawn strength's kind, themes and public point. What they
wrote goes: a report's reason, an answer to the moderators, what a response said, a coach's
note, and every word of their strengths, wherever a copy was kept (the strength itself, its
history, and the findings of strength checks that found it). Nothing left links the kept rows
to the person, except revisions, which point at their emptied account.

What staff wrote in their role about other people's strengths or checks (why a strength was
hidden, what was done about a response, a check's decision) is the organisation's record of
what it did, and stays.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from assetmap.domain.assets import AssetDraft
from assetmap.domain.vocab import Kind
from assetmap.storage.models import (
    Asset,
    CheckResponse,
    CheckRevision,
    Connection,
    OwnerAnswer,
    Report,
)

REMOVED = "Removed: the person who wrote this deleted their account."
# Fields of a strength its owner writes in their own words: text, or lists of text.
WRITTEN_FIELDS = frozenset(
    field.name
    for field in dataclasses.fields(AssetDraft)
    if field.type in ("str", "tuple[str, ...]")
)
_LISTS = frozenset(
    field.name for field in dataclasses.fields(AssetDraft) if field.type == "tuple[str, ...]"
)


def withdrawn_title(kind: Kind) -> str:
    """Return the title a strength keeps once its owner's account is deleted."""
    return f"Withdrawn {kind.value}"


def blank_values(kind: Kind) -> dict[str, Any]:
    """Return what each written field of a deleted person's strength becomes."""
    values: dict[str, Any] = {name: [] if name in _LISTS else "" for name in WRITTEN_FIELDS}
    values["title"] = withdrawn_title(kind)
    return values


def blank_strength(asset: Asset) -> None:
    """Empty every field of the strength its owner wrote, and the reason it was hidden."""
    for name, value in blank_values(asset.kind).items():
        setattr(asset, name, value)
    asset.hidden_reason = ""


def erase_writing(session: orm.Session, user_id: int, asset_ids: Collection[int]) -> None:
    """Remove the user's words from reports, answers, responses, connections and check
    findings of their strengths ``asset_ids``, keeping that each was made; the caller flushes."""
    _anonymise(session, Report, Report.reporter_id, user_id, reason=REMOVED)
    _anonymise(session, OwnerAnswer, OwnerAnswer.user_id, user_id, text=REMOVED)
    _anonymise(session, Connection, Connection.coach_id, user_id, note="")
    _anonymise(
        session,
        CheckResponse,
        CheckResponse.user_id,
        user_id,
        missed=_removed_if_set(CheckResponse.missed),
        comment=_removed_if_set(CheckResponse.comment),
    )
    _erase_findings(session, frozenset(asset_ids))


def _anonymise(
    session: orm.Session,
    model: type[Any],
    author: orm.InstrumentedAttribute[int | None],
    user_id: int,
    **values: Any,
) -> None:
    statement = sa.update(model).where(author == user_id).values({author.key: None, **values})
    session.execute(statement.execution_options(synchronize_session="fetch"))


def _removed_if_set(column: orm.InstrumentedAttribute[str]) -> sa.ColumnElement[str]:
    return sa.case((column == "", ""), else_=REMOVED)


def _erase_findings(session: orm.Session, asset_ids: frozenset[int]) -> None:
    """Blank the deleted person's strengths in every check's findings, kept as they were found.

    Checks are few and made by hand, so each revision's findings are read and, where one of
    these strengths is among them, written back without its words.
    """
    if not asset_ids:
        return
    for revision in session.scalars(sa.select(CheckRevision)):
        if any(found.get("id") in asset_ids for found in revision.findings):
            revision.findings = [
                _blank_finding(found) if found.get("id") in asset_ids else found
                for found in revision.findings
            ]


def _blank_finding(found: dict[str, Any]) -> dict[str, Any]:
    blank = blank_values(Kind(found["kind"]))
    return {name: blank.get(name, value) for name, value in found.items()}
