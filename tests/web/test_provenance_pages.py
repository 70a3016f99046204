from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from assetmap.domain.i18n import format_date
from assetmap.domain.provenance import local_day
from assetmap.storage import assets as store
from assetmap.storage.models import Asset
from assetmap.web import db
from tests.web.helpers import PRIVATE_SKILL, add_asset, add_user, text

FOUND = dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.UTC)
GONE = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def from_source(app: Flask, asset_id: int, source: str, **values: object) -> None:
    with app.app_context(), db.database().session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        asset.source, asset.source_id = source, f"svc-{asset_id}"
        for name, value in values.items():
            setattr(asset, name, value)
        session.commit()


def section(page: str) -> str:
    """Return the words of the page's "Where this information comes from" section."""
    found = re.search(r'<h2[^>]*id="provenance".*?(?=<h2|</main>)', page, re.S)
    assert found is not None, "the page has no provenance section"
    return text(found.group(0))


def today() -> str:
    return format_date(local_day(dt.datetime.now(dt.UTC)))


def test_a_strength_added_here_says_who_added_it_by_their_part(
    app: Flask, client: FlaskClient
) -> None:
    owner = add_user(app, "ann@example.org", name="Ann Example")
    asset_id = add_asset(app, owner)
    words = section(client.get(f"/assets/{asset_id}").get_data(as_text=True))
    assert "Where this information comes from" in words
    assert f"Added on this site on {today()} by the person or group who runs it." in words
    assert (
        f"Last confirmed as still current on {today()} by the person or group who added it."
        in words
    )


def test_a_skills_provenance_names_nobody(app: Flask, client: FlaskClient) -> None:
    owner = add_user(app, "ann@example.org", name="Ann Example")
    asset_id = add_asset(app, owner, **PRIVATE_SKILL)
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    words = section(page)
    assert f"Added on this site on {today()} by the person who offers it." in words
    for secret in ("Ann", "ann@example.org", str(PRIVATE_SKILL["contact"]), "51.230987"):
        assert secret not in page


def test_a_confirmation_by_a_coach_says_a_community_connector(
    app: Flask, client: FlaskClient
) -> None:
    owner = add_user(app, "ann@example.org")
    coach = add_user(app, "cal@example.org", role="coach", name="Cal Coach")
    asset_id = add_asset(app, owner)
    with app.app_context(), db.database().session() as session:
        store.confirm_asset(session, asset_id, by=coach, today=dt.date(2026, 12, 1))
        session.commit()
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert (
        "Last confirmed as still current on 1 December 2026 by a community connector."
        in section(page)
    )
    assert "Cal" not in page and "cal@example.org" not in page


def test_a_strength_from_a_feed_says_when_its_source_last_and_no_longer_listed_it(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app)
    from_source(
        app,
        asset_id,
        "Leeds Community Directory",
        checked_at=FOUND,
        unlisted_at=GONE,
        assured_by="source",
        last_confirmed=dt.date(2026, 11, 2),
    )
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    words = section(page)
    assert f"Added from Leeds Community Directory on {today()}." in words
    assert "Last found there on 6 December 2026." in words
    assert "Leeds Community Directory no longer lists it (since 1 December 2026)." in words
    assert (
        "Last confirmed as still current on 2 November 2026 by the directory it came from." in words
    )
    assert page.count('<span translate="no">Leeds Community Directory</span>') == 2


def test_a_strength_imported_from_a_file_says_imported_from_it(
    app: Flask, client: FlaskClient
) -> None:
    asset_id = add_asset(app)
    from_source(app, asset_id, "frome-groups.csv")
    words = section(client.get(f"/assets/{asset_id}").get_data(as_text=True))
    assert f"Imported from frome-groups.csv on {today()}." in words


def test_a_source_name_with_markup_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    asset_id = add_asset(app)
    from_source(app, asset_id, '<img src=x onerror="alert(1)">', checked_at=FOUND)
    page = client.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert "<img src=x" not in page
    assert '<span translate="no">&lt;img src=x onerror=&#34;alert(1)&#34;&gt;</span>' in page
    assert '<img src=x onerror="alert(1)">' in section(page)
