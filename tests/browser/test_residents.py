from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from assetmap.domain.privacy import public_point
from tests.browser.conftest import TILES
from tests.browser.support import LiveServer, Problems, axe_violations

PASSWORD = "a long enough passphrase"
CONTACT = "07700 900555"
TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
DESCRIPTION = '"><svg onload="window.__pwned=1"></svg> ${window.__pwned=1} {{7*7}}'


def sign_up(page: Page, server: LiveServer, email: str) -> None:
    page.goto(server.url)
    page.get_by_role("link", name="Sign up").click()
    assert axe_violations(page) == []
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Your name (optional)").fill("Robin")
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert axe_violations(page) == []
    server.confirm_by_mail(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="My strengths")).to_be_visible()
    page.wait_for_load_state()


def describe_skill(page: Page, title: str = "Bike repair", description: str = "") -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add a strength").click()
    assert axe_violations(page) == []
    page.get_by_label("A skill").check()
    page.get_by_role("button", name="Continue").click()
    assert axe_violations(page) == []
    page.get_by_label("What is your skill?").fill(title)
    page.get_by_label("Description (optional)").fill(description or "Punctures, brakes, gears.")
    page.get_by_label("Sport").check()
    page.get_by_label("Do it for others").check()
    page.get_by_label("How can people get in touch? (optional)").fill(CONTACT)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Where is your skill?")).to_be_visible()
    page.wait_for_load_state()


def pinned(page: Page) -> tuple[float, float]:
    return float(page.get_by_label("Longitude").input_value()), float(
        page.get_by_label("Latitude").input_value()
    )


def preview_marker(page: Page) -> list[list[float]]:
    name = page.locator(".strength-map--preview").get_attribute("data-map")
    return page.evaluate(
        """name => {
          const out = [];
          window.assetmapMaps[name].map.eachLayer(layer => {
            if (layer.getLatLng) out.push([layer.getLatLng().lng, layer.getLatLng().lat]);
          });
          return out;
        }""",
        name,
    )


def test_a_new_resident_adds_a_skill_by_clicking_the_map_and_finds_it(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "robin@example.org")
    describe_skill(page)
    assert axe_violations(page) == []
    page.locator(".strength-map--picker .folium-map").click()
    expect(page.get_by_text("Pin placed at latitude")).to_be_visible()
    lon, lat = pinned(page)
    page.get_by_role("button", name="Continue with this point").click()

    expect(page.get_by_role("heading", name="Check it before you publish")).to_be_visible()
    page.wait_for_load_state()
    public_lon, public_lat = public_point("skill", lon, lat, 400.0)
    expect(
        page.get_by_text(f"Within a few hundred metres of {public_lat:.4f}, {public_lon:.4f}")
    ).to_be_visible()
    [[marker_lon, marker_lat]] = preview_marker(page)
    assert (round(marker_lon, 6), round(marker_lat, 6)) == (public_lon, public_lat)
    assert (marker_lon, marker_lat) != (lon, lat)
    assert CONTACT not in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_text("“Bike repair” is published")).to_be_visible()
    page.wait_for_load_state()
    card = page.locator(".strength-cards > li", has_text="Bike repair")
    expect(card).to_contain_text("Public")
    page.locator(".strength-map--mine .leaflet-interactive").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Bike repair")
    assert axe_violations(page) == []
    card.get_by_role("link", name="Bike repair", exact=True).click()
    expect(page.get_by_role("heading", name="Bike repair", level=1)).to_be_visible()
    page.wait_for_load_state()
    page.goto(live_server.url)
    expect(page.locator(".asset-list")).to_contain_text("Bike repair")
    assert problems.failed == [] and problems.errors == []


def test_the_same_works_with_the_keyboard_alone_by_typing_a_place(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.goto(f"{live_server.url}/sign-up")
    page.get_by_label("Email address").focus()
    page.keyboard.type("kit@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Kit")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    live_server.confirm_by_mail(page, "kit@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="My strengths")).to_be_visible()
    page.wait_for_load_state()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Add a strength").focus()
    page.keyboard.press("Enter")
    page.get_by_label("A skill").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_label("What is your skill?").focus()
    page.keyboard.type("Conversational Polish")
    page.get_by_label("Languages").focus()
    page.keyboard.press("Space")
    page.get_by_label("Talk about it and give advice").focus()
    page.keyboard.press("Space")
    page.get_by_label("When are you available? (optional)").focus()
    page.keyboard.type("Weekday evenings")
    page.keyboard.press("Enter")

    page.get_by_label("Postcode, street or place name").focus()
    page.keyboard.type("Catherine")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Which place do you mean?")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Catherine Street (street)").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_text("You placed it at Catherine Street.")).to_be_visible()
    public_lon, public_lat = public_point("skill", -2.3242, 51.2294, 400.0)
    expect(page.get_by_text(f"{public_lat:.4f}, {public_lon:.4f}")).to_be_visible()
    page.get_by_role("button", name="Publish").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("“Conversational Polish” is published")).to_be_visible()
    expect(page.locator(".strength-cards")).to_contain_text("Conversational Polish")
    assert problems.failed == [] and problems.errors == []


def test_an_unknown_place_is_announced_beside_the_field(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "sam@example.org")
    describe_skill(page)
    page.get_by_label("Postcode, street or place name").fill("Atlantis")
    page.get_by_role("button", name="Find this place").click()
    expect(page.get_by_role("alert")).to_contain_text("We could not find “Atlantis”")
    expect(page.locator("#place-error")).to_contain_text("We could not find “Atlantis”")
    expect(page.get_by_label("Postcode, street or place name")).to_have_value("Atlantis")
    assert axe_violations(page) == []
    assert [error for error in problems.errors if "status of 400" not in error] == []


def test_the_pin_can_be_dragged_and_put_at_the_browsers_location(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 51.2311, "longitude": -2.3215})
    sign_up(page, live_server, "lee@example.org")
    describe_skill(page)
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_text("Pin placed at your location")).to_be_visible()
    assert pinned(page) == (-2.3215, 51.2311)
    box = page.locator(".leaflet-marker-icon").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] - 4)
    page.mouse.down()
    page.mouse.move(box["x"] + 80, box["y"] + 60, steps=8)
    page.mouse.up()
    expect(page.get_by_text("Pin moved to")).to_be_visible()
    lon, lat = pinned(page)
    assert lon > -2.3215 and lat < 51.2311
    assert problems.failed == [] and problems.errors == []


def test_the_pin_can_be_put_with_the_keyboard(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "jo@example.org")
    describe_skill(page)
    page.locator(".strength-map--picker .folium-map").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Put the pin in the middle of the map").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Pin placed at latitude")).to_be_visible()
    lon, lat = pinned(page)
    page.get_by_role("button", name="Continue with this point").focus()
    page.keyboard.press("Enter")
    public_lon, public_lat = public_point("skill", lon, lat, 400.0)
    expect(page.get_by_text(f"{public_lat:.4f}, {public_lon:.4f}")).to_be_visible()
    page.wait_for_load_state()
    assert problems.failed == [] and problems.errors == []


def test_a_resident_adds_a_skill_on_a_phone(
    live_server: LiveServer, phone: Page, problems: Problems
) -> None:
    sign_up(phone, live_server, "ash@example.org")
    phone.goto(f"{live_server.url}/strengths/new")
    phone.get_by_label("A skill").check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_label("What is your skill?").fill("Sourdough baking")
    phone.get_by_label("Food").check()
    phone.get_by_label("Teach it").check()
    phone.get_by_role("button", name="Continue").click()
    phone.locator(".strength-map--picker .folium-map").tap()
    expect(phone.get_by_text("Pin placed at latitude")).to_be_visible()
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Continue with this point").click()
    expect(phone.get_by_role("heading", name="Check it before you publish")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_text("“Sourdough baking” is published")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert problems.failed == [] and problems.errors == []


def add_group_by_typing(page: Page, title: str) -> int:
    page.goto(page.url.split("/strengths")[0] + "/strengths/new")
    page.get_by_label("A group").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What is the group called?").fill(title)
    page.get_by_label("Learning").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Postcode, street or place name").fill("Market Place")
    page.get_by_role("button", name="Find this place").click()
    page.get_by_role("button", name="Publish").click()
    link = page.locator(".strength-cards").get_by_role("link", name=title, exact=True)
    href = link.get_attribute("href")
    assert href is not None
    return int(href.rsplit("/", 1)[1])


def test_another_resident_cannot_edit_or_withdraw_it(live_server: LiveServer, page: Page) -> None:
    sign_up(page, live_server, "owner@example.org")
    asset_id = add_group_by_typing(page, "Owner's chess club")
    page.get_by_role("button", name="Sign out").click()
    live_server.add_user("other@example.org")
    live_server.sign_in_as(page, "other@example.org")

    response = page.goto(f"{live_server.url}/strengths/{asset_id}/edit")
    assert response is not None and response.status == 403
    expect(page.get_by_text("You can only change your own strengths.")).to_be_visible()
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token
    base = f"{live_server.url}/strengths/{asset_id}"
    edit = page.request.post(
        f"{base}/edit", form={"csrf_token": token, "title": "Taken over", "themes": "learning"}
    )
    withdraw = page.request.post(f"{base}/withdraw", form={"csrf_token": token})
    assert (edit.status, withdraw.status) == (403, 403)

    page.goto(f"{live_server.url}/assets/{asset_id}")
    expect(page.get_by_role("heading", name="Owner's chess club", level=1)).to_be_visible()


def test_script_and_html_in_a_title_are_shown_as_text_and_never_run(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    sign_up(page, live_server, "mal@example.org")
    describe_skill(page, title=TITLE, description=DESCRIPTION)
    page.get_by_label("Postcode, street or place name").fill("Market Place")
    page.get_by_role("button", name="Find this place").click()

    expect(page.locator("[data-public-title]")).to_have_text(TITLE)
    expect(page.locator("[data-public-description]")).to_have_text(DESCRIPTION)
    page.locator(".strength-map--preview .leaflet-interactive").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(TITLE)
    assert page.evaluate("window.__pwned") is None
    page.get_by_role("button", name="Publish").click()

    card = page.locator(".strength-cards > li").first
    expect(card.locator("h2 a")).to_have_text(TITLE)
    page.locator(".strength-map--mine .leaflet-interactive").click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text(TITLE)
    assert page.evaluate("window.__pwned") is None
    card.locator("h2 a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert page.evaluate("window.__pwned") is None
    assert problems.failed == [] and problems.errors == []


def test_no_resource_comes_from_outside_the_app_but_map_tiles(
    live_server: LiveServer, page: Page
) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_up(page, live_server, "pat@example.org")
    describe_skill(page)
    page.locator(".strength-map--picker .folium-map").click()
    page.get_by_role("button", name="Continue with this point").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".strength-map--mine .leaflet-interactive")).to_have_count(1)
    outside = [url for url in requested if not url.startswith((live_server.url, TILES, "data:"))]
    assert outside == []
    assert any(url.startswith(TILES) for url in requested)
    assert any(re.search(r"/static/vendor/leaflet/leaflet\.js$", url) for url in requested)
