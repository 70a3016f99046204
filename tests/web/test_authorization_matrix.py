"""Every route of the app and API, for a visitor and every role, against one table of rules.

The table is checked against the app's route table, so a new route without a rule fails.
Pages are asked with GET; forms are sent with a valid CSRF token (to see the real answer), and
again without one (refused, nothing changed). API writes carry the role's personal token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from assetmap.exchange import hsds, openreferral
from assetmap.web import db
from tests.trust.world import ROLES, World, client_as
from tests.web.helpers import form_token

VISITOR = "visitor"
WHO = (VISITOR, *ROLES)
OK = frozenset({200})
ANSWERED = frozenset({200, 204, 302, 400, 409})


@dataclass(frozen=True)
class Rule:
    """Who may use a route, and what they are answered."""

    path: Callable[[World], str]
    allowed: frozenset[str]
    ok: frozenset[int] = OK
    # What a signed-in person the rule leaves out gets (a visitor is sent to sign in).
    refused: int = 403
    api: bool = False


EVERYONE = frozenset(WHO)
SIGNED_IN = frozenset(ROLES)
STAFF = frozenset({"planner", "admin"})
CONNECTORS = frozenset({"coach", "admin"})
ADMINS = frozenset({"admin"})
NOBODY = frozenset[str]()


def at(template: str) -> Callable[[World], str]:
    return lambda world: template.format(**world.ids)


RULES: dict[tuple[str, str], Rule] = {
    ("pages.index", "GET"): Rule(at("/"), EVERYONE),
    ("pages.asset", "GET"): Rule(at("/assets/{group}"), EVERYONE),
    ("pages.health", "GET"): Rule(at("/healthz"), EVERYONE),
    ("offline.manifest", "GET"): Rule(at("/manifest.webmanifest"), EVERYONE),
    ("offline.worker", "GET"): Rule(at("/sw.js"), EVERYONE),
    ("offline.page", "GET"): Rule(at("/offline"), EVERYONE),
    ("offline.signed_in", "GET"): Rule(at("/offline/session"), EVERYONE),
    ("language.choose", "POST"): Rule(at("/language"), EVERYONE, frozenset({303})),
    ("explore.map_page", "GET"): Rule(at("/map"), EVERYONE),
    ("explore.list_page", "GET"): Rule(at("/list"), EVERYONE),
    ("explore.features", "GET"): Rule(
        at("/api/map/features?bbox=-2.34,51.21,-2.30,51.25&zoom=16"), EVERYONE
    ),
    ("search.search_page", "GET"): Rule(at("/search?place=Frome"), EVERYONE, frozenset({200, 400})),
    ("search.print_page", "GET"): Rule(
        at("/search/print?place=Frome"), EVERYONE, frozenset({200, 400})
    ),
    ("said_did.feed", "GET"): Rule(at("/you-said-we-did/feed.atom"), EVERYONE),
    ("said_did.log", "GET"): Rule(at("/you-said-we-did"), EVERYONE),
    ("check_pages.show", "GET"): Rule(at("/checks/{check}"), EVERYONE),
    ("check_pages.report", "GET"): Rule(at("/checks/{check}/report"), EVERYONE),
    ("check_pages.revision", "GET"): Rule(at("/checks/{check}/revisions/1"), EVERYONE),
    ("check_pages.findings_as_csv", "GET"): Rule(at("/checks/{check}/findings.csv"), EVERYONE),
    ("check_pages.findings_as_geojson", "GET"): Rule(
        at("/checks/{check}/findings.geojson"), EVERYONE
    ),
    ("check_pages.respond", "GET"): Rule(at("/checks/{check}/respond"), SIGNED_IN),
    ("check_pages.respond_post", "POST"): Rule(
        at("/checks/{check}/respond"), SIGNED_IN, frozenset({400})
    ),
    ("history.show", "GET"): Rule(at("/assets/{skill}/history"), EVERYONE),
    ("history.restore", "POST"): Rule(
        at("/assets/{skill}/history/{first_revision}/restore"), ADMINS, frozenset({302})
    ),
    ("moderation.report", "GET"): Rule(at("/assets/{group}/report"), EVERYONE),
    ("moderation.report_post", "POST"): Rule(
        at("/assets/{group}/report"), EVERYONE, frozenset({400})
    ),
    ("moderation.queue", "GET"): Rule(at("/moderation"), ADMINS),
    ("moderation.hide", "GET"): Rule(at("/moderation/assets/{group}/hide"), ADMINS),
    ("moderation.hide_post", "POST"): Rule(
        at("/moderation/assets/{group}/hide"), ADMINS, frozenset({400})
    ),
    ("moderation.restore", "POST"): Rule(
        at("/moderation/assets/{hidden}/restore"), ADMINS, frozenset({302})
    ),
    ("moderation.dismiss", "POST"): Rule(
        at("/moderation/reports/{report}/dismiss"), ADMINS, frozenset({302})
    ),
    # Only the owner answers about a hidden strength: no role answers for someone else.
    ("moderation.answer", "POST"): Rule(at("/strengths/{hidden}/answer"), NOBODY),
    ("roles.index", "GET"): Rule(at("/admin/users"), ADMINS),
    ("roles.edit", "GET"): Rule(lambda w: f"/admin/users/{w.users['resident']}", ADMINS),
    ("roles.edit_post", "POST"): Rule(
        lambda w: f"/admin/users/{w.users['resident']}", ADMINS, frozenset({302})
    ),
    ("auth.sign_in", "GET"): Rule(at("/sign-in"), EVERYONE),
    ("auth.sign_in_post", "POST"): Rule(at("/sign-in"), EVERYONE, frozenset({400})),
    ("auth.sign_out", "POST"): Rule(at("/sign-out"), EVERYONE, frozenset({302})),
    ("accounts.sign_up", "GET"): Rule(at("/sign-up"), EVERYONE),
    ("accounts.sign_up", "POST"): Rule(at("/sign-up"), EVERYONE, frozenset({400})),
    ("accounts.reset_request", "GET"): Rule(at("/reset-password"), EVERYONE),
    ("accounts.reset_request", "POST"): Rule(at("/reset-password"), EVERYONE, frozenset({400})),
    ("accounts.reset_password", "GET"): Rule(
        at("/reset-password/not-a-token"), EVERYONE, frozenset({400})
    ),
    ("accounts.reset_password", "POST"): Rule(
        at("/reset-password/not-a-token"), EVERYONE, frozenset({400})
    ),
    ("accounts.account", "GET"): Rule(at("/account"), SIGNED_IN),
    ("accounts.my_data", "GET"): Rule(at("/account/my-data"), SIGNED_IN),
    ("accounts.delete", "GET"): Rule(at("/account/delete"), SIGNED_IN),
    ("accounts.delete", "POST"): Rule(at("/account/delete"), SIGNED_IN, frozenset({400})),
    ("confirmation.confirm", "GET"): Rule(
        at("/confirm-email/not-a-token"), EVERYONE, frozenset({400})
    ),
    ("confirmation.send_again", "POST"): Rule(
        at("/confirm-email/send-again"), SIGNED_IN, frozenset({302})
    ),
    ("tokens.index", "GET"): Rule(at("/account/tokens"), SIGNED_IN),
    ("tokens.create", "POST"): Rule(at("/account/tokens"), SIGNED_IN, frozenset({400})),
    # Nobody revokes someone else's token: it is answered as not found.
    ("tokens.revoke", "POST"): Rule(at("/account/tokens/{token}/revoke"), NOBODY, refused=404),
    ("adding.new", "GET"): Rule(at("/strengths/new"), SIGNED_IN),
    ("adding.new_post", "POST"): Rule(at("/strengths/new"), SIGNED_IN, frozenset({400})),
    ("adding.details", "GET"): Rule(at("/strengths/new/group"), SIGNED_IN),
    ("adding.details_post", "POST"): Rule(at("/strengths/new/group"), SIGNED_IN, frozenset({400})),
    ("adding.place_post", "POST"): Rule(
        at("/strengths/new/group/place"), SIGNED_IN, frozenset({400})
    ),
    ("adding.publish", "POST"): Rule(
        at("/strengths/new/group/publish"), SIGNED_IN, frozenset({400})
    ),
    # When a group meets: its owner, or staff in their neighbourhoods (the world's are all).
    ("schedules.show", "GET"): Rule(at("/strengths/{group}/schedule"), STAFF),
    ("schedules.save_note", "POST"): Rule(
        at("/strengths/{group}/schedule"), STAFF, frozenset({302})
    ),
    ("schedules.new", "GET"): Rule(at("/strengths/{group}/schedule/new"), STAFF),
    ("schedules.new", "POST"): Rule(at("/strengths/{group}/schedule/new"), STAFF, frozenset({400})),
    ("schedules.change", "GET"): Rule(at("/strengths/{group}/schedule/1"), STAFF),
    ("schedules.change", "POST"): Rule(
        at("/strengths/{group}/schedule/1"), STAFF, frozenset({400})
    ),
    ("schedules.remove", "POST"): Rule(
        at("/strengths/{group}/schedule/1/remove"), STAFF, frozenset({302})
    ),
    ("calendars.calendar", "GET"): Rule(at("/assets/{group}/calendar.ics"), EVERYONE),
    ("calendars.upload", "GET"): Rule(at("/strengths/{group}/schedule/import"), STAFF),
    ("calendars.preview", "POST"): Rule(
        at("/strengths/{group}/schedule/import"), STAFF, frozenset({400})
    ),
    ("calendars.confirm", "POST"): Rule(
        at("/strengths/{group}/schedule/import/confirm"), STAFF, frozenset({400})
    ),
    # Ties: made from the group by its owner or staff; taken off or answered by either end's.
    ("ties.new", "GET"): Rule(at("/strengths/{group}/ties/new?kind=meets-at"), STAFF),
    ("ties.create", "POST"): Rule(
        at("/strengths/{group}/ties/new?kind=meets-at"), STAFF, frozenset({400})
    ),
    ("ties.answer", "POST"): Rule(at("/strengths/{group}/ties/answer"), STAFF, frozenset({400})),
    ("ties.remove", "GET"): Rule(at("/strengths/{group}/ties/remove?tie={tie}"), STAFF),
    ("ties.remove", "POST"): Rule(
        at("/strengths/{group}/ties/remove?tie={tie}"), STAFF, frozenset({302})
    ),
    ("whatson.page", "GET"): Rule(at("/whats-on"), EVERYONE),
    ("whatson.feed", "GET"): Rule(at("/whats-on.ics"), EVERYONE),
    ("openactive.dataset", "GET"): Rule(at("/openactive/"), EVERYONE),
    ("openactive.series", "GET"): Rule(at("/openactive/session-series"), EVERYONE),
    ("strengths.mine", "GET"): Rule(at("/strengths/mine"), SIGNED_IN),
    ("strengths.edit", "GET"): Rule(at("/strengths/{group}/edit"), ADMINS),
    ("strengths.edit", "POST"): Rule(at("/strengths/{group}/edit"), ADMINS, frozenset({400})),
    ("strengths.location", "GET"): Rule(at("/strengths/{group}/location"), ADMINS),
    ("strengths.location", "POST"): Rule(
        at("/strengths/{group}/location"), ADMINS, frozenset({400})
    ),
    ("strengths.confirm", "POST"): Rule(at("/strengths/{group}/confirm"), ADMINS, frozenset({302})),
    ("strengths.withdraw", "GET"): Rule(at("/strengths/{victim}/withdraw"), ADMINS),
    ("strengths.withdraw", "POST"): Rule(
        at("/strengths/{victim}/withdraw"), ADMINS, frozenset({302})
    ),
    # Only a strength's owner brings it back; none of these roles owns it.
    ("strengths.bring_back", "POST"): Rule(at("/strengths/{victim}/bring-back"), NOBODY),
    ("connections.new", "GET"): Rule(at("/connections/new?asset={group}"), CONNECTORS),
    ("connections.contact", "GET"): Rule(at("/assets/{group}/contact.json"), SIGNED_IN),
    ("connections.create", "POST"): Rule(at("/connections/new"), CONNECTORS, frozenset({404})),
    ("checks.index", "GET"): Rule(at("/checks"), STAFF),
    ("checks.new", "GET"): Rule(at("/checks/new"), STAFF),
    ("checks.create", "POST"): Rule(at("/checks/new"), STAFF, frozenset({400})),
    ("checks.edit", "GET"): Rule(at("/checks/{check}/edit"), STAFF),
    ("checks.update", "POST"): Rule(at("/checks/{check}/edit"), STAFF, frozenset({400})),
    ("checks.decision", "GET"): Rule(at("/checks/{check}/decision"), STAFF),
    ("checks.decide", "POST"): Rule(at("/checks/{check}/decision"), STAFF, frozenset({400})),
    ("checks.publish", "POST"): Rule(at("/checks/{check}/publish"), STAFF, frozenset({302})),
    ("checks.run_again_preview", "GET"): Rule(at("/checks/{check}/run-again"), STAFF),
    ("checks.run_again", "POST"): Rule(at("/checks/{check}/run-again"), STAFF, frozenset({302})),
    ("checks.acted_upon", "POST"): Rule(
        at("/checks/{check}/responses/{response}/acted-upon"), STAFF, frozenset({400})
    ),
    ("exchange.index", "GET"): Rule(at("/exchange"), STAFF),
    ("exchange.upload", "POST"): Rule(at("/exchange/import"), STAFF, frozenset({400})),
    ("exchange.confirm", "POST"): Rule(
        at("/exchange/import/confirm"), STAFF, frozenset({302, 400})
    ),
    ("exchange.export", "POST"): Rule(at("/exchange/export"), STAFF, frozenset({200, 400})),
    ("exchange.cancel", "POST"): Rule(at("/exchange/import/cancel"), STAFF, frozenset({302})),
    ("exchange.columns", "POST"): Rule(at("/exchange/import/columns"), STAFF, frozenset({302})),
    ("api.list_assets", "GET"): Rule(
        at("/api/assets?bbox=-2.34,51.21,-2.30,51.25"), EVERYONE, api=True
    ),
    ("api.get_asset", "GET"): Rule(at("/api/assets/{group}"), EVERYONE, api=True),
    ("api.get_schedules", "GET"): Rule(at("/api/assets/{group}/schedules"), EVERYONE, api=True),
    ("api.put_schedules", "PUT"): Rule(
        at("/api/assets/{group}/schedules"), STAFF, frozenset({400}), api=True
    ),
    ("api.asset_ties", "GET"): Rule(at("/api/assets/{group}/ties"), EVERYONE, api=True),
    ("api.openapi_document", "GET"): Rule(at("/api/openapi.json"), EVERYONE, api=True),
    ("api.places", "GET"): Rule(at("/api/places?q=Market+Place"), EVERYONE, api=True),
    ("openreferral.root", "GET"): Rule(at("/openreferral/"), EVERYONE),
    ("openreferral.services", "GET"): Rule(at("/openreferral/services"), EVERYONE),
    ("openreferral.service", "GET"): Rule(
        lambda world: f"/openreferral/services/{hsds.service_id(world.ids['group'])}", EVERYONE
    ),
    ("openreferral.organizations", "GET"): Rule(at("/openreferral/organizations"), EVERYONE),
    ("openreferral.organization", "GET"): Rule(
        lambda world: f"/openreferral/organizations/{hsds.organization_id(world.ids['group'])}",
        EVERYONE,
    ),
    ("openreferral.service_at_locations", "GET"): Rule(
        at("/openreferral/service_at_locations"), EVERYONE
    ),
    ("openreferral.service_at_location", "GET"): Rule(
        lambda world: (
            "/openreferral/service_at_locations/" + hsds.service_at_location_id(world.ids["hall"])
        ),
        EVERYONE,
    ),
    ("openreferral.taxonomies", "GET"): Rule(at("/openreferral/taxonomies"), EVERYONE),
    ("openreferral.taxonomy", "GET"): Rule(
        lambda world: f"/openreferral/taxonomies/{openreferral.THEMES_TAXONOMY_ID}", EVERYONE
    ),
    ("openreferral.taxonomy_terms", "GET"): Rule(at("/openreferral/taxonomy_terms"), EVERYONE),
    ("openreferral.taxonomy_term", "GET"): Rule(
        lambda world: f"/openreferral/taxonomy_terms/{openreferral.theme_terms()[0]['id']}",
        EVERYONE,
    ),
    ("openreferral.unknown", "GET"): Rule(
        at("/openreferral/nothing-here"), EVERYONE, frozenset({404})
    ),
    ("coverage.page", "GET"): Rule(at("/coverage"), STAFF),
    ("funds_rounds.index", "GET"): Rule(at("/funds"), EVERYONE),
    ("funds_rounds.show", "GET"): Rule(at("/funds/{round}"), EVERYONE),
    ("funds_rounds.new", "GET"): Rule(at("/funds/new"), STAFF),
    ("funds_rounds.create", "POST"): Rule(at("/funds/new"), STAFF, frozenset({400})),
    ("funds_rounds.from_check", "GET"): Rule(at("/checks/{check}/fund"), STAFF),
    ("funds_rounds.create_from_check", "POST"): Rule(
        at("/checks/{check}/fund"), STAFF, frozenset({400})
    ),
    ("funds_rounds.edit", "GET"): Rule(at("/funds/{round}/edit"), STAFF, frozenset({200, 409})),
    ("funds_rounds.update", "POST"): Rule(at("/funds/{round}/edit"), STAFF, frozenset({400, 409})),
    # The world's round has no neighbourhood yet, so nobody lives in it and no coach works in
    # it: only staff, who always may, propose.
    ("funds_proposals.propose", "GET"): Rule(at("/funds/{round}/propose"), STAFF),
    ("funds_proposals.propose_post", "POST"): Rule(
        at("/funds/{round}/propose"), STAFF, frozenset({400})
    ),
    ("funds_proposals.show", "GET"): Rule(at("/funds/{round}/proposals/{proposal}"), EVERYONE),
    ("funds_proposals.check", "GET"): Rule(at("/funds/{round}/proposals/{proposal}/check"), STAFF),
    ("funds_proposals.check_post", "POST"): Rule(
        at("/funds/{round}/proposals/{proposal}/check"), STAFF, frozenset({400})
    ),
    ("funds_proposals.withdraw", "POST"): Rule(
        at("/funds/{round}/proposals/{proposal}/withdraw"),
        frozenset({"resident"}),
        frozenset({302}),
    ),
    ("funds_proposals.consent", "GET"): Rule(at("/funds/consent"), SIGNED_IN),
    ("funds_proposals.consent_post", "POST"): Rule(
        at("/funds/consent"), SIGNED_IN, frozenset({400})
    ),
    ("funds_voting.vote", "GET"): Rule(at("/funds/{round}/vote"), EVERYONE),
    # Nobody in the world lives in the round's area: signed in, each is told why (403).
    ("funds_voting.vote_post", "POST"): Rule(at("/funds/{round}/vote"), NOBODY),
    ("funds_voting.record", "GET"): Rule(at("/funds/{round}/vote/record"), CONNECTORS),
    ("funds_voting.record_post", "POST"): Rule(
        at("/funds/{round}/vote/record"), CONNECTORS, frozenset({400})
    ),
    ("funds_voting.recorded_votes", "GET"): Rule(at("/funds/{round}/recorded-votes"), STAFF),
    ("accounts.where_you_live", "POST"): Rule(
        at("/account/where-you-live"), SIGNED_IN, frozenset({302})
    ),
    ("funds_results.count", "GET"): Rule(at("/funds/{round}/count"), STAFF, ANSWERED),
    ("funds_results.publish", "POST"): Rule(at("/funds/{round}/count"), STAFF, ANSWERED),
    ("funds_results.result_json", "GET"): Rule(
        at("/funds/{round}/result.json"), EVERYONE, frozenset({200, 404})
    ),
    # Staff and the idea's proposer (the resident) may give news of a funded project; the
    # world's idea is not funded (yet), so they find nothing to give news of.
    ("funds_results.new_update", "GET"): Rule(
        at("/funds/{round}/proposals/{proposal}/updates/new"),
        STAFF | {"resident"},
        frozenset({404}),
    ),
    ("funds_results.add_update", "POST"): Rule(
        at("/funds/{round}/proposals/{proposal}/updates/new"),
        STAFF | {"resident"},
        frozenset({404}),
    ),
    ("funds_giving.as_json", "GET"): Rule(at("/funds/360giving.json"), STAFF),
    ("funds_giving.as_csv", "GET"): Rule(at("/funds/360giving.csv"), STAFF),
    ("coverage.download", "GET"): Rule(at("/coverage.csv"), STAFF),
    ("api.create_asset", "POST"): Rule(at("/api/assets"), SIGNED_IN, frozenset({400}), api=True),
    ("api.update_asset", "PATCH"): Rule(at("/api/assets/{group}"), ADMINS, api=True),
    ("api.confirm_asset", "POST"): Rule(at("/api/assets/{group}/confirm"), ADMINS, api=True),
    ("api.withdraw_asset", "DELETE"): Rule(
        at("/api/assets/{victim_api}"), ADMINS, frozenset({204}), api=True
    ),
}
# Run last: they end the session that the others use.
LAST = ("auth.sign_out",)
# Routes that take a file ask who is asking before anything, CSRF included, reads the body.
ROLE_BEFORE_CSRF = (("exchange.upload", "POST"), ("exchange.export", "POST"))


def routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def expected(rule: Rule, who: str) -> frozenset[int]:
    if who in rule.allowed:
        return rule.ok
    if who == VISITOR:
        return frozenset({401}) if rule.api else frozenset({302})
    return frozenset({rule.refused})


def ask(client: FlaskClient, world: World, who: str, key: tuple[str, str], token: str) -> int:
    endpoint, method = key
    rule = RULES[key]
    headers = {}
    if rule.api and who != VISITOR:
        headers["Authorization"] = f"Bearer {world.tokens[who]}"
    if method == "GET":
        return client.get(rule.path(world), headers=headers).status_code
    if rule.api:
        return client.open(rule.path(world), method=method, json={}, headers=headers).status_code
    return client.open(rule.path(world), method=method, data={"csrf_token": token}).status_code


def ordered() -> list[tuple[str, str]]:
    keys = sorted(RULES, key=lambda key: (key[1] != "GET", key[0] in LAST, key))
    return keys


def test_every_route_has_a_rule(served: Flask) -> None:
    assert routes(served) == set(RULES)


@pytest.mark.parametrize("who", WHO)
def test_every_route_answers_each_role_as_its_rule_says(
    served: Flask, world: World, who: str
) -> None:
    client = client_as(served, world, who)
    token = form_token(client)
    wrong = {}
    for key in ordered():
        status = ask(client, world, who, key, token)
        if status not in expected(RULES[key], who):
            wrong[key] = (status, sorted(expected(RULES[key], who)))
    assert wrong == {}


def snapshot(app: Flask) -> tuple[object, ...]:
    with app.app_context():
        session = db.session()
        tables = sorted(sa.inspect(session.get_bind()).get_table_names())
        counts = tuple(
            session.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables
        )
        states = tuple(session.execute(sa.text("SELECT id, status, updated_at FROM asset")))
        roles = tuple(session.execute(sa.text("SELECT id, role FROM app_user")))
        db.session().close()
    return counts, states, roles


@pytest.mark.parametrize("who", WHO)
def test_a_form_without_a_csrf_token_is_refused_and_changes_nothing(
    served: Flask, world: World, who: str
) -> None:
    client = client_as(served, world, who)
    before = snapshot(served)
    answers = {
        key: ask(client, world, who, key, token="forged")
        for key in ordered()
        if key[1] != "GET" and not RULES[key].api
    }
    refused_first = {
        key: min(expected(RULES[key], who))
        for key in ROLE_BEFORE_CSRF
        if who not in RULES[key].allowed
    }
    assert {key: status for key, status in answers.items() if status != 400} == refused_first
    assert snapshot(served) == before


@pytest.mark.parametrize("who", ROLES)
def test_an_api_write_with_a_forged_token_is_refused_and_changes_nothing(
    served: Flask, world: World, who: str
) -> None:
    client = served.test_client()
    before = snapshot(served)
    forged = {"Authorization": "Bearer amt_" + "x" * 43}
    answers = {
        key: client.open(RULES[key].path(world), method=key[1], json={}, headers=forged).status_code
        for key in RULES
        if RULES[key].api and key[1] != "GET"
    }
    assert set(answers.values()) == {401}
    assert snapshot(served) == before
