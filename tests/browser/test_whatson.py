from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from assetmap.domain.schedules import Weekday, validate_schedule
from assetmap.domain.vocab import Kind, Status
from assetmap.storage.models import Asset, AssetSchedule, Neighbourhood
from assetmap.storage.schedules import set_schedules
from assetmap.web import db
from tests.browser.support import LiveServer, Problems, axe_violations

LIST_IDS = "els => [...new Set(els.map(e => Number(e.dataset.assetId)))]"


def with_schedules(live_server: LiveServer) -> tuple[str, set[int]]:
    """Give each of the demo's groups that has no schedule one evening a week, and return the
    neighbourhood holding most groups with schedules, and those groups' ids."""
    days = list(Weekday)
    with live_server.app.app_context(), db.database().session() as session:
        scheduled = sa.select(AssetSchedule.asset_id)
        bare = session.scalars(
            sa.select(Asset.id).where(
                Asset.kind == Kind.GROUP,
                Asset.status == Status.PUBLISHED,
                Asset.id.not_in(scheduled),
            )
        ).all()
        for asset_id in bare:
            raw = {"frequency": "weekly", "weekdays": days[asset_id % 7].value}
            raw |= {"start_time": "18:00", "end_time": "19:00", "starts_on": "2020-01-06"}
            schedule = validate_schedule(raw, today=dt.date(2020, 1, 6))
            set_schedules(session, asset_id, [schedule], by=None)
        session.commit()
        rows = session.execute(
            sa.select(Neighbourhood.name, Asset.id)
            .join(Asset, Asset.neighbourhood_id == Neighbourhood.id)
            .where(Asset.kind == Kind.GROUP, Asset.status == Status.PUBLISHED)
            .where(Asset.id.in_(scheduled))
        ).all()
    groups: dict[str, set[int]] = {}
    for name, asset_id in rows:
        groups.setdefault(name, set()).add(asset_id)
    name = max(groups, key=lambda key: len(groups[key]))
    return name, groups[name]


def choose_neighbourhood(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/whats-on")
    page.get_by_label("In a neighbourhood").check()
    page.get_by_label("Neighbourhood", exact=True).select_option(label=name)
    page.get_by_role("button", name="Show what's on").click()
    expect(page.get_by_role("heading", name=f"in the {name} neighbourhood")).to_be_visible()


def listed_and_marked(page: Page) -> tuple[list[int], int]:
    listed = page.locator(".whatson-session").evaluate_all(LIST_IDS)
    dots = page.locator(".whatson-map path.map-dot--group")
    if listed:
        # The map's script draws every dot in one go once the page has loaded: wait for it.
        expect(dots.first).to_be_attached()
    return listed, dots.count()


def test_whats_on_in_a_neighbourhood_shows_only_its_groups_on_the_list_and_the_map(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    name, theirs = with_schedules(live_server)
    page.goto(f"{live_server.url}/whats-on")
    everywhere, _ = listed_and_marked(page)
    assert set(everywhere) - theirs, "the whole area should list other neighbourhoods' groups"
    choose_neighbourhood(page, live_server.url, name)
    listed, marked = listed_and_marked(page)
    assert listed and set(listed) <= theirs
    assert marked == len(listed)
    assert "where=neighbourhood" in page.url
    assert axe_violations(page) == []
    assert problems.failed == [] and problems.errors == []


def test_on_a_phone_whats_on_in_a_neighbourhood_fits_the_screen(
    live_server: LiveServer, phone: Page, problems: Problems
) -> None:
    name, theirs = with_schedules(live_server)
    choose_neighbourhood(phone, live_server.url, name)
    listed, marked = listed_and_marked(phone)
    assert listed and set(listed) <= theirs
    assert marked == len(listed)
    expect(phone.locator(".whatson-map .folium-map")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems.failed == [] and problems.errors == []
