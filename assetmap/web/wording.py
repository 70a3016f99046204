"""Plain words for pages: what the domain and the API say, as a person reads it.

The API keeps its technical messages (``bbox: expected minlon,minlat,maxlon,maxlat``); a page
shows each message through ``plain``, which drops the echo of what was typed and rewrites the
few messages that speak of formats and internals. A message that tells a person nothing they
need becomes empty, and pages leave it out.

Rules match the English: a message the domain said in the reader's language (a ``Text``) is
matched on its English, and the plain message is said in the reader's language in turn. Where
the plain form of a message has no translation yet, the message is shown as it was said, in
the reader's language, rather than plainly in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask_babel import get_translations

from assetmap.domain.i18n import N_, Text, _, locale

Rewrite = str | Callable[[re.Match[str]], str]

_OUTCOMES = {
    "added": N_("%(count)s new"),
    "updated": N_("%(count)s changed"),
    "skipped": N_("%(count)s already here"),
    "rejected": N_("%(count)s with mistakes"),
}
_VERDICTS = {
    "were": N_("%(file)s is imported. Of its %(total)s rows, %(parts)s."),
    "would be": N_("%(file)s is checked but not imported yet. Of its %(total)s rows, %(parts)s."),
    "would have been": N_("Nothing from %(file)s was imported. Of its %(total)s rows, %(parts)s."),
}


def _import_summary(found: re.Match[str]) -> str:
    counts = re.findall(r"(\d+) (\w+)", found["parts"])
    parts = [
        _(_OUTCOMES[what], count=n) if what in _OUTCOMES else f"{n} {what}"
        for n, what in counts
        if n != "0"
    ] or [_("none")]
    if len(parts) == 1:
        listed = parts[0]
    else:
        listed = _("%(items)s and %(last)s", items=", ".join(parts[:-1]), last=parts[-1])
    verdict = _VERDICTS[found["verb"]]
    return _(verdict, file=found["file"], total=found["total"], parts=listed)


def _characters(found: re.Match[str]) -> str:
    return f"at most {found['most']} characters: you wrote {found['got']}"


def _counted(found: re.Match[str]) -> str:
    return f": you gave {found['got']}"


# Messages as a whole, rewritten: the rewritten message is said in the reader's language.
WHOLE: tuple[tuple[re.Pattern[str], Rewrite], ...] = tuple(
    (re.compile(pattern, re.S), rewrite)
    for pattern, rewrite in (
        (
            r"^bbox: .*$",
            N_(
                "The map area in this link can't be used. Open the map and move it to the area "
                "you want."
            ),
        ),
        (r"^page must be a whole number.*$", N_("There is no such page of the list.")),
        (
            r"^(?P<file>.+): (?P<total>\d+) read; (?P<parts>[^()]+) "
            r"\((?P<verb>were|would be|would have been) the result\)\.$",
            _import_summary,
        ),
        # How a drawn outline was stored is no concern of the person who drew it.
        (r"^The outline ran clockwise;.*$", ""),
        (r"^A hole ran anticlockwise;.*$", ""),
    )
)
# Parts of messages, rewritten in English: the echo of what was typed, dropped.
PARTS: tuple[tuple[re.Pattern[str], Rewrite], ...] = tuple(
    (re.compile(pattern, re.S), rewrite)
    for pattern, rewrite in (
        (r"must be a whole number, got .+$", "must be a whole number, like 12"),
        (r"at most (?P<most>\d+) characters, got (?P<got>\d+)", _characters),
        (r", got (?P<got>\d+)$", _counted),
        (r", got (?:'[^']*'|\"[^\"]*\"|[-+\w.]+)(?=$|[.;:])", ""),
    )
)
RULES = WHOLE + PARTS
# The same parts in a message's own terms (its msgid, values named), to find the plain message
# in the reader's language: "must be at most %(most)d characters, got %(got)d" reads
# "must be at most %(most)d characters: you wrote %(got)d".
_MSGID_PARTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), rewrite)
    for pattern, rewrite in (
        (r"must be a whole number, got %\(\w+\)[rsd]$", "must be a whole number, like 12"),
        (
            r"at most %\((?P<most>\w+)\)([sd]) characters, got %\((?P<got>\w+)\)([sd])",
            r"at most %(\g<most>)\2 characters: you wrote %(\g<got>)\4",
        ),
        (r", got %\((?P<got>\w+)\)([sd])$", r": you gave %(\g<got>)\2"),
        (r", got %\(\w+\)[rsd](?=$|[.;:])", ""),
    )
)
# Plain messages, marked so that translators see them.
PLAIN_MESSAGES = (
    N_("must be a whole number, like 12"),
    N_("must be at most %(most)d characters: you wrote %(got)d"),
    N_("at most %(most)d characters: you wrote %(got)d"),
)


def plain(message: str) -> str:
    """Return ``message`` as a page shows it: in plain words, without echoing the input, in
    the reader's language."""
    english = message.english if isinstance(message, Text) else str(message)
    for pattern, rewrite in WHOLE:
        found = pattern.search(english)
        if found is not None:
            if callable(rewrite):
                return rewrite(found)
            return _(rewrite) if rewrite else ""
    text = english
    for pattern, rewrite in PARTS:
        found = pattern.search(text)
        if found is None:
            continue
        replacement = rewrite(found) if callable(rewrite) else rewrite
        text = text[: found.start()] + replacement + text[found.end() :]
    if text == english or not isinstance(message, Text):
        return message if text == english else text
    return _said_plainly(message, text)


def _said_plainly(message: Text, english: str) -> str:
    """Return the plain form of a message the domain said, in the reader's language: its
    English where the reader reads English, else the plain message's translation, else the
    message as it was said."""
    if locale().language == "en":
        return english
    msgid = message.msgid
    for pattern, rewrite in _MSGID_PARTS:
        msgid = pattern.sub(rewrite, msgid)
    if get_translations().gettext(msgid) == msgid:
        return message
    try:
        return _(msgid, **message.values)
    except (KeyError, TypeError, ValueError):
        return message


def init_app(app: Flask) -> None:
    """Offer ``plain`` to templates as a filter."""
    app.jinja_env.filters["plain"] = plain
