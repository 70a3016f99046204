"""The decision form: its strengths filtered by words and kind through the address, and its
errors said in the words of the fields' labels."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.helpers import add_asset, decide, error_beside, sign_in, start, text

CHOICE = re.compile(
    r'<div class="govuk-checkboxes__item"[^>]*?(?P<hidden> hidden)?>\s*<input[^>]*?'
    r"(?P<checked> checked)?>\s*<label[^>]*>(?P<label>.*?)</label>"
)


def choices(page: str) -> dict[str, str]:
    """Return each strength offered on the decision form: shown, chosen, or hidden."""
    found = {}
    for match in CHOICE.finditer(page):
        state = "hidden" if match["hidden"] else "chosen" if match["checked"] else "shown"
        found[text(match["label"])] = state
    return found


def started_on_three_food_strengths(app: Flask, client: FlaskClient) -> dict[str, int]:
    ids = {
        "soup": add_asset(app, title="Soup club", themes=["food"]),
        "bread": add_asset(app, title="Bread makers", kind="space", themes=["food"]),
        "cook": add_asset(app, title="Cooking on a budget", kind="skill", themes=["food"]),
    }
    sign_in(app, client, "planner")
    assert start(client).status_code == 302
    return ids


def test_the_decision_form_shows_only_strengths_holding_the_words_asked_for(
    app: Flask, client: FlaskClient
) -> None:
    started_on_three_food_strengths(app, client)
    page = client.get("/checks/1/decision?q=SOUP").get_data(as_text=True)
    assert choices(page) == {
        "Bread makers (space)": "hidden",
        "Cooking on a budget (skill)": "hidden",
        "Soup club (group)": "shown",
    }
    assert "Showing 1 of 3 strengths; chosen ones always show." in text(page)


def test_the_decision_form_filters_strengths_by_the_words_of_their_themes(
    app: Flask, client: FlaskClient
) -> None:
    add_asset(app, title="Walking group", themes=["food", "health"])
    started_on_three_food_strengths(app, client)
    page = client.get("/checks/1/decision?q=wellbeing").get_data(as_text=True)
    shown = [label for label, state in choices(page).items() if state == "shown"]
    assert shown == ["Walking group (group)"]


def test_the_decision_form_filters_strengths_by_kind(app: Flask, client: FlaskClient) -> None:
    started_on_three_food_strengths(app, client)
    page = client.get("/checks/1/decision?kind=space").get_data(as_text=True)
    assert [label for label, state in choices(page).items() if state == "shown"] == [
        "Bread makers (space)"
    ]


def test_a_chosen_strength_stays_shown_when_the_filter_leaves_it_out(
    app: Flask, client: FlaskClient
) -> None:
    ids = started_on_three_food_strengths(app, client)
    assert decide(client, 1, kind="support", strengths=[str(ids["soup"])]).status_code == 302
    page = client.get("/checks/1/decision?q=bread").get_data(as_text=True)
    assert choices(page) == {
        "Bread makers (space)": "shown",
        "Cooking on a budget (skill)": "hidden",
        "Soup club (group)": "chosen",
    }


def test_an_unknown_kind_is_answered_beside_the_filter_and_every_strength_shown(
    app: Flask, client: FlaskClient
) -> None:
    started_on_three_food_strengths(app, client)
    response = client.get("/checks/1/decision?kind=boat")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_beside(page, "filter-kind") == (
        "Error: The kind to filter by must be one of skill, group, space, or any"
    )
    assert set(choices(page).values()) == {"shown"}


def test_a_decision_refused_under_a_filter_is_shown_again_under_it(
    app: Flask, client: FlaskClient
) -> None:
    started_on_three_food_strengths(app, client)
    form = client.get("/checks/1/decision?q=soup").get_data(as_text=True)
    assert 'action="/checks/1/decision?q=soup"' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    response = client.post(
        "/checks/1/decision?q=soup",
        data={"csrf_token": token[1], "kind": "not-proceed", "rationale": "", "decided_by": "X"},
    )
    assert response.status_code == 400
    assert choices(response.get_data(as_text=True))["Bread makers (space)"] == "hidden"


def test_a_decision_without_its_reasons_is_answered_in_the_words_of_the_labels(
    app: Flask, client: FlaskClient
) -> None:
    started_on_three_food_strengths(app, client)
    page = decide(client, 1, rationale="", decided_by="").get_data(as_text=True)
    assert error_beside(page, "rationale") == "Error: Say why this was decided"
    assert error_beside(page, "decided_by") == "Error: Say who decided"
    assert "rationale" not in text(page).lower()


def test_a_decision_dated_tomorrow_is_answered_in_the_words_of_its_label(
    app: Flask, client: FlaskClient
) -> None:
    started_on_three_food_strengths(app, client)
    page = decide(client, 1, decided_on="2999-01-01").get_data(as_text=True)
    assert error_beside(page, "decided_on").startswith(
        "Error: When it was decided must not be in the future"
    )
