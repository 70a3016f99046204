"""The "you said, we did" log: every published strength check, community fund result and
funded project's news, newest first, and its Atom feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from feedgen.feed import FeedGenerator
from flask import Blueprint, Flask, Response, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assetmap.domain.funds import pounds
from assetmap.runtime.links import external_url
from assetmap.storage import checks as store
from assetmap.storage import fund_results as funds
from assetmap.storage.models import FundRound, utcnow
from assetmap.web import db
from assetmap.web.checks.public import RevisionView, page_view

bp = Blueprint("said_did", __name__)
LOG_TITLE = _l("You said, we did")
FEED_SIZE = 50


@dataclass(frozen=True)
class Entry:
    """One line of the log: a published check (``RevisionView``), a fund round's published
    result (``FundRound``) or a funded project's news (``funds.Logged``)."""

    kind: str  # "check", "round" or "update"
    when: dt.datetime
    item: Any


def entries(limit: int | None = None) -> list[Entry]:
    """Return the log's entries, the newest first: ``limit`` of them, or all."""
    session = db.session()
    made = [
        *(
            Entry("check", _published(c.published_at), page_view(c))
            for c in store.published_checks(session, limit=limit)
        ),
        *(
            Entry("round", _published(r.published_at), r)
            for r in funds.published_rounds(session, limit)
        ),
        *(Entry("update", u.update.created_at, u) for u in funds.logged_updates(session, limit)),
    ]
    made.sort(key=lambda entry: entry.when, reverse=True)
    return made[:limit]


def _published(when: dt.datetime | None) -> dt.datetime:
    # Only published checks and rounds are read here, so each has a time it was published.
    assert when is not None
    return when


def round_in_words(fund: FundRound) -> str:
    """Return "Community fund: Spring fund: 3 projects funded, £4,500"."""
    return _(
        "Community fund: %(round)s: %(funded)s",
        round=fund.title,
        funded=funds.funded_in_words(fund.result or {"proposals": []}),
    )


@bp.get("/you-said-we-did")
def log() -> str:
    """List every published check, fund result and funded project's news, newest first."""
    return render_template(
        "checks/log.html",
        entries=entries(),
        title=str(LOG_TITLE),
        round_in_words=round_in_words,
        pounds=pounds,
    )


@bp.get("/you-said-we-did/feed.atom")
def feed() -> Response:
    """Return the published checks as an Atom feed, the most recently published first.

    The feed is in British English whoever asks, as it says (``language``): a feed reader
    keeps the words it first read."""
    with force_locale("en_GB"):
        return _feed()


def _feed() -> Response:
    logged = entries(FEED_SIZE)
    generator = FeedGenerator()
    generator.id(external_url("said_did.log"))
    generator.title(_("%(title)s: strength checks and community funds", title=LOG_TITLE))
    generator.subtitle(
        _("What was already there, what was decided and why, and what community funds backed.")
    )
    generator.author({"name": "assetmap"})
    generator.link(href=external_url("said_did.feed"), rel="self")
    generator.link(href=external_url("said_did.log"), rel="alternate")
    generator.language("en-GB")
    generator.updated(max((_updated(entry) for entry in logged), default=utcnow()))
    for entry in logged:
        if entry.kind == "check":
            _entry(generator, entry.item)
        elif entry.kind == "round":
            _round_entry(generator, entry.item)
        else:
            _update_entry(generator, entry.item)
    return Response(generator.atom_str(pretty=True), mimetype="application/atom+xml")


def _entry(generator: FeedGenerator, view: RevisionView) -> None:
    url = external_url("check_pages.show", check_id=view.check.id)
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.title(view.proposal.name)
    entry.link(href=url)
    entry.published(view.check.published_at)
    entry.updated(view.revision.made_at)
    decision = view.decision.kind.label if view.decision else _("No decision yet")
    rationale = view.decision.rationale if view.decision else ""
    found = _(
        "Found %(inside)s strengths inside the catchment and %(nearby)s just outside.",
        inside=view.summary.inside,
        nearby=view.summary.nearby,
    )
    said = _("%(decision)s.", decision=decision)
    entry.summary(f"{said} {rationale} {found}".replace("  ", " "))


def _updated(entry: Entry) -> dt.datetime:
    if entry.kind == "check":
        return store.current(entry.item.check).made_at
    return entry.when


def _round_entry(generator: FeedGenerator, fund: FundRound) -> None:
    url = external_url("funds_rounds.show", round_id=fund.id) + "#result"
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.title(round_in_words(fund))
    entry.link(href=url)
    entry.published(fund.published_at)
    entry.updated(fund.published_at)
    entry.summary(str(funds.rule_in_words(fund.tie_break)))


def _update_entry(generator: FeedGenerator, logged: funds.Logged) -> None:
    update = logged.update
    url = external_url("funds_rounds.show", round_id=logged.round_id) + f"#update-{update.id}"
    names = {"project": logged.proposal_title, "round": logged.round_title}
    title = (
        _("Milestone: %(project)s (%(round)s)", **names)
        if update.milestone
        else _("News of %(project)s (%(round)s)", **names)
    )
    entry = generator.add_entry(order="append")
    entry.id(url)
    entry.title(title)
    entry.link(href=url)
    entry.published(update.created_at)
    entry.updated(update.created_at)
    entry.summary(update.body)


def init_app(app: Flask) -> None:
    """Register the log and its feed (linked from every page's footer, and from the strength
    checks and community funds pages)."""
    app.register_blueprint(bp)
