"""In Chromium: a person signs in with a password pasted from the clipboard, as they would from
a password manager. Nothing on the form blocks pasting or asks them to remember a secret."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.support import PASSWORD, LiveServer, Problems

# Paste into the focused field through a real paste event, as the clipboard would: the event
# is cancellable, so a script that blocked pasting would cancel it and nothing would go in.
PASTE = """(text) => {
    const field = document.activeElement;
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const event = new ClipboardEvent("paste", {
        clipboardData: data, bubbles: true, cancelable: true,
    });
    return field.dispatchEvent(event);
}"""


def paste(page: Page, text: str) -> None:
    allowed = page.evaluate(PASTE, text)
    assert allowed, "a script on the page cancelled the paste"
    # The browser inserts pasted text where the event was not cancelled; a synthetic event
    # does not, so put the text in as the paste would.
    page.keyboard.insert_text(text)


def test_a_pasted_password_signs_in(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("paste@example.org")
    page.goto(f"{live_server.url}/sign-in")
    email = page.get_by_label("Email address")
    password = page.get_by_label("Password")
    expect(email).to_have_attribute("autocomplete", "email")
    expect(password).to_have_attribute("autocomplete", "current-password")
    email.focus()
    paste(page, "paste@example.org")
    password.focus()
    paste(page, PASSWORD)
    expect(password).to_have_value(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    assert problems.errors == []


def test_a_password_pasted_from_the_clipboard_signs_in(
    live_server: LiveServer, page: Page, problems: Problems
) -> None:
    live_server.add_user("clip@example.org")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill("clip@example.org")
    page.evaluate("(text) => navigator.clipboard.writeText(text)", PASSWORD)
    password = page.get_by_label("Password")
    password.focus()
    page.keyboard.press("Control+V")
    expect(password).to_have_value(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You are signed in.")).to_be_visible()
    assert problems.errors == []
