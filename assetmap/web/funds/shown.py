"""Community funds where people already look: what a strength was funded for on its page, and
the grants already made in a strength check's catchment on the check's page.

Each is a partial its page includes (``strengths/_funded.html``, ``checks/_grants.html``)
given its data by a context processor active for that page alone. The explore map's layer of
funded projects is drawn by ``web.explore``, its popups linking with ``round_url`` from here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from assetmap.domain.checks import Proposal
from assetmap.domain.funds import pounds
from assetmap.domain.permissions import can_run_checks
from assetmap.storage import checks as check_store
from assetmap.storage import fund_grants, fund_proposals
from assetmap.storage.fund_grants import Grant
from assetmap.storage.models import CheckRevision, StrengthCheck
from assetmap.web import db
from assetmap.web.accounts.auth import actor

ROUND_PAGE = "funds_rounds.show"
STRENGTH_PAGE = "pages.asset"
MY_STRENGTHS = "strengths.mine"
# A strength check's page, at the revision it shows first or at one asked for.
CHECK_PAGES = frozenset({"check_pages.show", "check_pages.revision"})


def round_url(round_id: int) -> str | None:
    """Return the path of a round's public page, or None while the app has none."""
    if ROUND_PAGE not in current_app.view_functions:
        return None
    return url_for(ROUND_PAGE, round_id=round_id)


def shown(grant: Grant) -> dict[str, Any]:
    """Return what a page shows of a grant; its partial writes the sentence."""
    return {
        "amount": pounds(grant.amount_pence),
        "round_title": grant.round_title,
        "round_url": round_url(grant.round_id),
        "title": grant.title,
        "decided_on": grant.decided_on,
    }


def _strength_page_grants() -> dict[str, Any]:
    # A strength's page says what it was funded for.
    if request.endpoint != STRENGTH_PAGE or not request.view_args:
        return {}
    asset_id = int(request.view_args.get("asset_id", 0))
    return {"funded": [shown(g) for g in fund_grants.grants_for_strength(db.session(), asset_id)]}


def _check_page_grants() -> dict[str, Any]:
    # A check's page lists the grants already made in its catchment.
    if request.endpoint not in CHECK_PAGES or not request.view_args:
        return {}
    session = db.session()
    check = check_store.get_check(session, int(request.view_args.get("check_id", 0)))
    if check is None or (check.published_at is None and not can_run_checks(actor())):
        return {}
    revision = _revision(check, request.view_args.get("number"))
    if revision is None:
        return {}
    catchment = Proposal.from_json(revision.proposal).catchment
    reached = check_store.catchment_neighbourhoods(session, catchment)
    return {"grants_here": [shown(g) for g in fund_grants.grants_in(session, reached)]}


def _revision(check: StrengthCheck, number: int | None) -> CheckRevision | None:
    """Return the revision the check's page shows: the one asked for, else (as the page
    chooses) a published check's decision in force, else the newest."""
    if number is not None:
        return check_store.revision_of(check, number)
    decided = check_store.in_force(check) if check.published_at is not None else None
    return decided or check_store.current(check)


def _ideas_waiting_for_you() -> dict[str, Any]:
    # "My strengths" says how many fund ideas wait for the person to agree to their skills.
    if request.endpoint != MY_STRENGTHS or not current_user.is_authenticated:
        return {}
    waiting = fund_proposals.consent_requests(db.session(), current_user.id)
    return {"ideas_waiting": len({item.proposal_id for item in waiting})}


def init_app(app: Flask) -> None:
    """Give a strength's page what it was funded for, a check's page the grants made in its
    catchment, and "My strengths" the fund ideas waiting for its owner's answer."""
    app.context_processor(_strength_page_grants)
    app.context_processor(_check_page_grants)
    app.context_processor(_ideas_waiting_for_you)
