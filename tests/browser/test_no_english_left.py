"""In each shipped language, the home, map, add-a-strength and search pages have no English
left in their interface: no word a person reads (text, labels, buttons, alternative text,
titles, placeholders) is an English word of the app's own messages, outside what people wrote
(marked with its own ``lang``) and names from data (marked ``translate="no"``).

An English word here is one that occurs in the app's English messages and in none of the
language's translations (so names the translations keep, such as assetmap or GeoJSON, pass).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser

from assetmap.web.i18n import COOKIE, DEFAULT, LANGUAGES, TRANSLATIONS
from tests.browser.conftest import BLANK_PNG, TILES
from tests.browser.support import LiveServer

PAGES = ("/", "/map", "/strengths/new/group", "/search?place=Market+Place")
WORD = re.compile(r"[^\W\d_]{3,}")

# The words a person reads on the page, outside what people wrote and names from data: text
# nodes, and the attributes that are read aloud or shown.
INTERFACE_WORDS = """
() => {
  const page = document.documentElement.lang;
  const skipped = (element) => {
    for (let e = element; e; e = e.parentElement) {
      if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(e.tagName)) return true;
      if (e.getAttribute("translate") === "no") return true;
      if (e.hasAttribute("lang") && e.getAttribute("lang") !== page) return true;
    }
    return false;
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (text && !skipped(node.parentElement)) found.push([node.parentElement.tagName, text]);
  }
  const attributes = ["aria-label", "title", "alt", "placeholder", "aria-description"];
  for (const element of document.querySelectorAll("*")) {
    if (skipped(element)) continue;
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (value) found.push([`${element.tagName}@${name}`, value]);
    }
    if (element.matches("input[type=submit], input[type=button]") && element.value) {
      found.push([`${element.tagName}@value`, element.value]);
    }
  }
  found.push(["TITLE", document.title]);
  return found;
}
"""


def _words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(re.sub(r"%\(\w+\)[a-z]|<[^>]+>", " ", text))}


def _english_words(code: str) -> set[str]:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=code)
    english: set[str] = set()
    for message in template:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            english |= _words(text)
    kept: set[str] = set()
    for message in catalog:
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            kept |= _words(text or "")
    return english - kept


@pytest.mark.parametrize("code", sorted(code for code in LANGUAGES if code != DEFAULT))
def test_no_english_is_left_in_the_interface(
    code: str, live_server: LiveServer, browser: Browser
) -> None:
    english = _english_words(code)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(
        f"{TILES}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_PNG),
    )
    page = context.new_page()
    email = f"reader-{code}@example.org"
    live_server.add_user(email)
    live_server.sign_in_as(page, email)
    host = live_server.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": COOKIE, "value": code, "domain": host, "path": "/"}])
    left: list[str] = []
    for path in PAGES:
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == LANGUAGES[code].tag
        for where, text in page.evaluate(INTERFACE_WORDS):
            if _words(text) & english:
                left.append(f"{path} {where}: {text[:80]!r} ({sorted(_words(text) & english)})")
    context.close()
    assert left == [], "\n".join(left)


def test_the_check_finds_english_where_there_is_some() -> None:
    """The check itself: a Welsh page holding an English message would be caught."""
    english = _english_words("cy")
    assert _words("Skip to main content") & english
    assert not _words("Neidio i'r prif gynnwys") & english
    assert Path(TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po").exists()
