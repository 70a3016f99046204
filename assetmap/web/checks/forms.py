"""The pages staff fill in or confirm on a strength check: the decision form, with its
strengths filtered by words and kind, and what running a check again would change."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _

from assetmap.domain.checks import DecisionKind
from assetmap.domain.errors import ValidationError
from assetmap.domain.findings import FindingFilter, compare, filter_text
from assetmap.domain.vocab import Kind
from assetmap.storage import checks as store
from assetmap.storage.models import StrengthCheck
from assetmap.web import db
from assetmap.web.checks.public import KIND_PLURALS, catchment_text, revision_view, sentences

# The address's names for the filter's fields.
_FILTER_FIELDS = {"words": "q", "kind": "kind"}


def decision_form(check: StrengthCheck, values: dict[str, Any], errors: dict[str, str]) -> str:
    """Render the form that records a check's decision, its strengths filtered as asked."""
    view = revision_view(check)
    wanted, filter_errors = finding_filter()
    chosen = {str(item) for item in values.get("strengths", [])}
    asked = {name: request.args.get(name, "") for name in ("q", "kind")}
    return render_template(
        "checks/decision.html",
        view=view,
        values=values,
        errors=sentences({**filter_errors, **errors}),
        kinds=list(DecisionKind),
        catchment=catchment_text(view.proposal),
        chosen=chosen,
        shown={f["id"] for f in view.on_the_map if wanted.matches(f) or str(f["id"]) in chosen},
        filter_text=filter_text,
        strength_kinds=[(kind.value, KIND_PLURALS[kind]) for kind in Kind],
        asked=asked,
        asked_args={name: value for name, value in asked.items() if value},
    )


def finding_filter() -> tuple[FindingFilter, dict[str, str]]:
    """Return the filter the decision form's strengths are shown by, and what was wrong with
    it: a wrong filter shows every strength."""
    try:
        return FindingFilter.parse(request.args.get("q"), request.args.get("kind")), {}
    except ValidationError as exc:
        return FindingFilter(), {f"filter-{_FILTER_FIELDS[k]}": v for k, v in exc.errors.items()}


def rerun_page(check: StrengthCheck, *, changed_since: bool = False) -> str:
    """Render what running the check again would change, and what becomes of its decision."""
    view = revision_view(check)
    fresh = store.preview_rerun(db.session(), check)
    return render_template(
        "checks/run_again.html",
        view=view,
        changes=compare(view.findings, fresh),
        changed_since=changed_since,
    )


def rerun_done(check: StrengthCheck, number: int) -> str:
    """Return what to tell the planner once the check ran again as revision ``number``."""
    decided = store.in_force(check)
    done = _(
        "The check has run again on today's map as revision %(number)s, awaiting a decision.",
        number=number,
    )
    if decided is None:
        return done
    if check.published_at is not None:
        then = _(
            "Until you record one, the published decision on revision %(number)s stays on the "
            "“You said, we did” log with its findings.",
            number=decided.number,
        )
    else:
        then = _(
            "The decision recorded on revision %(number)s stays with it.", number=decided.number
        )
    return f"{done} {then}"
