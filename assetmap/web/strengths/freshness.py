"""Freshness in the web views: whether a strength shows as unconfirmed, for pages and JSON."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, render_template

from assetmap import mail
from assetmap.domain.freshness import Freshness
from assetmap.storage.freshness import FreshnessRun, run_freshness
from assetmap.storage.models import Asset, utcnow
from assetmap.web import db
from assetmap.web.links import external_url

EXTENSION = "assetmap.freshness"


def freshness() -> Freshness:
    """Return the app's freshness intervals, read from its configuration when it started."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


def unconfirmed_before() -> dt.date:
    """Return the date a strength last confirmed before shows as unconfirmed today."""
    return freshness().unconfirmed_before(utcnow().date())


def is_unconfirmed(last_confirmed: dt.date | str | None) -> bool:
    """Return whether a strength last confirmed then shows as unconfirmed today."""
    return freshness().is_unconfirmed(last_confirmed, utcnow().date())


def init_app(app: Flask) -> None:
    """Read the freshness intervals once, and offer ``unconfirmed(date)`` to templates."""
    app.extensions[EXTENSION] = Freshness.from_config(app.config)
    app.jinja_env.globals["unconfirmed"] = is_unconfirmed


def _compose(what: str, assets: list[Asset]) -> tuple[str, str]:
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


def run(today: dt.date | None = None) -> FreshnessRun:
    """Remind owners who are due and hide stale strengths, committing; mail goes as it is sent."""
    base = str(current_app.config["PUBLIC_URL"])
    with current_app.test_request_context("/", base_url=base), db.database().session() as session:
        done = run_freshness(session, freshness(), today or utcnow().date(), mail.send, _compose)
        session.commit()
    return done
