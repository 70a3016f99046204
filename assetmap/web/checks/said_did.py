"""The "you said, we did" log: every published strength check, newest first, and its Atom feed."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from flask import Blueprint, Flask, Response, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assetmap.runtime.links import external_url
from assetmap.storage import checks as store
from assetmap.storage.models import utcnow
from assetmap.web import db, nav
from assetmap.web.checks.public import RevisionView, page_view

bp = Blueprint("said_did", __name__)
LOG_TITLE = _l("You said, we did")
FEED_SIZE = 50


@bp.get("/you-said-we-did")
def log() -> str:
    """List every published check, the most recently published first."""
    entries = [page_view(check) for check in store.published_checks(db.session())]
    return render_template("checks/log.html", entries=entries, title=str(LOG_TITLE))


@bp.get("/you-said-we-did/feed.atom")
def feed() -> Response:
    """Return the published checks as an Atom feed, the most recently published first.

    The feed is in British English whoever asks, as it says (``language``): a feed reader
    keeps the words it first read."""
    with force_locale("en_GB"):
        return _feed()


def _feed() -> Response:
    checks = store.published_checks(db.session(), limit=FEED_SIZE)
    generator = FeedGenerator()
    generator.id(external_url("said_did.log"))
    generator.title(_("%(title)s: strength checks", title=LOG_TITLE))
    generator.subtitle(_("What was already there, what was decided and why."))
    generator.author({"name": "assetmap"})
    generator.link(href=external_url("said_did.feed"), rel="self")
    generator.link(href=external_url("said_did.log"), rel="alternate")
    generator.language("en-GB")
    newest = [store.current(check).made_at for check in checks]
    generator.updated(max(newest, default=utcnow()))
    for check in checks:
        _entry(generator, page_view(check))
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


def init_app(app: Flask) -> None:
    """Register the log, its feed and its navigation link."""
    app.register_blueprint(bp)
    nav.add_link(app, "said_did.log", LOG_TITLE, order=65)
