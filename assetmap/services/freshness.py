"""The daily freshness job: remind owners whose strengths are due, hide those long unconfirmed."""

from __future__ import annotations

import datetime as dt

from flask import current_app, render_template

from assetmap import mail
from assetmap.domain.freshness import Freshness
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
    """Return the subject and body of a reminder (``remind``) or a notice (``hidden``)."""
    link = external_url("strengths.mine")
    body = render_template(f"strengths/{what}_email.txt", assets=assets, link=link)
    if len(assets) == 1:
        title = assets[0].title
        subject = {
            "remind": f"Is “{title}” still current?",
            "hidden": f"“{title}” has been hidden until you confirm it",
        }[what]
    else:
        subject = {
            "remind": f"Are your {len(assets)} strengths still current?",
            "hidden": f"{len(assets)} of your strengths have been hidden until you confirm them",
        }[what]
    return subject, body
