"""The daily freshness job: remind owners whose strengths are due, hide those long unconfirmed."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from assetmap import mail
from assetmap.domain.freshness import Freshness
from assetmap.domain.i18n import _, ngettext
from assetmap.runtime.database import database
from assetmap.runtime.links import external_url
from assetmap.storage.freshness import FreshnessRun, run_freshness
from assetmap.storage.models import Asset, utcnow


def run(today: dt.date | None = None) -> FreshnessRun:
    """Remind owners who are due and hide stale strengths, committing; mail goes as it is sent."""
    base = str(current_app.config["PUBLIC_URL"])
    intervals = Freshness.from_config(current_app.config)
    with current_app.test_request_context("/", base_url=base), database().session() as session:
        done = run_freshness(session, intervals, today or utcnow().date(), mail.send, compose)
        session.commit()
    return done


def compose(what: str, assets: list[Asset]) -> tuple[str, str]:
    """Return the subject and body of a reminder (``remind``) or a notice (``hidden``), in the
    language of the owner the assets share."""
    link = external_url("strengths.mine")
    owner = assets[0].owner if assets else None
    return mail.render(
        owner,
        lambda: _subject(what, assets),
        f"strengths/{what}_email.txt",
        assets=assets,
        link=link,
    )


def _subject(what: str, assets: list[Asset]) -> str:
    if len(assets) == 1:
        title = assets[0].title
        if what == "remind":
            return _("Is “%(title)s” still current?", title=title)
        return _("“%(title)s” has been hidden until you confirm it", title=title)
    if what == "remind":
        return ngettext(
            "Is your %(num)d strength still current?",
            "Are your %(num)d strengths still current?",
            len(assets),
        )
    return ngettext(
        "%(num)d of your strengths has been hidden until you confirm it",
        "%(num)d of your strengths have been hidden until you confirm them",
        len(assets),
    )
